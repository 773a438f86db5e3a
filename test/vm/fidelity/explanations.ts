// Every disagreement the fidelity run may show, explained: which of the fixture, the analysis and
// the kernel is wrong, and what was done about it. The run fails on a disagreement that has no
// entry here, and on an entry that no longer matches anything (so this list stays true).
import type { Disagreement } from './compare';

export interface Explanation {
  fixture: string;
  object?: string;
  /** Row key ("program:NAME", "call:INDEX", "object"); absent: every row of the object. */
  key?: string;
  target?: string;
  cause: 'fixture' | 'analysis' | 'kernel patch' | 'test kernel is not 7.0' | 'stock kernel';
  text: string;
}

export const EXPLANATIONS: Explanation[] = [];

const fits = (e: Explanation, d: Disagreement): boolean =>
  e.fixture === d.fixture && (e.object === undefined || e.object === d.object) && (e.key === undefined || e.key === d.key) && (e.target === undefined || e.target === d.target);

export function explain(d: Disagreement): Explanation | undefined {
  return EXPLANATIONS.find((e) => fits(e, d));
}

export function unusedExplanations(all: Disagreement[]): Explanation[] {
  return EXPLANATIONS.filter((e) => !all.some((d) => fits(e, d)));
}
