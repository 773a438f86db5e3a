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
    fixture: 'cases/loader-runtime-names',
    cause: 'fixture',
    text:
      "The loader takes the names of the maps to create and attach from its command line (as the kernel's HID selftests' " +
      'load_programs() takes them from the test), and the VM runs a loader without arguments: it returns before opening ' +
      'the object, so nothing is loaded. The analysis reads what the loader does with names given at run time (any of ' +
      "the object's maps, a poisoning only as a note); no single run without arguments can show that.",
  },
  ...(['probe_eth', 'probe_raw'] as const).map(
    (program): Explanation => ({
      fixture: 'cases/loader-runtime-values',
      key: `program:${program}`,
      target: 'local',
      cause: 'analysis',
      text:
        'The loader passes `argc > 1` as `has_eth`; a VM run passes no arguments, so the real loader takes the ' +
        '`!has_eth` path (probe_raw loaded, probe_eth not). The prediction for a run of the real loader is the ' +
        "model's headline state, its first path's (`has_eth`: probe_eth loaded, probe_raw not), not the path " +
        'that a run without arguments takes: choosing the path consistent with the run (argc == 1) is not done yet.',
    }),
  ),
];

const fits = (e: Explanation, d: Disagreement): boolean =>
  e.fixture === d.fixture && (e.object === undefined || e.object === d.object) && (e.key === undefined || e.key === d.key) && (e.target === undefined || e.target === d.target);

export function explain(d: Disagreement): Explanation | undefined {
  return EXPLANATIONS.find((e) => fits(e, d));
}

export function unusedExplanations(all: Disagreement[]): Explanation[] {
  return EXPLANATIONS.filter((e) => !all.some((d) => fits(e, d)));
}
