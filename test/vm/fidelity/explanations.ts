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

export const EXPLANATIONS: Explanation[] = [
  {
    fixture: 'cases/loader-statement-expr',
    object: 'se',
    key: 'program:shared_prog',
    target: 'local',
    cause: 'analysis',
    text:
      "The loader's second association (probe with ops_b) fails with EBUSY, as predicted, and its CHECK() then exits before either map is attached, so shared_prog is never associated. " +
      'The analysis still predicts auto(ops_a): the loader reader keeps the path on which that checked call succeeded, and the model does not drop a path whose checked association call it predicts to fail. ' +
      'Not fixed yet (it needs the predicted result of a checked call to decide which side of the check is feasible).',
  },
];

const fits = (e: Explanation, d: Disagreement): boolean =>
  e.fixture === d.fixture && (e.object === undefined || e.object === d.object) && (e.key === undefined || e.key === d.key) && (e.target === undefined || e.target === d.target);

export function explain(d: Disagreement): Explanation | undefined {
  return EXPLANATIONS.find((e) => fits(e, d));
}

export function unusedExplanations(all: Disagreement[]): Explanation[] {
  return EXPLANATIONS.filter((e) => !all.some((d) => fits(e, d)));
}
