// Predicted vs observed for the fidelity run: one row per program and association call of every
// runnable fixture object, one cell per target, each cell classified for the tally. The built-in
// target "local" (Debian's Linux 7.3 with the selftests' bpf_testmod.ko, associations read back
// with the agent's bpf_prog iterator) is the oracle: every cell there must equal the prediction. A stock kernel (before 7.0)
// is compared where it can be: its EINVAL to command 38 and its silence about associations are
// expected, and an object that needs a type or kfunc it lacks does not load there.
import type { ResultRow, TargetResult, VmRunResults } from '../../../remote/src/index';
import { kernelLacks } from '../../../remote/src/report';

export const ORACLE = 'local';

export type CellClass =
  | 'agree'
  | 'disagree'
  /** EINVAL from a kernel without command 38 (expected on a stock kernel). */
  | 'lacks-command'
  /** The kernel cannot report the association back (expected on a stock kernel). */
  | 'not-observable'
  /** Not reached on a stock kernel because the object needs a type or kfunc the kernel lacks. */
  | 'kernel-lacks-type';

export interface FidelityCell {
  value: string;
  cls: CellClass;
}

export interface FidelityRow {
  fixture: string;
  object: string;
  key: string;
  kind: 'object' | 'program' | 'call';
  label: string;
  predicted: string;
  cells: Record<string, FidelityCell>;
}

export interface ObjectOutcome {
  fixture: string;
  object: string;
  rows: FidelityRow[];
  targets: Record<string, { kernel: string; status: string; message: string; needs: string | null; runMs: number }>;
  /** libbpf refused to open the object on the oracle kernel: not runnable after all. */
  openFailed: string | null;
  loadFailsPredicted: boolean;
}

function classify(row: ResultRow, target: TargetResult, oracle: boolean, needs: string | null): FidelityCell {
  const c = row.observed[target.target] ?? { value: 'no result', verdict: 'not-run' as const };
  if (oracle) return { value: c.value, cls: c.verdict === 'match' ? 'agree' : 'disagree' };
  // The object did not load for want of a type or kfunc: only calls answered before load compare.
  if (needs && (row.kind !== 'call' || c.verdict === 'not-run')) return { value: row.kind === 'object' ? `load failed: needs ${needs}` : 'not run', cls: 'kernel-lacks-type' };
  if (c.verdict === 'match') return { value: c.value, cls: 'agree' };
  if (c.verdict === 'kernel-lacks-command') return { value: c.value, cls: 'lacks-command' };
  if (c.verdict === 'not-observable') return { value: 'loaded; not observable', cls: 'not-observable' };
  return { value: c.value, cls: 'disagree' };
}

export function compareObject(fixture: string, r: VmRunResults): ObjectOutcome {
  const needsOf = (t: TargetResult): string | null => (t.report?.object && !t.report.object.load.ok ? kernelLacks(t.report.object.libbpfLog) : null);
  const oracle = r.targets.find((t) => t.target === ORACLE);
  const open = oracle?.report?.object?.open;
  const outcome: ObjectOutcome = {
    fixture,
    object: r.object,
    rows: [],
    targets: {},
    openFailed: open && !open.ok ? (oracle?.report?.object?.libbpfLog.trim().split('\n').filter((l) => !/failed to open/.test(l)).pop() ?? open.errno ?? 'error') : null,
    loadFailsPredicted: r.plan.loadFails,
  };
  for (const t of r.targets) {
    outcome.targets[t.target] = { kernel: t.kernel ?? '?', status: t.status, message: t.message, needs: needsOf(t), runMs: t.timings.runMs ?? 0 };
  }
  for (const row of r.rows) {
    if (row.kind !== 'object' && row.kind !== 'program' && row.kind !== 'call') continue;
    const cells: Record<string, FidelityCell> = {};
    for (const t of r.targets) cells[t.target] = classify(row, t, t.target === ORACLE, needsOf(t));
    outcome.rows.push({ fixture, object: r.object, key: row.key, kind: row.kind, label: row.label, predicted: row.predicted, cells });
  }
  return outcome;
}

export interface Tally {
  agree: number;
  compared: number;
  lacksCommand: number;
  notObservable: number;
  kernelLacksType: number;
}

/** Programs and association calls only (the object row is context, not a prediction of association). */
export function tally(outcomes: ObjectOutcome[], target: string): Tally {
  const t: Tally = { agree: 0, compared: 0, lacksCommand: 0, notObservable: 0, kernelLacksType: 0 };
  for (const o of outcomes) {
    if (o.openFailed) continue;
    for (const row of o.rows) {
      const c = row.kind === 'object' ? undefined : row.cells[target];
      if (!c) continue;
      if (c.cls === 'agree' || c.cls === 'disagree') {
        t.compared++;
        if (c.cls === 'agree') t.agree++;
      } else if (c.cls === 'lacks-command') t.lacksCommand++;
      else if (c.cls === 'not-observable') t.notObservable++;
      else t.kernelLacksType++;
    }
  }
  return t;
}

export interface Disagreement {
  fixture: string;
  object: string;
  key: string;
  label: string;
  target: string;
  predicted: string;
  observed: string;
}

export function disagreements(outcomes: ObjectOutcome[]): Disagreement[] {
  const out: Disagreement[] = [];
  for (const o of outcomes) {
    if (o.openFailed) continue;
    for (const row of o.rows) {
      for (const [target, c] of Object.entries(row.cells)) {
        if (c.cls === 'disagree') out.push({ fixture: o.fixture, object: o.object, key: row.key, label: row.label, target, predicted: row.predicted, observed: c.value });
      }
    }
  }
  return out;
}
