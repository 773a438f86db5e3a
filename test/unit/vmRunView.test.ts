// The editor's side of a VM run, without VS Code: the results view's rows and page, the
// diagnostics, the messages and the kept run, from the real model of the VM fixture
// ca-struct-ops (compiled with clang and bpftool) and real agent reports from Debian's 6.12
// (no command 38), a Linux 7.0 kernel, and an object that failed to load.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { KERNEL_LACKS_COMMAND } from '../../remote/src/errors';
import { buildPlan, type VmPlan } from '../../remote/src/plan';
import { parseReport } from '../../remote/src/report';
import { sideBySide, vmDiagnostics, type TargetResult } from '../../remote/src/results';
import type { VmRunResults } from '../../remote/src/index';
import { diagnosticEntries } from '../../client/src/vmRun/diagnosticEntries';
import { reportHtml } from '../../client/src/vmRun/reportHtml';
import { escapeHtml } from '../../client/src/webviewPage';
import { columnSummary, KERNEL_LACKS_NOTE, relativePath, reportView, timingsText } from '../../client/src/vmRun/reportView';
import { runMessages } from '../../client/src/vmRun/runMessages';
import { parseStoredRun, storedRun } from '../../client/src/vmRun/storedRun';
import { REPO } from './builtFixtures';

const FIXTURE = join(REPO, 'test/vm/fixtures/ca-struct-ops');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

function target(name: string, reportFile: string | null, over: Partial<TargetResult> = {}): TargetResult {
  const report = reportFile ? parseReport(readFileSync(join(REPO, 'test/fixtures/vm-reports', reportFile), 'utf8')) : undefined;
  return {
    target: name,
    destination: `root@${name}:22`,
    status: 'completed',
    message: `Ran on ${report?.kernel.release ?? '?'}.`,
    ...(report ? { report, kernel: report.kernel.release } : {}),
    notes: report?.kernel.assocCommand === 'missing' ? [KERNEL_LACKS_COMMAND] : [],
    timings: { bootMs: 12_345, connectMs: 400, uploadMs: 150, buildMs: 0, runMs: 2_100, totalMs: 15_000 },
    transcript: [`$ ssh ${name} true`],
    ...over,
  };
}

function results(plan: VmPlan, targets: TargetResult[]): VmRunResults {
  return { schema: 'bpf-assoc-vm-run', version: 1, object: plan.object, plan, targets, rows: sideBySide(plan, targets) };
}

describe('VM run in the editor: results view, diagnostics, messages', () => {
  let plan: VmPlan;
  before(async function () {
    this.timeout(60_000);
    await loadGrammar();
    execFileSync('bash', [join(REPO, 'test/vm/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const ws = new Workspace();
    for (const p of [...files(FIXTURE), ...files(join(REPO, 'test/vm/fixtures/include')), ...files(join(REPO, '.build/test/vm/fixtures/ca-struct-ops'))]) ws.setFile(p, readFileSync(p));
    plan = buildPlan(ws.model(), 'ca_struct_ops');
  });

  it('lines up 6.12 and 7.0 side by side, grouped, with "kernel lacks the command" next to the prediction', () => {
    const r = results(plan, [target('debian', 'debian-6.12-ca_struct_ops.json'), target('seven', 'linux-7.0-ca_struct_ops.json')]);
    const view = reportView(r, { finished: 'now', durationMs: 15_500, roots: [FIXTURE] });
    assert.deepEqual(view.columns.map((c) => [c.target, c.kernel, c.assocCommand]), [['debian', '6.12.117+deb12-amd64', 'missing'], ['seven', '7.0.0-rc2', 'supported']]);
    assert.deepEqual(view.sections.map((s) => [s.title, s.rows.length]), [['Object', 1], ['Programs', 4], ['Association calls', 2], ['Attached struct_ops maps', 1]]);
    const call = view.sections[2]?.rows[0];
    assert.equal(call?.label, 'bpf_program__assoc_struct_ops(bpfa_probe, bpfa_ca)');
    assert.equal(call?.where, 'loader.c:14');
    assert.equal(call?.predicted, '0');
    assert.deepEqual(call?.cells.map((c) => [c.text, c.verdict]), [['EINVAL (kernel lacks the command)', 'kernel-lacks-command'], ['0', 'match']]);
    // Programs: only on the kernel without the command does "not observable" mean "no association".
    const probe = view.sections[1]?.rows.find((row) => row.label === 'bpfa_probe');
    assert.equal(probe?.predicted, 'explicit(bpfa_ca)');
    assert.deepEqual(probe?.cells.map((c) => c.note), [KERNEL_LACKS_NOTE, undefined]);
    assert.equal(columnSummary(view, 0), '3 as predicted · 1 kernel lacks the command · 4 not observable');
    assert.equal(columnSummary(view, 1), '4 as predicted · 4 not observable');
  });

  it('renders a page without any script, its text escaped, its links allowed command URIs', () => {
    const hostile = '<img src=x onerror=alert(1)>"\'&';
    const r = results(plan, [target(hostile, 'debian-6.12-ca_struct_ops.json', { message: `</td><script>alert(1)</script>` })]);
    const html = reportHtml(reportView(r, { finished: 'now', durationMs: 1, roots: [] }), { cspSource: 'vscode-webview://x', styleUri: 'vscode-webview://x/media/vmReport.css', revealCommand: 'bpfAssoc.vmReport.reveal' });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src vscode-webview:\/\/x; img-src vscode-webview:\/\/x">/);
    assert.doesNotMatch(html, /<script|<img/i);
    assert.ok(html.includes(escapeHtml(hostile)));
    assert.ok(html.includes('&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? '');
    assert.ok(hrefs.every((h) => h.startsWith('command:bpfAssoc.vmReport.reveal?') || h === 'command:bpfAssoc.showVmTranscript' || h === 'vscode-webview://x/media/vmReport.css'), hrefs.join('\n'));
    const reveal = hrefs.find((h) => h.startsWith('command:bpfAssoc.vmReport.reveal?')) ?? '';
    const [location] = JSON.parse(decodeURIComponent(reveal.slice(reveal.indexOf('?') + 1).replace(/&amp;/g, '&'))) as [{ file: string }];
    assert.ok(location.file.startsWith(FIXTURE), location.file);
    // The call's row carries the prediction and the kernel's answer in one <tr>.
    const row = /<tr data-row="call:0">[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
    assert.match(row, /<td class="predicted"[^>]*>0/);
    assert.match(row, /EINVAL \(kernel lacks the command\)/);
  });

  it('says what a failed, a cancelled and a differing target mean, with the actions that help', () => {
    const failedLoad = target('bad-load', 'load-failed.json', { status: 'load-failed', message: 'The object fails to load on 6.12 (EINVAL).' });
    const auth = target('auth', null, { status: 'error', message: 'Authentication to auth failed: ...', error: { kind: 'auth-failed', message: 'Authentication to auth failed: ...', detail: 'Permission denied (publickey).' } });
    const setup = target('local', null, { status: 'error', message: 'The built-in VM is not set up', error: { kind: 'vm-setup-missing', message: 'The built-in VM is not set up', detail: '' } });
    const cancelled = target('gone', null, { status: 'cancelled', message: 'Cancelled.' });
    const r = results(plan, [target('debian', 'debian-6.12-ca_struct_ops.json'), failedLoad, auth, setup, cancelled]);
    const messages = runMessages(r, KERNEL_LACKS_COMMAND);
    assert.deepEqual(
      messages.map((m) => [m.target, m.severity, m.actions.join('+')]),
      [
        ['debian', 'info', 'Show Results'],
        ['bad-load', 'error', 'Show Transcript'],
        ['auth', 'error', 'Show Transcript+Open Settings'],
        ['local', 'error', 'Set Up Built-in VM+Show Transcript'],
        ['gone', 'info', 'Show Transcript'],
      ],
    );
    assert.equal(messages[0]?.text, `debian (6.12.117+deb12-amd64): ${KERNEL_LACKS_COMMAND}`);
    assert.equal(messages[2]?.text, 'auth: Authentication to auth failed: ...', 'the API message as it is');
    // A report that contradicts the prediction: the object was predicted to load.
    const differs = runMessages(results(plan, [target('odd', 'load-failed.json')]), KERNEL_LACKS_COMMAND);
    assert.equal(differs[0]?.severity, 'warning');
    assert.match(differs[0]?.text ?? '', /^odd \([^)]+\): 1 answer differs from the prediction \(object ca_struct_ops\)\.$/);
  });

  it('turns per-call results into diagnostics with a code per verdict, by file; answers as predicted stay out', () => {
    const r = results(plan, [target('debian', 'debian-6.12-ca_struct_ops.json'), target('seven', 'linux-7.0-ca_struct_ops.json')]);
    const byFile = diagnosticEntries(r, vmDiagnostics(r.rows, r.targets));
    assert.deepEqual([...byFile.keys()], [join(FIXTURE, 'loader.c')]);
    const entries = byFile.get(join(FIXTURE, 'loader.c')) ?? [];
    assert.deepEqual(entries.map((e) => [e.target, e.code, e.severity, e.range.start.line]), [['debian', 'kernel-lacks-command', 'info', 13]]);
    // vmDiagnostics() gives the as-predicted cells too; Problems does not list them.
    assert.equal(vmDiagnostics(r.rows, r.targets).filter((d) => /as predicted/.test(d.message)).length, 3);
    assert.match(entries[0]?.message ?? '', /needs Linux 7\.0 or later/);
  });

  it('keeps the last run as JSON and reads it back; refuses other files', () => {
    const r = results(plan, [target('debian', 'debian-6.12-ca_struct_ops.json')]);
    const kept = storedRun(r, new Date('2026-01-02T03:04:05Z'), 16_000);
    const back = parseStoredRun(JSON.stringify(kept));
    assert.deepEqual(back, JSON.parse(JSON.stringify(kept)));
    assert.equal(back?.results.rows.length, r.rows.length);
    for (const bad of ['', 'nope', '{}', JSON.stringify({ ...kept, version: 2 }), JSON.stringify({ ...kept, results: { schema: 'x' } })]) assert.equal(parseStoredRun(bad), null, bad);
  });

  it('formats timings and workspace-relative places', () => {
    assert.equal(timingsText({ bootMs: 12_345, connectMs: 400, runMs: 2_100, totalMs: 15_000 }), 'boot 12.3 s · connect 0.4 s · run 2.1 s · total 15.0 s');
    assert.equal(relativePath('/w/a/b.c', ['/w', '/w/a']), 'b.c');
    assert.equal(relativePath('/elsewhere/b.c', ['/w']), '/elsewhere/b.c');
    assert.equal(relativePath('/wx/b.c', ['/w']), '/wx/b.c');
  });
});
