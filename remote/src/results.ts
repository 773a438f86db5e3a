// "Predicted vs observed": one row per object, program, association call and attached map, one
// column per target (kernel). Pure: built from the plan and each target's outcome.
import type { Location } from '../../server/src/analysis/facts';
import { escapeControls } from '../../server/src/output/escape';
import type { VmErrorKind } from './errors';
import { matchCalls } from './callMatch';
import type { PlannedProgram, VmPlan } from './plan';
import { callVerdict, observedResult, type AgentReport, type CallVerdict, type ReportAssociation } from './report';

export type Verdict = CallVerdict | 'not-observable' | 'skipped';

export interface Timings {
  bootMs?: number;
  connectMs?: number;
  uploadMs?: number;
  buildMs?: number;
  /** Building the user's loader here (once per run, shared by the targets). */
  loaderBuildMs?: number;
  runMs?: number;
  totalMs: number;
}

export interface TargetResult {
  target: string;
  /** `user@host:port` as ssh resolved it. */
  destination: string;
  status: 'completed' | 'load-failed' | 'error' | 'cancelled';
  /** One line for the user: what happened on this target. */
  message: string;
  error?: { kind: VmErrorKind; message: string; detail: string };
  report?: AgentReport;
  /** Kernel release (also in the report), for the column header even when the run failed late. */
  kernel?: string;
  notes: string[];
  timings: Timings;
  transcript: string[];
}

export interface ObservedCell {
  value: string;
  verdict: Verdict;
}

export interface ResultRow {
  kind: 'object' | 'program' | 'call' | 'attach';
  key: string;
  label: string;
  location: Location | null;
  predicted: string;
  reason?: string;
  observed: Record<string, ObservedCell>;
}

function predictedState(p: PlannedProgram): string {
  return p.maps.length ? `${p.predicted}(${p.maps.join(', ')})` : p.predicted;
}

/** The observed state a prediction amounts to: what the kernel holds for the program afterwards. */
export function expectedObservation(p: PlannedProgram): string {
  if (p.predicted === 'auto' || p.predicted === 'explicit') return `associated(${p.maps[0] ?? ''})`;
  if (p.predicted === 'poisoned') return 'poisoned';
  return 'none';
}

function programCell(p: PlannedProgram, plan: VmPlan, r: AgentReport): ObservedCell {
  const seen = r.programs.find((x) => x.name === p.name);
  if (!seen) return { value: 'not in the object', verdict: 'mismatch' };
  if (!r.object?.load.ok) return { value: 'not loaded (the object failed to load)', verdict: p.predicted === 'not-loaded' ? 'match' : 'not-run' };
  if (p.predicted === 'not-loaded') return { value: seen.loaded ? `loaded (id ${seen.id ?? '?'})` : 'not loaded', verdict: seen.loaded ? 'mismatch' : 'match' };
  if (!seen.loaded) return { value: 'not loaded', verdict: 'mismatch' };
  const a = seen.association;
  if (!a) return { value: `loaded (id ${seen.id ?? '?'}); association not observable`, verdict: 'not-observable' };
  const value = a.state === 'associated' ? `associated(${a.map ?? `map id ${a.mapId ?? '?'}`})` : a.state;
  // An automatic association needs its maps updated: where attaching is off, the prediction does not apply.
  // (A loader that ran attached what it attached: its programs' states are judged as they are.)
  const unattached = p.kind === 'struct_ops' && !r.loader?.executed ? p.maps.filter((m) => plan.attach.some((x) => x.map === m) && !r.attachments.some((x) => x.map === m && x.performed)) : [];
  if (unattached.length) return { value: `${value} (${unattached.join(', ')} not attached here)`, verdict: 'skipped' };
  // The run takes one of the loader's paths: the one its attachments show, when they tell;
  // otherwise a state that any of the paths predicts is as predicted on that path.
  const taken = r.loader?.executed ? takenPath(p, r) : null;
  const paths = taken ? [taken] : (p.paths ?? []);
  const path = paths.find((x) => expectedObservation({ ...p, predicted: x.predicted, maps: x.maps }) === value);
  if (path) return { value: `${value} (as predicted on the path where ${path.when}${taken ? ', the one the run took' : ''})`, verdict: 'match' };
  if (taken) return { value: `${value} (the run took the path where ${taken.when}: ${expectedObservation({ ...p, predicted: taken.predicted, maps: taken.maps })} predicted there)`, verdict: 'mismatch' };
  if (value === expectedObservation(p)) return { value: p.when && p.paths?.length ? `${value} (as predicted on the path where ${p.when})` : value, verdict: 'match' };
  return { value, verdict: 'mismatch' };
}

/**
 * The loader path a run took, as far as the maps it attached tell: when every path of the program
 * associates it automatically through maps, the one path whose maps are exactly those of its maps
 * the run attached. Null when the attachments do not tell.
 */
function takenPath(p: PlannedProgram, r: AgentReport): NonNullable<PlannedProgram['paths']>[number] | null {
  const paths = p.paths ?? [];
  if (paths.length < 2 || !paths.every((x) => (x.predicted === 'auto' || x.predicted === 'poisoned') && x.maps.length)) return null;
  const relevant = new Set(paths.flatMap((x) => x.maps));
  const attached = new Set(r.attachments.filter((x) => x.performed && x.ok && relevant.has(x.map)).map((x) => x.map));
  const fits = paths.filter((x) => x.maps.length === attached.size && x.maps.every((m) => attached.has(m)));
  return fits.length === 1 ? (fits[0] ?? null) : null;
}

/** The cells of one target's column, keyed like the rows. */
export function observedCells(plan: VmPlan, result: TargetResult): Map<string, ObservedCell> {
  const cells = new Map<string, ObservedCell>();
  const r = result.report;
  const failed: ObservedCell = { value: result.status === 'cancelled' ? 'cancelled' : `not run: ${result.error?.kind ?? result.status}`, verdict: 'not-run' };
  if (!r) {
    for (const key of rowKeys(plan)) cells.set(key, failed);
    return cells;
  }
  const load = r.object?.load;
  if (r.loader?.executed && r.loader.neverOpened) cells.set('object', { value: `not opened by the loader (${loaderSummary(result) ?? ''})`, verdict: 'mismatch' });
  else cells.set('object', {
    value: load?.ok ? 'loaded' : r.object?.open.ok === false ? `open failed: ${r.object.open.errno}` : `load failed: ${load?.errno ?? '?'}`,
    verdict: !load?.attempted && r.object?.open.ok !== false ? 'not-run' : (load?.ok ?? false) === !plan.loadFails ? 'match' : 'mismatch',
  });
  for (const p of plan.programs) cells.set(`program:${p.name}`, programCell(p, plan, r));
  const ran = r.loader?.executed === true;
  const { byPlanned, extras } = matchCalls(plan.associations, r.associations, ran, plan.laterCalls);
  for (const a of plan.associations) {
    const seen = byPlanned.get(a.index);
    // The loader ran to its end and never made this call: the analysis foresaw a call that does not happen.
    if (!seen && ran && load?.ok && !r.cancelled) cells.set(`call:${a.index}`, { value: 'not made by the loader', verdict: 'mismatch' });
    else cells.set(`call:${a.index}`, callCell(a.predicted.result, seen, r));
  }
  for (const x of extras) cells.set(x.key, callCell(x.predictedBy?.predicted.result ?? 'unknown', x.call, r));
  for (const m of plan.attach) {
    const seen = r.attachments.find((x) => x.map === m.map);
    cells.set(
      `attach:${m.map}`,
      !seen && ran ? (!load?.ok || r.cancelled ? { value: 'not run', verdict: 'not-run' } : { value: r.loader?.executed && r.loader.attachError ? `attach failed: ${r.loader.attachError}` : 'not attached by the loader', verdict: 'mismatch' })
      : !seen ? { value: 'not attached (not allowed on this target)', verdict: 'skipped' }
      : !seen.performed ? { value: 'not run', verdict: 'not-run' }
      : seen.ok ? { value: 'attached', verdict: 'match' }
      : { value: `attach failed: ${seen.errno ?? '?'}`, verdict: 'mismatch' },
    );
  }
  return cells;
}

function callCell(predicted: VmPlan['associations'][number]['predicted']['result'], seen: ReportAssociation | undefined, r: AgentReport): ObservedCell {
  const verdict = callVerdict(predicted, seen, r.kernel);
  const observed = seen ? observedResult(seen) : null;
  const value = observed === null ? 'not run' : verdict === 'kernel-lacks-command' ? 'EINVAL (kernel lacks the command)' : `${observed}${seen?.answeredBy === 'libbpf' ? ' (libbpf)' : ''}`;
  return { value, verdict };
}

const API_NAME: Record<string, string> = { libbpf: 'bpf_program__assoc_struct_ops', syscall: 'bpf_prog_assoc_struct_ops' };

/** Rows for calls a loader made that no predicted call accounts for (made again in a loop, or not foreseen). */
function extraCallRows(plan: VmPlan, results: TargetResult[]): Omit<ResultRow, 'observed'>[] {
  const rows = new Map<string, Omit<ResultRow, 'observed'>>();
  for (const t of results) {
    const r = t.report;
    if (r?.loader?.executed !== true) continue;
    for (const x of matchCalls(plan.associations, r.associations, true, plan.laterCalls).extras) {
      if (rows.has(x.key)) continue;
      const c = x.call;
      const by = x.predictedBy;
      rows.set(x.key, {
        kind: 'call',
        key: x.key,
        label: `${API_NAME[c.api] ?? c.api}(${c.program}, ${c.map}${c.flags ? `, flags=${c.flags}` : ''})${x.repeats ? ' again' : ''}`,
        location: by?.source.location ?? x.repeats?.source.location ?? null,
        predicted: by ? String(by.predicted.result) : 'no prediction',
        reason: by
          ? `${by.predicted.reason} (a later lifecycle of the loader: call ${c.index + 1})`
          : x.repeats ? `the analysis saw this call once; the loader made it again (call ${c.index + 1})` : `the analysis did not foresee this call (call ${c.index + 1} of the loader)`,
      });
    }
  }
  return [...rows.values()];
}

/** What ran on a target: the user's loader, or the plan replayed (and why). */
export function loaderSummary(t: TargetResult): string | null {
  const l = t.report?.loader;
  if (!l) return t.report ? 'plan replayed (agent without loader support)' : null;
  if (!l.executed) return `plan replayed${l.why ? `: ${l.why}` : ''}`;
  const end =
    l.stoppedBy === 'cancel' ? 'stopped by Cancel'
    : l.stoppedBy === 'time-budget' ? `ran for its ${Math.round(l.budgetMs / 1000)} s budget, then stopped with SIGINT${l.signal ? ` (ended by signal ${l.signal})` : ''}`
    : l.exitStatus !== null ? `exit status ${l.exitStatus}`
    : `killed by signal ${l.signal ?? '?'}`;
  return `loader executed: ${l.file.slice(l.file.lastIndexOf('/') + 1)} (${end}; libbpf ${l.libbpf ?? '?'})`;
}

function rowKeys(plan: VmPlan): string[] {
  return ['object', ...plan.programs.map((p) => `program:${p.name}`), ...plan.associations.map((a) => `call:${a.index}`), ...plan.attach.map((m) => `attach:${m.map}`)];
}

/** Rows with one observed column per target, in the plan's order. */
export function sideBySide(plan: VmPlan, results: TargetResult[]): ResultRow[] {
  const columns = results.map((r) => [r.target, observedCells(plan, r)] as const);
  const observed = (key: string): Record<string, ObservedCell> => Object.fromEntries(columns.map(([name, cells]) => [name, cells.get(key) ?? { value: '', verdict: 'not-run' as const }]));
  const rows: ResultRow[] = [{ kind: 'object', key: 'object', label: `object ${plan.object}`, location: null, predicted: plan.loadFails ? 'fails to load' : 'loads', observed: observed('object') }];
  for (const p of plan.programs) {
    rows.push({ kind: 'program', key: `program:${p.name}`, label: p.name, location: p.location, predicted: predictedState(p), observed: observed(`program:${p.name}`) });
  }
  for (const a of plan.associations) {
    const call = a.source.api === 'associate-all' ? 'associate-all' : a.source.api;
    rows.push({
      kind: 'call',
      key: `call:${a.index}`,
      label: `${call}(${a.program}, ${a.map}${a.flags ? `, flags=${a.flags}` : ''})`,
      location: a.source.location,
      predicted: String(a.predicted.result),
      reason: a.predicted.reason,
      observed: observed(`call:${a.index}`),
    });
  }
  for (const x of extraCallRows(plan, results)) rows.push({ ...x, observed: observed(x.key) });
  for (const m of plan.attach) rows.push({ kind: 'attach', key: `attach:${m.map}`, label: `attach ${m.map}`, location: m.location, predicted: 'attached', observed: observed(`attach:${m.map}`) });
  return rows;
}

const MARK: Record<Verdict, string> = { match: '=', mismatch: '≠', 'kernel-lacks-command': '∅', 'not-run': '-', unpredicted: '?', 'not-observable': '·', skipped: '-' };

/** A plain-text table for a terminal: predicted, then one column per target. */
export function formatTable(plan: VmPlan, results: TargetResult[]): string {
  const rows = sideBySide(plan, results);
  const header = ['', 'predicted (Linux 7.0+)', ...results.map((r) => `${r.target}${r.kernel ? ` [${r.kernel}]` : ''}`)];
  const body = rows.map((row) => [row.label, row.predicted, ...results.map((r) => {
    const c = row.observed[r.target];
    return c ? `${MARK[c.verdict]} ${c.value}` : '';
  })]);
  // Names, messages and notes come from the workspace, the targets file and the target: escaped.
  const cells = [header, ...body].map((line) => line.map(escapeControls));
  const widths = header.map((_, i) => Math.min(48, Math.max(...cells.map((line) => (line[i] ?? '').length))));
  const fmt = (line: string[]): string => line.map((cell, i) => cell.slice(0, 48).padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [fmt(cells[0] ?? []), fmt(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(fmt), ''];
  for (const r of results) {
    const ran = loaderSummary(r);
    out.push(escapeControls(`${r.target}: ${r.message}`), ...(ran ? [`  ${escapeControls(ran)}`] : []), ...r.notes.map((n) => `  ${escapeControls(n)}`));
  }
  out.push('', 'legend: = as predicted, ≠ differs, ∅ kernel lacks the command, · not observable on this kernel, - not run or skipped, ? no prediction');
  return out.join('\n') + '\n';
}

export interface VmDiagnostic {
  /** Where it belongs: the association call, or the program's definition. */
  location: Location;
  severity: 'error' | 'warning' | 'info';
  message: string;
  target: string;
  /** The row's key ("call:0", "program:NAME"). */
  row: string;
}

/** One diagnostic per call and program row with a location, per target (source "bpf-assoc VM" in the editor). */
export function vmDiagnostics(rows: ResultRow[], results: TargetResult[]): VmDiagnostic[] {
  const out: VmDiagnostic[] = [];
  for (const row of rows) {
    if (!row.location || (row.kind !== 'call' && row.kind !== 'program')) continue;
    for (const r of results) {
      const c = row.observed[r.target];
      if (!c || c.verdict === 'not-run' || c.verdict === 'skipped' || c.verdict === 'not-observable') continue;
      const on = `On ${r.target}${r.kernel ? ` (${r.kernel})` : ''}`;
      const message =
        c.verdict === 'kernel-lacks-command'
          ? `${on}: ${row.label} got EINVAL because the kernel lacks BPF_PROG_ASSOC_STRUCT_OPS; it needs Linux 7.0 or later, where the analysis predicts ${row.predicted}.`
          : c.verdict === 'mismatch'
            ? `${on}: ${row.label} gave ${c.value}, but the analysis predicted ${row.predicted}${row.reason ? ` (${row.reason})` : ''}.`
            : c.verdict === 'unpredicted'
              ? `${on}: ${row.label} gave ${c.value}; the analysis made no prediction for it${row.reason ? ` (${row.reason})` : ''}.`
              : `${on}: ${row.label} gave ${c.value}, as predicted.`;
      out.push({ location: row.location, severity: c.verdict === 'mismatch' ? 'warning' : 'info', message, target: r.target, row: row.key });
    }
  }
  return out;
}
