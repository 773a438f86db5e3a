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

interface Rule {
  targets: string[];
  prerequisites: string[];
}

interface Makefile {
  variables: Map<string, string>;
  rules: Rule[];
}

const UNKNOWN = '\u0000';

/** Lines with their continuations joined, comments dropped; recipe lines (a leading tab) dropped. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    if (raw.startsWith('\t')) continue;
    const line = raw.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (line) out.push(line);
  }
  return out;
}

/** Expands variable references; a reference that cannot be known leaves UNKNOWN in the text. */
function expand(text: string, vars: Map<string, string>, dir: string, depth = 0): string {
  if (depth > 20) return UNKNOWN;
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
      out += next && vars.has(next) ? expand(vars.get(next) as string, vars, dir, depth + 1) : UNKNOWN;
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
      const arg = expand(fn[2] as string, vars, dir, depth + 1);
      out += arg.includes(UNKNOWN) ? UNKNOWN : arg.split(/\s+/).filter(Boolean).map((w) => normalize(isAbsolute(w) ? w : join(dir, w))).join(' ');
      continue;
    }
    if (fn) {
      out += UNKNOWN;
      continue;
    }
    const name = expand(inner, vars, dir, depth + 1);
    if (name === 'CURDIR') out += vars.get('CURDIR') ?? dir;
    else if (vars.has(name)) out += expand(vars.get(name) as string, vars, dir, depth + 1);
    else out += UNKNOWN;
  }
  return out;
}

/** The Makefile's variables and rules, with ifeq/ifneq/ifdef/ifndef blocks decided. */
function readMakefile(text: string, dir: string): Makefile {
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
    const a = expand(e[2] as string, variables, dir).replace(new RegExp(UNKNOWN, 'g'), '').trim();
    const b = expand(e[3] as string, variables, dir).replace(new RegExp(UNKNOWN, 'g'), '').trim();
    return (e[1] === 'ifeq') === (a === b);
  };
  for (const line of logicalLines(text)) {
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
    const assign = /^(?:(?:override|export)\s+)*([\w.-]+)\s*(::=|:=|\+=|\?=|!=|=)\s*(.*)$/.exec(line);
    if (assign) {
      const [, name, op, value] = assign as unknown as [string, string, string, string];
      if (op === '?=' && variables.has(name)) continue;
      if (op === '!=') variables.set(name, UNKNOWN);
      else if (op === ':=' || op === '::=') variables.set(name, expand(value, variables, dir));
      else if (op === '+=') variables.set(name, `${variables.get(name) ?? ''} ${value}`.trim());
      else variables.set(name, value);
      continue;
    }
    const rule = /^([^:=]+?)\s*::?\s*(.*)$/.exec(line);
    if (!rule || /^(include|-include|sinclude|define|endef|vpath|\.PHONY|\.SUFFIXES)\b/.test(line)) continue;
    const words = (s: string): string[] => expand(s, variables, dir).split(/\s+/).filter(Boolean);
    // A static pattern rule (`$(OBJS): %.o: %.c`): the target pattern is the middle part.
    const parts = (rule[2] as string).split(/(?<!:):(?![:=])/);
    const prerequisites = words((parts.length > 1 ? parts.slice(1).join(':') : (parts[0] as string)).split('|')[0] as string);
    const targets = parts.length > 1 ? words(parts[0] as string) : words(rule[1] as string);
    rules.push({ targets, prerequisites });
  }
  return { variables, rules };
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
