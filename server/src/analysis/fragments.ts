// Sources that `#include` other sources: a BPF object is compiled from its .bpf.c and the text of
// every file it includes. Programs and maps defined in an included .c (or in a header) belong to
// each object that includes them, and slots may name functions defined in another of its files.
import { dirname, join, normalize } from 'node:path';
import type { BpfObjectFacts, KfuncCall, ProgramFact } from './facts';
import { changedFacts, fileStart, kfuncCall, programFact, structOpsMapFact } from './facts';
import { KFUNC_CALL_BUDGET, REACH_WORK_BUDGET } from './elf/calls';

/** The `#include "..."` targets of a C text, resolved against its directory. */
export function quotedIncludes(path: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm)) {
    if (m[1]) out.push(normalize(join(dirname(path), m[1])));
  }
  return out;
}

/** The `#include <...>` names of a C text (`scx/common.bpf.h`), resolved later against the workspace. */
export function angleIncludes(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*<([^>\n]+)>/gm)) if (m[1]) out.push(normalize(m[1]));
  return out;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Finds `<name>` includes among the workspace's files, as the compiler finds them on its `-I` path:
 * a file whose path ends in `/name`; of several, the one nearest the including file.
 */
export class IncludeResolver {
  private readonly byBase = new Map<string, string[]>();

  constructor(paths: Iterable<string>) {
    for (const p of paths) {
      const base = p.slice(p.lastIndexOf('/') + 1);
      const list = this.byBase.get(base);
      if (list) list.push(p);
      else this.byBase.set(base, [p]);
    }
  }

  resolve(from: string, name: string): string | undefined {
    const base = name.slice(name.lastIndexOf('/') + 1);
    let best: string | undefined;
    let bestScore = -1;
    for (const p of this.byBase.get(base) ?? []) {
      if (p === from || !p.endsWith(`/${name}`)) continue;
      const score = commonPrefix(dirname(p), dirname(from));
      if (score > bestScore) {
        best = p;
        bestScore = score;
      }
    }
    return best;
  }
}

/** The facts of one object: its source with the programs and maps of the files it includes. */
export function mergeFragments(main: BpfObjectFacts, fragments: BpfObjectFacts[]): BpfObjectFacts {
  if (!fragments.length) return main;
  const all = [main, ...fragments];
  const functions = new Set(all.flatMap((f) => f.functions ?? []));
  const programs = new Map<string, BpfObjectFacts['programs'][number]>();
  for (const f of all) for (const p of f.programs) if (!programs.has(p.name)) programs.set(p.name, p);
  const maps = new Map<string, BpfObjectFacts['structOpsMaps'][number]>();
  for (const f of all) for (const m of f.structOpsMaps) if (!maps.has(m.name)) maps.set(m.name, structOpsMapFact({ ...m, slots: [...m.slots] }));
  // A slot naming a function of another file of the object is a slot after all.
  for (const f of all) {
    for (const u of f.unresolvedSlots ?? []) {
      const m = maps.get(u.map);
      if (m && functions.has(u.value) && !m.slots.some((s) => s.member === u.member)) m.slots.push({ member: u.member, program: u.value, location: u.location });
    }
  }
  const helpers = new Map<string, NonNullable<BpfObjectFacts['helpers']>[string]>();
  for (const f of all) for (const [name, h] of Object.entries(f.helpers ?? {})) if (!helpers.has(name) && !programs.has(name)) helpers.set(name, h);
  // The helpers' calls are followed per program within the object's budget (elf/calls.ts): past it,
  // a program keeps its own calls and the rest is reported, never P×K entries.
  const budget: HelperBudget = { pairs: KFUNC_CALL_BUDGET, work: REACH_WORK_BUDGET, viaCopies: new Map(), unfollowed: [] };
  const followed = [...programs.values()].map((p) => followHelpers(p, helpers, budget));
  const limit = budget.unfollowed.length
    ? [{ rule: 'parse-limit' as const, message: `The kfunc calls made through header helpers of ${budget.unfollowed.length} program(s) were not checked (${budget.unfollowed.slice(0, 3).map((n) => `\`${n}\``).join(', ')}${budget.unfollowed.length > 3 ? ` and ${budget.unfollowed.length - 3} more` : ''}): the programs of this object reach more than the ${KFUNC_CALL_BUDGET.toLocaleString('en-US')} kfunc calls followed per object. Their associations are still analysed.`, location: fileStart(main.file) }]
    : [];
  return changedFacts(main, {
    programs: followed,
    structOpsMaps: [...maps.values()],
    otherMaps: [...new Set(all.flatMap((f) => f.otherMaps))],
    kfuncDecls: all.flatMap((f) => f.kfuncDecls),
    problems: [...all.flatMap((f) => f.problems), ...limit],
    functions: [...functions],
    fragments: fragments.map((f) => f.file),
  });
}

/**
 * A program's calls with the calls of the helpers it reaches in the object's other files: a call
 * to a `static inline` helper of an included header is that helper's kfunc calls.
 */
function followHelpers(p: ProgramFact, helpers: ReadonlyMap<string, NonNullable<BpfObjectFacts['helpers']>[string]>, budget: HelperBudget): ProgramFact {
  if (!helpers.size || !p.kfuncCalls.some((c) => helpers.has(c.name))) return p;
  const calls: KfuncCall[] = [];
  const callbacks = new Set(p.callbacks);
  const seen = new Set<string>([p.name]);
  let over = false;
  const visit = (list: readonly KfuncCall[], via: string | undefined): void => {
    for (const c of list) {
      if (over || --budget.work < 0 || calls.length >= budget.pairs) {
        over = true;
        return;
      }
      const h = helpers.get(c.name);
      if (!h) {
        calls.push(via && !c.via ? viaCopy(c, via, budget) : c);
        continue;
      }
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      const through = via ?? c.via ?? c.name;
      visit(h.calls, through);
      for (const n of [...h.callees, ...h.callbacks]) {
        if (h.callbacks.includes(n)) callbacks.add(n);
        const inner = helpers.get(n);
        if (inner && !seen.has(n)) visit([kfuncCall(n, c.location)], through);
      }
    }
  };
  visit(p.kfuncCalls, undefined);
  if (over) {
    budget.pairs = 0;
    budget.unfollowed.push(p.name);
    return programFact({ ...p, kfuncCalls: p.kfuncCalls.filter((c) => !helpers.has(c.name)), callbacks: [...callbacks] });
  }
  budget.pairs -= calls.length;
  return programFact({ ...p, kfuncCalls: calls, callbacks: [...callbacks] });
}

interface HelperBudget {
  pairs: number;
  work: number;
  /** A helper's call as reached through one `via`: made once, shared by the programs that reach it so. */
  viaCopies: Map<KfuncCall, Map<string, KfuncCall>>;
  unfollowed: string[];
}

function viaCopy(c: KfuncCall, via: string, budget: HelperBudget): KfuncCall {
  let byVia = budget.viaCopies.get(c);
  if (!byVia) budget.viaCopies.set(c, (byVia = new Map()));
  let copy = byVia.get(via);
  if (!copy) byVia.set(via, (copy = kfuncCall(c.name, c.location, via)));
  return copy;
}
