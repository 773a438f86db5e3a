// Which make goal rebuilds a BPF object or its skeleton, read from the Makefile rule that produces
// it: an explicit target (`build/x.bpf.o: x.bpf.c`) or a pattern rule whose prerequisite, with the
// same stem, is the source (`$(OUTPUT)/%.bpf.o: %.bpf.c`, `build/%.skel.h: build/%.bpf.o`), as in
// the kernel's tools/sched_ext and selftests Makefiles and libbpf-bootstrap's. Variables assigned in
// the Makefile are expanded (`:=`, `=`, `?=`, `+=`, `ifeq`/`ifdef` blocks decided with what the
// file itself defines, `$(CURDIR)` and `$(abspath ...)`); a word that needs anything else (an
// included file, the environment, `$(shell ...)`) is not guessed: no goal then. Pure: texts in.
import { isAbsolute, join, normalize, relative } from 'node:path';

export interface MakeGoal {
  /** The directory make runs in (`make -C`), where the Makefile is. */
  directory: string;
  makefile: string;
  /** The goal as the Makefile names it (relative to `directory`, or absolute when the rule is). */
  goal: string;
}

export interface Rule {
  targets: string[];
  prerequisites: string[];
  /** The recipe's lines, unexpanded (make expands them when it runs them, with `$@`, `$<`, `$^`). */
  recipe: string[];
  /** The rule's line (0-based) in the Makefile. */
  line: number;
}

export interface Makefile {
  variables: Map<string, string>;
  rules: Rule[];
  /** The directory make runs in. */
  dir: string;
  /** The workspace's files under `dir`, for `$(wildcard ...)` (relative paths); none: wildcards are unknown. */
  files?: readonly string[];
}

export const UNKNOWN = '\u0000';

/** Lines with their continuations joined, comments dropped; recipe lines (a leading tab) marked. */
function logicalLines(text: string): { text: string; recipe: boolean; line: number }[] {
  const out: { text: string; recipe: boolean; line: number }[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const at = i;
    let joined = raw[i] as string;
    while (joined.endsWith('\\') && i + 1 < raw.length) joined = `${joined.slice(0, -1)} ${raw[++i] as string}`;
    const stripped = joined.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (stripped) out.push({ text: stripped, recipe: joined.startsWith('\t'), line: at });
  }
  return out;
}

/** `*` and `?` of a wildcard pattern as a regular expression over paths. */
function globPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

/** `%` patterns as make's patsubst and substitution references apply them, word by word. */
function patsubst(pattern: string, replacement: string, words: string): string {
  const at = pattern.indexOf('%');
  return words
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      if (at < 0) return w === pattern ? replacement : w;
      const [pre, post] = [pattern.slice(0, at), pattern.slice(at + 1)];
      if (!w.startsWith(pre) || !w.endsWith(post) || w.length < pre.length + post.length) return w;
      return replacement.replace('%', w.slice(pre.length, w.length - post.length));
    })
    .join(' ');
}

/** Expands variable references; a reference that cannot be known leaves UNKNOWN in the text. */
export function expand(text: string, vars: Map<string, string>, dir: string, depth = 0, files?: readonly string[]): string {
  if (depth > 20) return UNKNOWN;
  const again = (t: string): string => expand(t, vars, dir, depth + 1, files);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next !== '(' && next !== '{') {
      // $@, $<, $X: automatic or one-letter variables.
      out += next && vars.has(next) ? again(vars.get(next) as string) : UNKNOWN;
      i++;
      continue;
    }
    const close = next === '(' ? ')' : '}';
    let level = 0;
    let j = i + 1;
    for (; j < text.length; j++) {
      if (text[j] === next) level++;
      else if (text[j] === close && --level === 0) break;
    }
    const inner = text.slice(i + 2, j);
    i = j;
    const fn = /^(\w+)\s+([\s\S]*)$/.exec(inner);
    if (fn && fn[1] === 'abspath') {
      const arg = again(fn[2] as string);
      out += arg.includes(UNKNOWN) ? UNKNOWN : arg.split(/\s+/).filter(Boolean).map((w) => normalize(isAbsolute(w) ? w : join(dir, w))).join(' ');
      continue;
    }
    if (fn && fn[1] === 'wildcard' && files) {
      // The workspace's files stand for the file system (relative patterns only: make's own answer is relative too).
      const patterns = again(fn[2] as string).split(/\s+/).filter(Boolean);
      out += patterns.some((p) => p.includes(UNKNOWN) || isAbsolute(p)) ? UNKNOWN : patterns.flatMap((p) => files.filter((f) => globPattern(normalize(p)).test(f)).sort()).join(' ');
      continue;
    }
    if (fn && (fn[1] === 'patsubst' || fn[1] === 'addprefix' || fn[1] === 'addsuffix')) {
      const args = (fn[2] as string).split(',').map((a) => again(a.trim()));
      if (args.some((a) => a.includes(UNKNOWN))) out += UNKNOWN;
      else if (fn[1] === 'patsubst' && args.length === 3) out += patsubst(args[0] as string, args[1] as string, args[2] as string);
      else if (fn[1] !== 'patsubst' && args.length === 2) {
        const words = (args[1] as string).split(/\s+/).filter(Boolean);
        out += words.map((w) => (fn[1] === 'addprefix' ? `${args[0] as string}${w}` : `${w}${args[0] as string}`)).join(' ');
      } else out += UNKNOWN;
      continue;
    }
    if (fn) {
      out += UNKNOWN;
      continue;
    }
    // A substitution reference: `$(OBJS:.c=.o)`, `$(SRCS:%.c=%.o)`.
    const ref = /^([^:=]+):([^=]*)=(.*)$/.exec(inner);
    if (ref) {
      const value = again(`$(${ref[1] as string})`);
      const from = ref[2] as string;
      out += value.includes(UNKNOWN) ? UNKNOWN : patsubst(from.includes('%') ? from : `%${from}`, from.includes('%') ? (ref[3] as string) : `%${ref[3] as string}`, value);
      continue;
    }
    const name = again(inner);
    if (name === 'CURDIR') out += vars.get('CURDIR') ?? dir;
    else if (vars.has(name)) out += again(vars.get(name) as string);
    else out += UNKNOWN;
  }
  return out;
}

/** The Makefile's variables and rules, with ifeq/ifneq/ifdef/ifndef blocks decided. */
export function readMakefile(text: string, dir: string, files?: readonly string[]): Makefile {
  const variables = new Map<string, string>();
  const rules: Rule[] = [];
  // Each open conditional: whether its current branch is taken, and whether one was.
  const stack: { taking: boolean; taken: boolean }[] = [];
  const active = (): boolean => stack.every((s) => s.taking);
  const decide = (cond: string): boolean => {
    const d = /^(ifn?def)\s+(\S+)$/.exec(cond);
    if (d) return (d[1] === 'ifdef') === !!(variables.get(d[2] as string) ?? '').trim();
    const e = /^(ifn?eq)\s*[('"]([^,]*?),\s*([^)'"]*)[)'"]?$/.exec(cond) ?? /^(ifn?eq)\s*["']([^"']*)["']\s*["']([^"']*)["']$/.exec(cond);
    if (!e) return true;
    const a = expand(e[2] as string, variables, dir, 0, files).replace(new RegExp(UNKNOWN, 'g'), '').trim();
    const b = expand(e[3] as string, variables, dir, 0, files).replace(new RegExp(UNKNOWN, 'g'), '').trim();
    return (e[1] === 'ifeq') === (a === b);
  };
  // The rule the recipe lines that follow belong to.
  let current: Rule | null = null;
  for (const { text: line, recipe, line: at } of logicalLines(text)) {
    if (recipe) {
      if (active()) current?.recipe.push(line);
      continue;
    }
    const cond = /^(ifeq|ifneq|ifdef|ifndef)\b/.test(line);
    if (cond) {
      const taking = active() && decide(line);
      stack.push({ taking, taken: taking });
      continue;
    }
    const els = /^else\b\s*(.*)$/.exec(line);
    if (els && stack.length) {
      const top = stack[stack.length - 1] as { taking: boolean; taken: boolean };
      const parentActive = stack.slice(0, -1).every((s) => s.taking);
      const rest = (els[1] ?? '').trim();
      top.taking = parentActive && !top.taken && (rest ? decide(rest) : true);
      top.taken ||= top.taking;
      continue;
    }
    if (/^endif\b/.test(line)) {
      stack.pop();
      continue;
    }
    if (!active()) continue;
    current = null;
    const assign = /^(?:(?:override|export)\s+)*([\w.-]+)\s*(::=|:=|\+=|\?=|!=|=)\s*(.*)$/.exec(line);
    if (assign) {
      const [, name, op, value] = assign as unknown as [string, string, string, string];
      if (op === '?=' && variables.has(name)) continue;
      if (op === '!=') variables.set(name, UNKNOWN);
      else if (op === ':=' || op === '::=') variables.set(name, expand(value, variables, dir, 0, files));
      else if (op === '+=') variables.set(name, `${variables.get(name) ?? ''} ${value}`.trim());
      else variables.set(name, value);
      continue;
    }
    const rule = /^([^:=]+?)\s*::?\s*(.*)$/.exec(line);
    if (!rule || /^(include|-include|sinclude|define|endef|vpath|\.PHONY|\.SUFFIXES)\b/.test(line)) continue;
    const words = (s: string): string[] => expand(s, variables, dir, 0, files).split(/\s+/).filter(Boolean);
    // A static pattern rule (`$(OBJS): %.o: %.c`): the target pattern is the middle part.
    const parts = (rule[2] as string).split(/(?<!:):(?![:=])/);
    const prerequisites = words((parts.length > 1 ? parts.slice(1).join(':') : (parts[0] as string)).split('|')[0] as string);
    const targets = parts.length > 1 ? words(parts[0] as string) : words(rule[1] as string);
    current = { targets, prerequisites, recipe: [], line: at };
    rules.push(current);
  }
  return { variables, rules, dir, ...(files ? { files } : {}) };
}

/** The stem `%` stands for when `file` (absolute) matches the pattern, else null. */
function stemOf(pattern: string, file: string, dir: string): string | null {
  const at = pattern.indexOf('%');
  if (at < 0 || pattern.includes(UNKNOWN)) return null;
  const abs = (p: string): string => normalize(isAbsolute(p) ? p : join(dir, p));
  const prefix = pattern.slice(0, at);
  const suffix = pattern.slice(at + 1);
  const full = abs(`${prefix}\u0001${suffix}`);
  const [before, after] = full.split('\u0001') as [string, string];
  if (!file.startsWith(before) || !file.endsWith(after) || file.length < before.length + after.length) return null;
  return file.slice(before.length, file.length - after.length) || null;
}

function resolveIn(dir: string, p: string): string {
  return normalize(isAbsolute(p) ? p : join(dir, p));
}

/** The goal that makes `output` from `input` (a source, or the object a skeleton is made from). */
function goalFor(m: Makefile, dir: string, output: string, input: string): string | null {
  for (const r of m.rules) {
    for (const t of r.targets) {
      if (t.includes(UNKNOWN)) continue;
      if (!t.includes('%')) {
        if (resolveIn(dir, t) === output) return t;
        continue;
      }
      const stem = stemOf(t, output, dir);
      if (stem === null) continue;
      const made = r.prerequisites.some((p) => p.includes('%') && !p.includes(UNKNOWN) && resolveIn(dir, p.replace('%', stem)) === input);
      if (made) return isAbsolute(t) ? output : relative(dir, output);
    }
  }
  return null;
}

/**
 * The goal to rebuild an object (and its skeleton, when a rule makes it from the object): the
 * nearest Makefile above the output whose rules produce it. `makefileText` gives a workspace
 * file's text (undefined when there is none).
 */
export function rebuildGoal(object: { source: string; objectFile?: string; skeleton?: string }, makefileText: (path: string) => string | undefined): MakeGoal | null {
  const start = object.objectFile ?? object.skeleton;
  if (!start) return null;
  for (let dir = start.slice(0, start.lastIndexOf('/')); dir.length > 0; dir = dir.slice(0, dir.lastIndexOf('/'))) {
    for (const name of ['GNUmakefile', 'makefile', 'Makefile']) {
      const path = `${dir}/${name}`;
      const text = makefileText(path);
      if (text === undefined) continue;
      const m = readMakefile(text, dir);
      const objectGoal = object.objectFile ? goalFor(m, dir, object.objectFile, object.source) : null;
      const skeletonGoal = object.skeleton && object.objectFile ? goalFor(m, dir, object.skeleton, object.objectFile) : null;
      // The skeleton's goal makes the object first; without one, the object's.
      const goal = objectGoal && skeletonGoal ? skeletonGoal : objectGoal;
      if (goal) return { directory: dir, makefile: path, goal };
      break; // make reads the first of these names it finds
    }
  }
  return null;
}
