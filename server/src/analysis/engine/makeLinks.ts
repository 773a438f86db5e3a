// BPF objects a Makefile links from several: a rule whose recipe runs `bpftool gen object OUT
// A.o B.o ...` (bpf_linker, as mimic's `out/mimic.bpf.o: $(mimic_bpf_obj)` and falcosecurity-libs'
// modern_bpf do), each part object found back to its source through the rule that compiles it
// (`bpf/%.o: bpf/%.c`, `$(OBJS): %.o: %.c`, an explicit `a.o: a.c`) or, failing one, the source
// beside it with its stem (make's built-in `%.o: %.c`). `bpftool gen skeleton OUT name NAME` on the
// linked object adds NAME to its names. Pure: the Makefile's text and the workspace's paths in.
import { isAbsolute, join, normalize, relative } from 'node:path';
import { expand, readMakefile, UNKNOWN, type Makefile, type Rule } from './makeRules';

export interface MakeLink {
  /** The linked object, absolute. */
  output: string;
  /** The part objects in link order (absolute), each with the source it is compiled from (null: none found). */
  parts: { object: string; source: string | null }[];
  /** Names the skeletons of the output are given (`gen skeleton OUT name NAME`). */
  skeletonNames: string[];
  /** The linking rule's line (0-based). */
  line: number;
}

const abs = (dir: string, p: string): string => normalize(isAbsolute(p) ? p : join(dir, p));

/** A recipe line as make runs it for the rule, split into words (UNKNOWN in a word that cannot be known). */
function recipeWords(m: Makefile, r: Rule, line: string): string[] {
  const vars = new Map(m.variables);
  vars.set('@', r.targets[0] ?? UNKNOWN);
  vars.set('<', r.prerequisites[0] ?? UNKNOWN);
  vars.set('^', [...new Set(r.prerequisites)].join(' '));
  return expand(line, vars, m.dir, 0, m.files).split(/\s+/).filter(Boolean);
}

/** The words after `gen KIND` of a bpftool command in the recipe line, or null. */
function bpftoolGen(words: string[], kind: 'object' | 'skeleton'): string[] | null {
  for (let i = 0; i + 2 < words.length; i++) {
    if (words[i] === 'gen' && words[i + 1] === kind && words.slice(0, i).some((w) => /bpftool/i.test(w) || w.includes(UNKNOWN))) return words.slice(i + 2);
  }
  return null;
}

/** The source a part object is compiled from, by the Makefile's rules, else beside it with its stem. */
function sourceOf(m: Makefile, object: string, has: (path: string) => boolean): string | null {
  const isSource = (p: string): boolean => /\.c$/.test(p) && !p.includes(UNKNOWN);
  for (const r of m.rules) {
    for (const t of r.targets) {
      if (t.includes(UNKNOWN)) continue;
      if (!t.includes('%')) {
        const src = abs(m.dir, t) === object ? r.prerequisites.find(isSource) : undefined;
        if (src) return abs(m.dir, src);
        continue;
      }
      const [pre, post] = [t.slice(0, t.indexOf('%')), t.slice(t.indexOf('%') + 1)];
      const rel = relative(m.dir, object);
      const form = isAbsolute(t) ? object : rel;
      if (!form.startsWith(pre) || !form.endsWith(post) || form.length < pre.length + post.length) continue;
      const stem = form.slice(pre.length, form.length - post.length);
      const src = r.prerequisites.find((p) => p.includes('%') && isSource(p));
      if (src) return abs(m.dir, src.replace('%', stem));
    }
  }
  const bare = object.replace(/\.o$/, '');
  for (const candidate of [`${bare}.c`, `${bare.replace(/\.bpf$/, '')}.bpf.c`]) if (has(candidate)) return candidate;
  return null;
}

/**
 * The objects the Makefile links with `bpftool gen object`. `files` are the workspace's paths
 * under the Makefile's directory (relative, for `$(wildcard)`); `has` tells whether a path is one.
 */
export function makeLinks(text: string, dir: string, files: readonly string[], has: (path: string) => boolean): MakeLink[] {
  if (!/\bgen\s+object\b/.test(text)) return [];
  const m = readMakefile(text, dir, files);
  const out: MakeLink[] = [];
  for (const r of m.rules) {
    for (const line of r.recipe) {
      const args = bpftoolGen(recipeWords(m, r, line), 'object');
      if (!args) continue;
      const [target, ...inputs] = args;
      const output = target && !target.includes(UNKNOWN) ? target : r.targets[0];
      if (!output || output.includes(UNKNOWN)) continue;
      // Inputs that cannot be known: the rule's prerequisites that are objects (what `$^` would give).
      const objects = (inputs.some((w) => w.includes(UNKNOWN)) ? r.prerequisites : inputs).filter((w) => /\.o$/.test(w) && !w.includes(UNKNOWN));
      if (!objects.length) continue;
      const parts = [...new Set(objects.map((o) => abs(m.dir, o)))].map((object) => ({ object, source: sourceOf(m, object, has) }));
      out.push({ output: abs(m.dir, output), parts, skeletonNames: [], line: r.line });
    }
  }
  for (const r of m.rules) {
    for (const line of r.recipe) {
      const args = bpftoolGen(recipeWords(m, r, line), 'skeleton');
      const link = args?.[0] ? out.find((l) => l.output === abs(m.dir, args[0] as string)) : undefined;
      const at = args ? args.indexOf('name') : -1;
      const name = at >= 0 ? args?.[at + 1] : undefined;
      if (link && name && /^\w+$/.test(name)) link.skeletonNames.push(name);
    }
  }
  return out;
}
