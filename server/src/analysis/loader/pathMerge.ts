// Merging the loader reader's paths: paths that do the same from here on become one (the
// decisions they differ in are dropped), and no more than MAX_PATHS stay alive.
import type { LoaderAction } from '../facts';
import type { StepReader } from './flowApi';
import { MAX_PATHS } from './paths';
import type { PathState } from './pathState';

/** Merges states that do the same from here on; the decisions they differ in are dropped. */
export function mergePaths(states: PathState[], reader: StepReader, actionKey: (a: LoaderAction) => string): PathState[] {
  if (states.length < 2) return states;
  // Most paths alive together differ in how they left (one returned, one goes on): then no two
  // can merge, and the whole signatures are not needed.
  if (states.length <= MAX_PATHS) {
    const heads = new Set<string>();
    for (const s of states) heads.add(s.signatureHead());
    if (heads.size === states.length) return states;
  }
  const seen = new Map<string, PathState>();
  for (const s of states) {
    const sig = s.signature(actionKey);
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
