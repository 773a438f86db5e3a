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
    fixture: 'cases/raw-api',
    key: 'program:ops_test_1',
    target: 'local',
    cause: 'analysis',
    text:
      "raw_loader.c runs `err = err ?: associate(skel); err = err ?: raw__attach(skel);`. The reader forks at each `?:` (the attach runs only where err is 0), " +
      'but a loader call\'s predicted errno is not fed back into the path\'s values: associate() returns bpf_prog_assoc_struct_ops() with flags 0x2, predicted EINVAL ' +
      '(call row agrees), so on the real run err is -EINVAL and raw__attach() is skipped (ops_test_1 none). The analysis keeps the path where associate() returns 0 as the shown one ' +
      '(the skipping path gives up, as at an error check), where raw__attach() associates ops_test_1 with ops.',
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
