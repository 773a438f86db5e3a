// A loader that opens a skeleton more than once — a test file with one function per case, or a
// tool that reloads — runs independent lifecycles: each open starts one. What one lifecycle sets
// (autoload, autocreate, slots) and calls does not carry into the next.
import type { LoaderAction } from '../facts';

export interface Lifecycle {
  actions: LoaderAction[];
  /** 0-based, in the order of the opens; absent when the loader opens the skeleton once. */
  index?: number;
  /** Says which one: `in test_load()`, `in main(), open 2`. */
  label?: string;
}

const opens = (a: LoaderAction): boolean => a.kind === 'open' || a.kind === 'open_and_load';

/**
 * Splits a loader's actions (for one skeleton, in file order) at each open. Actions in functions
 * that open nothing themselves (helpers taking the skeleton as an argument) belong to every
 * lifecycle; actions before the first open of a function that opens belong to its first one.
 */
export function splitLifecycles(actions: LoaderAction[]): Lifecycle[] {
  const openActions = actions.filter(opens);
  if (openActions.length < 2) return [{ actions }];
  const opening = new Set(openActions.map((a) => a.inFunction));
  // Each action joins the lifecycle of the open before it in its function (or, before the
  // function's first open, of that first open).
  const segment = new Map<LoaderAction, number>();
  const lastOpen = new Map<string, number>();
  const waiting = new Map<string, LoaderAction[]>();
  let index = -1;
  for (const a of actions) {
    if (!opening.has(a.inFunction)) continue;
    if (opens(a)) {
      index++;
      lastOpen.set(a.inFunction, index);
      for (const w of waiting.get(a.inFunction) ?? []) segment.set(w, index);
      waiting.delete(a.inFunction);
      segment.set(a, index);
      continue;
    }
    const last = lastOpen.get(a.inFunction);
    if (last !== undefined) segment.set(a, last);
    else waiting.set(a.inFunction, [...(waiting.get(a.inFunction) ?? []), a]);
  }
  const perFunction = new Map<string, number>();
  return openActions.map((open, index) => {
    const nth = (perFunction.get(open.inFunction) ?? 0) + 1;
    perFunction.set(open.inFunction, nth);
    const several = openActions.filter((o) => o.inFunction === open.inFunction).length > 1;
    return {
      index,
      label: `in ${open.inFunction}()${several ? `, open ${nth}` : ''}`,
      actions: actions.filter((a) => !segment.has(a) || segment.get(a) === index),
    };
  });
}
