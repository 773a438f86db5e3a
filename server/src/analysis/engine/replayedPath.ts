// The one path a replay of a scenario follows when its loader's paths attach different maps: a
// VM run of the plan (remote/src/plan.ts) attaches that path's maps, never the union of every
// path's (which would make states no path predicts: a program poisoned by two maps that no path
// attaches together).
import type { LoaderPath } from '../loader/paths';
import type { ScenarioOutcome } from './scenario';

export interface ReplayedPath {
  /** The path's condition, as the model says it (`\`use_b\` (in start() of main.c)`). */
  when: string;
  /** The struct_ops maps it attaches. */
  attaches: string[];
  /** Its programs whose autoload is off, and its maps whose autocreate is off (the run sets them so). */
  notLoaded: string[];
  notCreated: string[];
}

/**
 * Null when every path attaches the same maps. Otherwise the first path that poisons a program
 * (the one the model's warning is about), else the first path.
 */
export function replayedPath(runs: readonly { path: LoaderPath; out: ScenarioOutcome }[], describe: (run: { path: LoaderPath; out: ScenarioOutcome }) => string | null): ReplayedPath | null {
  const attachedBy = (out: ScenarioOutcome): string[] => [...out.maps].filter(([, m]) => m.attached).map(([name]) => name);
  const first = runs[0];
  if (!first) return null;
  const key = attachedBy(first.out).join(',');
  if (runs.every((r) => attachedBy(r.out).join(',') === key)) return null;
  const lead = runs.find((r) => [...r.out.programs.values()].some((p) => p.association.state === 'poisoned')) ?? first;
  return {
    when: describe(lead) ?? 'one of its paths',
    attaches: attachedBy(lead.out),
    notLoaded: [...lead.out.programs].filter(([, p]) => !p.autoload).map(([name]) => name),
    notCreated: [...lead.out.maps].filter(([, m]) => !m.autocreate).map(([name]) => name),
  };
}
