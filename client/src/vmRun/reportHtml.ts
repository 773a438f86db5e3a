// The results view's page: a static table, no script at all. The content security policy allows
// only our stylesheet; links are command URIs the panel allows one by one (reveal a location,
// show the transcript). Colours come from the theme's CSS variables (media/vmReport.css). Pure:
// view in, HTML out, so the escaping is unit-tested.
import type { Location } from '../../../server/src/protocol';
import { escapeHtml, pageHead } from '../webviewPage';
import { columnSummary, VERDICT_TEXT, type ReportCell, type ReportColumn, type ReportRow, type ReportView } from './reportView';

export const REVEAL_COMMAND = 'bpfAssoc.reveal';
export const TRANSCRIPT_COMMAND = 'bpfAssoc.showVmTranscript';

const MARK: Record<ReportCell['verdict'], string> = { match: '=', mismatch: '≠', 'kernel-lacks-command': '∅', 'not-run': '–', unpredicted: '?', 'not-observable': '·', skipped: '–' };


export function revealHref(location: Location, command = REVEAL_COMMAND): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify([location]))}`;
}

const STATUS_TEXT: Record<ReportColumn['status'], string> = { completed: 'completed', 'load-failed': 'object failed to load', error: 'failed', cancelled: 'cancelled' };

function lines(items: string[], cls: string): string {
  return items.length ? `<ul class="${cls}">${items.map((n) => `<li>${escapeHtml(n).replace(/\n/g, '<br>')}</li>`).join('')}</ul>` : '';
}

function targetCard(view: ReportView, c: ReportColumn, i: number): string {
  const support =
    c.assocCommand === 'supported' ? 'knows BPF_PROG_ASSOC_STRUCT_OPS'
    : c.assocCommand === 'missing' ? 'kernel lacks the command (BPF_PROG_ASSOC_STRUCT_OPS, Linux 7.0+)'
    : c.assocCommand === 'unknown' ? 'support for BPF_PROG_ASSOC_STRUCT_OPS unknown'
    : null;
  return `<section class="target status-${c.status}" data-target="${escapeHtml(c.target)}" aria-label="${escapeHtml(c.target)}">
<h2>${escapeHtml(c.target)}${c.kernel ? ` <span class="kernel">${escapeHtml(c.kernel)}</span>` : ''} <span class="badge">${escapeHtml(STATUS_TEXT[c.status])}</span></h2>
<p class="message">${escapeHtml(c.message)}${c.errorKind ? ` <span class="kind">(${escapeHtml(c.errorKind)})</span>` : ''}</p>
${c.ran ? `<p class="ran">${escapeHtml(c.ran)}</p>` : ''}
${support ? `<p class="support">${escapeHtml(support)}</p>` : ''}
${lines(c.notes, 'notes')}
<p class="facts">${escapeHtml([c.destination, c.timings, columnSummary(view, i)].filter(Boolean).join(' · '))} · <a href="command:${TRANSCRIPT_COMMAND}">Show transcript</a></p>
</section>`;
}

function cellHtml(c: ReportCell, col: ReportColumn): string {
  const verdict = VERDICT_TEXT[c.verdict];
  return `<td class="observed verdict-${c.verdict}" data-target="${escapeHtml(col.target)}" title="${escapeHtml(verdict)}"><span class="mark" aria-hidden="true">${MARK[c.verdict]}</span> ${escapeHtml(c.text)}<span class="visually-hidden"> (${escapeHtml(verdict)})</span>${c.note ? `\n<div class="note">${escapeHtml(c.note)}</div>` : ''}</td>`;
}

function rowHtml(row: ReportRow, columns: ReportColumn[], revealCommand: string): string {
  const label = row.location ? `<a href="${escapeHtml(revealHref(row.location, revealCommand))}" title="Reveal ${escapeHtml(row.where)}">${escapeHtml(row.label)}</a>` : escapeHtml(row.label);
  return `<tr data-row="${escapeHtml(row.key)}">
<th scope="row">${label}${row.where ? `\n<div class="where">${escapeHtml(row.where)}</div>` : ''}</th>
<td class="predicted"${row.reason ? ` title="${escapeHtml(row.reason)}"` : ''}>${escapeHtml(row.predicted)}${row.reason ? `\n<div class="note">${escapeHtml(row.reason)}</div>` : ''}</td>
${row.cells.map((c, i) => cellHtml(c, columns[i] as ReportColumn)).join('\n')}
</tr>`;
}

/** `revealCommand` runs for a row's link with the row's location (default: bpfAssoc.reveal). */
export function reportHtml(view: ReportView, o: { cspSource: string; styleUri: string; revealCommand?: string }): string {
  const width = 2 + view.columns.length;
  const heads = view.columns.map((c) => `<th scope="col" data-target="${escapeHtml(c.target)}">${escapeHtml(c.target)}${c.kernel ? `\n<div class="kernel">${escapeHtml(c.kernel)}</div>` : ''}</th>`).join('');
  const body = view.sections
    .map((s) => `<tr class="section"><th colspan="${width}" scope="rowgroup">${escapeHtml(s.title)}</th></tr>\n${s.rows.map((r) => rowHtml(r, view.columns, o.revealCommand ?? REVEAL_COMMAND)).join('\n')}`)
    .join('\n');
  return `${pageHead({ cspSource: o.cspSource, styleUri: o.styleUri, title: view.title })}
<body>
<header>
<h1>${escapeHtml(view.object)} <span class="sub">predicted vs observed</span></h1>
<p class="plan">Ships ${escapeHtml(view.shipped)}; ${escapeHtml(view.plan)}. Finished ${escapeHtml(view.finished)} in ${(view.durationMs / 1000).toFixed(1)} s.</p>
${lines(view.planNotes, 'notes')}
</header>
<div class="targets">
${view.columns.map((c, i) => targetCard(view, c, i)).join('\n')}
</div>
<div class="table-scroll">
<table id="vm-report" aria-label="Predicted (Linux 7.0+) vs observed, one column per target">
<thead><tr><th scope="col"></th><th scope="col">predicted (Linux 7.0+)</th>${heads}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</div>
<p class="legend">= as predicted · ≠ differs from the prediction · ∅ kernel lacks the command · · not observable on this kernel · – not run or skipped · ? no prediction</p>
</body>
</html>`;
}
