// Sources that `#include` other sources: a BPF object is compiled from its .bpf.c and the text of
// every file it includes. Programs and maps defined in an included .c (or in a header) belong to
// each object that includes them, and slots may name functions defined in another of its files.
import { dirname, join, normalize } from 'node:path';
import type { BpfObjectFacts } from './facts';

/** The `#include "..."` targets of a C text, resolved against its directory. */
export function quotedIncludes(path: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm)) {
    if (m[1]) out.push(normalize(join(dirname(path), m[1])));
  }
  return out;
}

/** Everything `root` includes, transitively, among `candidates` (files with programs or maps). */
export function fragmentClosure(root: string, includesOf: (path: string) => string[], candidates: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>([root]);
  const queue = [root];
  for (let i = 0; i < queue.length && i < 1000; i++) {
    for (const inc of includesOf(queue[i] as string)) {
      if (seen.has(inc)) continue;
      seen.add(inc);
      queue.push(inc);
      if (candidates.has(inc)) out.push(inc);
    }
  }
  return out;
}

/** The facts of one object: its source with the programs and maps of the files it includes. */
export function mergeFragments(main: BpfObjectFacts, fragments: BpfObjectFacts[]): BpfObjectFacts {
  if (!fragments.length) return main;
  const all = [main, ...fragments];
  const functions = new Set(all.flatMap((f) => f.functions ?? []));
  const programs = new Map<string, BpfObjectFacts['programs'][number]>();
  for (const f of all) for (const p of f.programs) if (!programs.has(p.name)) programs.set(p.name, p);
  const maps = new Map<string, BpfObjectFacts['structOpsMaps'][number]>();
  for (const f of all) for (const m of f.structOpsMaps) if (!maps.has(m.name)) maps.set(m.name, { ...m, slots: [...m.slots] });
  // A slot naming a function of another file of the object is a slot after all.
  for (const f of all) {
    for (const u of f.unresolvedSlots ?? []) {
      const m = maps.get(u.map);
      if (m && functions.has(u.value) && !m.slots.some((s) => s.member === u.member)) m.slots.push({ member: u.member, program: u.value, location: u.location });
    }
  }
  return {
    ...main,
    programs: [...programs.values()],
    structOpsMaps: [...maps.values()],
    otherMaps: [...new Set(all.flatMap((f) => f.otherMaps))],
    kfuncDecls: all.flatMap((f) => f.kfuncDecls),
    problems: all.flatMap((f) => f.problems),
    functions: [...functions],
    fragments: fragments.map((f) => f.file),
  };
}
