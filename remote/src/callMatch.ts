// Lines up the association calls a loader really made with the calls the analysis predicted.
// A replayed plan reports each call under its plan index; a loader that ran reports calls in the
// order it made them, so each is matched to the first predicted call with the same program, map,
// API and flags that no earlier call took. Calls left over — a call made again in a loop, or one
// the analysis could not name — get rows of their own and no prediction. Pure.
import type { PlannedAssociation } from './plan';
import type { ReportAssociation } from './report';

export interface ExtraCall {
  /** Row key: "observed:N", N the call's position among the loader's calls. */
  key: string;
  call: ReportAssociation;
  /** The predicted call it repeats (same program, map, API and flags), if any. */
  repeats: PlannedAssociation | null;
}

export interface MatchedCalls {
  byPlanned: Map<number, ReportAssociation>;
  extras: ExtraCall[];
}

const same = (p: PlannedAssociation, a: ReportAssociation): boolean => p.program === a.program && p.map === a.map && p.api === a.api && p.flags === a.flags;

export function matchCalls(planned: PlannedAssociation[], observed: ReportAssociation[], loaderRan: boolean): MatchedCalls {
  const byPlanned = new Map<number, ReportAssociation>();
  const extras: ExtraCall[] = [];
  if (!loaderRan) {
    for (const p of planned) {
      const a = observed.find((x) => x.index === p.index);
      if (a) byPlanned.set(p.index, a);
    }
    return { byPlanned, extras };
  }
  for (const a of observed) {
    const free = planned.find((p) => same(p, a) && !byPlanned.has(p.index));
    if (free) byPlanned.set(free.index, a);
    else extras.push({ key: `observed:${a.index}`, call: a, repeats: planned.find((p) => same(p, a)) ?? null });
  }
  return { byPlanned, extras };
}
