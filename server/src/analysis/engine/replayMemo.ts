// An object's replays kept from one model to the next while everything they read is the same:
// after an edit in one file only the objects it concerns are replayed again. The replay reads the
// object's facts (compared by identity: the workspace keeps a file's facts until it changes), its
// loaders' lifecycles and paths (the actions are the loader facts' own), the dependent kfuncs (by
// content) and the struct_ops maps of other objects it asked for (asked again, by identity).
import type { BpfObjectFacts, StructOpsMapFact } from '../facts';
import type { DependentKfunc } from '../kfuncs';
import type { LinkedLoader, LinkedObject } from './link';
import type { ReplayOutcome } from './pathReplay';

type Foreign = { object: string; map: StructOpsMapFact } | undefined;
type ForeignLookup = (skeleton: string, name: string) => Foreign;

interface Memo {
  refs: unknown[];
  kfuncs: string;
  asked: { skeleton: string; name: string; answer: Foreign }[];
  outcomes: ReplayOutcome[];
}

const memos = new WeakMap<BpfObjectFacts, Memo>();

/** What the replay of a loader's lifecycle reads of it, flattened (objects compared by identity). */
function loaderRefs(l: LinkedLoader, out: unknown[]): void {
  out.push(l.facts, l.truncated, l.where, l.lifecycle?.index, l.lifecycle?.label, l.actions.length, ...l.actions, l.paths.length);
  for (const p of l.paths) {
    out.push(p.givesUp, p.actions.length, ...p.actions, p.when.length);
    for (const w of p.when) out.push(w.length, ...w);
    out.push(p.checked?.length ?? 0);
    for (const c of p.checked ?? []) out.push(c.action, c.succeeded);
  }
}

/** The dependent kfuncs as one string: two builds with the same list replay alike. */
export function kfuncsKey(kfuncs: ReadonlyMap<string, DependentKfunc>): string {
  return JSON.stringify([...kfuncs]);
}

function sameRefs(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameForeign(a: Foreign, b: Foreign): boolean {
  return a === b || (a !== undefined && b !== undefined && a.object === b.object && a.map === b.map);
}

/**
 * The object's replays (one per loader lifecycle, or one with no loader): those of the last build
 * when nothing they read changed, else `replay` run again with a foreign-map lookup that records
 * what it was asked.
 */
export function replaysOf(
  o: LinkedObject,
  truth: BpfObjectFacts,
  loaders: readonly LinkedLoader[],
  kfuncs: string,
  foreign: ForeignLookup,
  replay: (foreign: ForeignLookup) => ReplayOutcome[],
): ReplayOutcome[] {
  const refs: unknown[] = [o.id, o.source, loaders.length];
  for (const l of loaders) loaderRefs(l, refs);
  const memo = memos.get(truth);
  if (memo && memo.kfuncs === kfuncs && sameRefs(memo.refs, refs) && memo.asked.every((q) => sameForeign(foreign(q.skeleton, q.name), q.answer))) return memo.outcomes;
  const asked: Memo['asked'] = [];
  const outcomes = replay((skeleton, name) => {
    const answer = foreign(skeleton, name);
    asked.push({ skeleton, name, answer });
    return answer;
  });
  memos.set(truth, { refs, kfuncs, asked, outcomes });
  return outcomes;
}
