// "Predicted vs observed": what the results view shows for one run, built from the API's
// VmRunResults. One row per object, program, association call and attached map, grouped; one
// column per target (its kernel in the heading). Pure (no vscode), so it is unit-tested; the
// webview renders it (reportHtml.ts).
import type { Location } from '../../../server/src/protocol';
import type { ResultRow, TargetResult, Verdict, VmRunResults } from '../../../remote/src/index';
import { loaderSummary } from '../../../remote/src/results';

export interface ReportColumn {
  target: string;
  kernel: string | null;
  destination: string;
  status: TargetResult['status'];
  /** One line: what happened on this target. */
  message: string;
  /** What ran: "loader executed: …" or "plan replayed: …" (null: the run never got that far). */
  ran: string | null;
  notes: string[];
  timings: string;
  /** Whether the kernel knows BPF_PROG_ASSOC_STRUCT_OPS, when the agent got to probe it. */
  assocCommand: 'supported' | 'missing' | 'unknown' | null;
  errorKind: string | null;
}

export interface ReportCell {
  text: string;
  verdict: Verdict;
  /** Why the cell reads as it does, where the value alone does not say. */
  note?: string;
}

export interface ReportRow {
  key: string;
  kind: ResultRow['kind'];
  label: string;
  location: Location | null;
  /** `file:line` relative to the workspace, for the row's link. */
  where: string;
  predicted: string;
  reason?: string;
  cells: ReportCell[];
}

export interface ReportSection {
  title: string;
  rows: ReportRow[];
}

export interface ReportView {
  title: string;
  object: string;
  shipped: string;
  plan: string;
  planNotes: string[];
  finished: string;
  durationMs: number;
  columns: ReportColumn[];
  sections: ReportSection[];
}

export const VERDICT_TEXT: Record<Verdict, string> = {
  match: 'as predicted',
  mismatch: 'differs from the prediction',
  'kernel-lacks-command': 'kernel lacks the command',
  'not-run': 'not run',
  unpredicted: 'no prediction',
  'not-observable': 'not observable',
  skipped: 'skipped',
};

export const KERNEL_LACKS_NOTE = 'no association: kernel lacks the command (Linux 7.0+)';

function secondsText(ms: number | undefined): string | null {
  return ms === undefined ? null : `${(ms / 1000).toFixed(1)} s`;
}

export function timingsText(t: TargetResult['timings']): string {
  const parts: [string, number | undefined][] = [['boot', t.bootMs], ['loader build', t.loaderBuildMs], ['connect', t.connectMs], ['upload', t.uploadMs], ['build', t.buildMs], ['run', t.runMs], ['total', t.totalMs]];
  return parts.flatMap(([name, ms]) => (ms === undefined ? [] : [`${name} ${secondsText(ms)}`])).join(' · ');
}

export function relativePath(file: string, roots: readonly string[]): string {
  const root = roots.filter((r) => file.startsWith(r.endsWith('/') ? r : `${r}/`)).sort((a, b) => b.length - a.length)[0];
  return root === undefined ? file : file.slice(root.length).replace(/^\/+/, '');
}

function column(t: TargetResult): ReportColumn {
  return {
    target: t.target,
    kernel: t.kernel ?? t.report?.kernel.release ?? null,
    destination: t.destination,
    status: t.status,
    message: t.message,
    ran: loaderSummary(t),
    notes: t.notes,
    timings: timingsText(t.timings),
    assocCommand: t.report?.kernel.assocCommand ?? null,
    errorKind: t.error?.kind ?? null,
  };
}

function cell(row: ResultRow, col: ReportColumn): ReportCell {
  const observed = row.observed[col.target];
  if (!observed) return { text: '', verdict: 'not-run' };
  const c: ReportCell = { text: observed.value, verdict: observed.verdict };
  // On a kernel without the command nothing is associated, automatically or explicitly: say so
  // where the agent could only see that the program loaded.
  if (row.kind === 'program' && observed.verdict === 'not-observable' && col.assocCommand === 'missing') c.note = KERNEL_LACKS_NOTE;
  return c;
}

const SECTIONS: [ResultRow['kind'], string][] = [
  ['object', 'Object'],
  ['program', 'Programs'],
  ['call', 'Association calls'],
  ['attach', 'Attached struct_ops maps'],
];

function planText(r: VmRunResults, roots: readonly string[]): string {
  const p = r.plan;
  if (p.mode === 'loader' && p.loader) return `replays the association calls of ${relativePath(p.loader, roots)}`;
  if (p.mode === 'associate-all') return 'associates every non-struct_ops program with one map, as SCX_OPS_LOAD() does';
  return 'loads the object (no loader associates its programs)';
}

export function reportView(r: VmRunResults, meta: { finished: string; durationMs: number; roots: readonly string[] }): ReportView {
  const columns = r.targets.map(column);
  const sections = SECTIONS.map(([kind, title]) => ({
    title,
    rows: r.rows
      .filter((row) => row.kind === kind)
      .map((row) => ({
        key: row.key,
        kind: row.kind,
        label: row.label,
        location: row.location,
        where: row.location ? `${relativePath(row.location.file, meta.roots)}:${row.location.range.start.line + 1}` : '',
        predicted: row.predicted,
        ...(row.reason ? { reason: row.reason } : {}),
        cells: columns.map((c) => cell(row, c)),
      })),
  })).filter((s) => s.rows.length > 0);
  return {
    title: `VM run: ${r.object}`,
    object: r.object,
    shipped: relativePath(r.plan.shipped.path, meta.roots),
    plan: planText(r, meta.roots),
    planNotes: [...r.plan.notes, ...r.plan.skipped.map((s) => `Not replayed (${relativePath(s.location.file, meta.roots)}:${s.location.range.start.line + 1}): ${s.why}.`)],
    finished: meta.finished,
    durationMs: meta.durationMs,
    columns,
    sections,
  };
}

/** Counts of verdicts in one column, for its heading: `2 as predicted · 1 kernel lacks the command`. */
export function columnSummary(view: ReportView, index: number): string {
  const counts = new Map<Verdict, number>();
  for (const s of view.sections) for (const row of s.rows) {
    const v = row.cells[index]?.verdict;
    if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const order: Verdict[] = ['mismatch', 'match', 'kernel-lacks-command', 'not-observable', 'unpredicted', 'skipped', 'not-run'];
  return order.filter((v) => counts.has(v)).map((v) => `${counts.get(v)} ${VERDICT_TEXT[v]}`).join(' · ');
}
