// Lines up the association calls a loader really made with the calls the analysis predicted.
// A replayed plan reports each call under its plan index; a loader that ran reports calls in the
// order it made them, so each is matched to the first predicted call with the same program, map,
// API and flags that no earlier call took. A raw-fd call whose fds name no program or map (the
// recorder writes "fd:N": bpf_program__fd() before load gives -ENOENT) is then matched by position:
// to the first predicted call of the same API and flags that no call took. A call of a later
// lifecycle (the loader opens the skeleton again) is matched the same way against the loader's
// later calls. Calls left over — a call made again in a loop, or one the analysis could not name —
// get rows of their own and no prediction. Pure.
import type { PlannedAssociation } from './plan';
import type { ReportAssociation } from './report';

export interface ExtraCall {
  /** Row key: "observed:N", N the call's position among the loader's calls. */
  key: string;
  call: ReportAssociation;
  /** The predicted call it repeats (same program, map, API and flags), if any. */
  repeats: PlannedAssociation | null;
  /** The predicted call of a later lifecycle it is (its prediction applies), if any. */
  predictedBy?: PlannedAssociation;
}

export interface MatchedCalls {
  byPlanned: Map<number, ReportAssociation>;
  extras: ExtraCall[];
}

const same = (p: PlannedAssociation, a: ReportAssociation): boolean => p.program === a.program && p.map === a.map && p.api === a.api && p.flags === a.flags;
/** The recorder names a raw fd it could not tie to a program or map "fd:N". */
const unnamed = (a: ReportAssociation): boolean => a.program.startsWith('fd:') || a.map.startsWith('fd:');
const samePosition = (p: PlannedAssociation, a: ReportAssociation): boolean => unnamed(a) && p.api === a.api && p.flags === a.flags;

/** Pairs observed calls with predicted ones: by name first, in order, then unnamed ones by position. */
function pair(planned: PlannedAssociation[], observed: ReportAssociation[]): Map<number, ReportAssociation> {
  const byPlanned = new Map<number, ReportAssociation>();
  const taken = new Set<ReportAssociation>();
  for (const a of observed) {
    const free = planned.find((p) => same(p, a) && !byPlanned.has(p.index));
    if (free) {
      byPlanned.set(free.index, a);
      taken.add(a);
    }
  }
  for (const a of observed) {
    if (taken.has(a)) continue;
    const free = planned.find((p) => samePosition(p, a) && !byPlanned.has(p.index));
    if (free) {
      byPlanned.set(free.index, a);
      taken.add(a);
    }
  }
  return byPlanned;
}

export function matchCalls(planned: PlannedAssociation[], observed: (ReportAssociation & { lifecycle?: number })[], loaderRan: boolean, later: PlannedAssociation[] = []): MatchedCalls {
  const extras: ExtraCall[] = [];
  if (!loaderRan) {
    const byPlanned = new Map<number, ReportAssociation>();
    for (const p of planned) {
      const a = observed.find((x) => x.index === p.index);
      if (a) byPlanned.set(p.index, a);
    }
    return { byPlanned, extras };
  }
  const first = observed.filter((a) => (a.lifecycle ?? 0) === 0);
  const byPlanned = pair(planned, first);
  const laterMatched = pair(later, observed.filter((a) => (a.lifecycle ?? 0) > 0));
  const predictedBy = new Map<ReportAssociation, PlannedAssociation>();
  for (const [index, a] of laterMatched) {
    const p = later.find((x) => x.index === index);
    if (p) predictedBy.set(a, p);
  }
  const matched = new Set(byPlanned.values());
  for (const a of observed) {
    if (matched.has(a)) continue;
    const by = predictedBy.get(a);
    extras.push({ key: `observed:${a.index}`, call: a, repeats: by ? null : (planned.find((p) => same(p, a)) ?? later.find((p) => same(p, a)) ?? null), ...(by ? { predictedBy: by } : {}) });
  }
  return { byPlanned, extras };
}
