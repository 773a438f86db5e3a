// Merging the loader reader's paths: paths that do the same from here on become one (the
// decisions they differ in are dropped), and no more than MAX_PATHS stay alive.
import type { LoaderAction } from '../facts';
import type { StepReader } from './flowApi';
import { MAX_PATHS } from './paths';
import type { PathState, SequenceIds } from './pathState';

/** Two of the states have the same call depth and left alike (only those can merge). */
function sharesHead(states: readonly PathState[]): boolean {
  for (let i = 0; i < states.length; i++) {
    const a = states[i] as PathState;
    for (let j = i + 1; j < states.length; j++) if (a.sameHead(states[j] as PathState)) return true;
  }
  return false;
}

/** Merges states that do the same from here on; the decisions they differ in are dropped. */
export function mergePaths(states: PathState[], reader: StepReader, actionKey: (a: LoaderAction) => string, ids?: SequenceIds): PathState[] {
  if (states.length < 2) return states;
  // Most paths alive together differ in how they left (one returned, one goes on): then no two
  // can merge, and the whole signatures are not needed.
  if (states.length <= MAX_PATHS && !sharesHead(states)) return states;
  const seen = new Map<string, PathState>();
  for (const s of states) {
    const sig = s.signature(actionKey, ids);
    const first = seen.get(sig);
    if (first) first.joinLiterals(s);
    else seen.set(sig, s);
  }
  const out = [...seen.values()];
  if (out.length <= MAX_PATHS) return out;
  // Past the cap: the extra paths end here (what they did so far is kept) and their lifecycles say so.
  for (const s of out.slice(MAX_PATHS)) {
    reader.truncate(s);
    for (const seg of s.segments.values()) seg.givesUp = true;
    for (const skel of [...s.segments.keys()]) reader.closeSegment(s, skel);
  }
  for (const s of out.slice(0, MAX_PATHS)) reader.truncate(s);
  return out.slice(0, MAX_PATHS);
}
