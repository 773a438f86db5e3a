// The agent's report: parsing and validation, and "predicted vs observed" against a plan built
// from a real model, for Debian's 6.12 (no command 38), a 7.0 kernel that knows it, a test kernel
// that reports each program's association, and an object that fails to load.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { buildPlan, type VmPlan } from '../../remote/src/plan';
import { dmesgDelta, parseReport, ReportError, type AgentReport } from '../../remote/src/report';
import { formatTable, sideBySide, vmDiagnostics, type TargetResult } from '../../remote/src/results';
import { REPO } from './builtFixtures';

const REPORTS = join(REPO, 'test/fixtures/vm-reports');
const text = (name: string): string => readFileSync(join(REPORTS, name), 'utf8');

function result(target: string, report: AgentReport, status: TargetResult['status'] = 'completed'): TargetResult {
  return { target, destination: target, status, message: '', report, kernel: report.kernel.release, notes: [], timings: { totalMs: 0 }, transcript: [] };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

describe('remote: agent reports', () => {
  let plan: VmPlan;
  before(async function () {
    this.timeout(60_000);
    await loadGrammar();
    execFileSync('bash', [join(REPO, 'test/vm/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const ws = new Workspace();
    for (const p of [...files(join(REPO, 'test/vm/fixtures/ca-struct-ops')), ...files(join(REPO, 'test/vm/fixtures/include')), ...files(join(REPO, '.build/test/vm/fixtures/ca-struct-ops'))]) ws.setFile(p, readFileSync(p));
    plan = buildPlan(ws.model(), 'ca_struct_ops');
  });

  it('parses every fixture report', () => {
    for (const f of readdirSync(REPORTS)) {
      const r = parseReport(text(f));
      assert.equal(r.schema, 'bpf-assoc-vm-report', f);
      assert.ok(['supported', 'missing'].includes(r.kernel.assocCommand), f);
    }
  });

  it('finds the report after other output, as one line', () => {
    const r = parseReport(`Welcome to the VM\n${JSON.stringify(JSON.parse(text('debian-6.12-ca_struct_ops.json')))}\n`);
    assert.equal(r.kernel.release, '6.12.117+deb12-amd64');
  });

  it('rejects bad reports with the field that is wrong', () => {
    const good = JSON.parse(text('linux-7.0-ca_struct_ops.json')) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test mutates arbitrary report fields
    const bad = (mutate: (r: Record<string, any>) => void): string => {
      const r = JSON.parse(JSON.stringify(good));
      mutate(r);
      return JSON.stringify(r);
    };
    assert.throws(() => parseReport('no json here'), /no JSON report/);
    assert.throws(() => parseReport('{"schema": '), ReportError);
    assert.throws(() => parseReport(bad((r) => (r.version = 3))), /version 3 is not supported/);
    assert.throws(() => parseReport(bad((r) => (r.schema = 'x'))), /schema/);
    assert.throws(() => parseReport(bad((r) => (r.kernel.assocCommand = 'maybe'))), /assocCommand/);
    assert.throws(() => parseReport(bad((r) => (r.associations[0].result = '0'))), /associations\[0\]\.result/);
    assert.throws(() => parseReport(bad((r) => (r.programs[1].association = { state: 'weird' }))), /programs\[1\]\.association\.state/);
    assert.throws(() => parseReport(bad((r) => delete r.dmesg)), /report\.dmesg/);
  });

  it('Debian 6.12: the call that reaches the kernel is "kernel lacks the command", libbpf\'s own refusal matches', () => {
    const rows = sideBySide(plan, [result('debian', parseReport(text('debian-6.12-ca_struct_ops.json')))]);
    const cell = (key: string) => rows.find((r) => r.key === key)?.observed.debian;
    assert.deepEqual(cell('call:0'), { value: 'EINVAL (kernel lacks the command)', verdict: 'kernel-lacks-command' });
    assert.deepEqual(cell('call:1'), { value: 'EINVAL (libbpf)', verdict: 'match' });
    assert.deepEqual(cell('object'), { value: 'loaded', verdict: 'match' });
    assert.equal(cell('program:bpfa_probe')?.verdict, 'not-observable');
    assert.deepEqual(cell('attach:bpfa_ca'), { value: 'attached', verdict: 'match' });
  });

  it('Linux 7.0: the answers are compared with the predictions', () => {
    const rows = sideBySide(plan, [result('v7', parseReport(text('linux-7.0-ca_struct_ops.json')))]);
    assert.deepEqual(rows.filter((r) => r.kind === 'call').map((r) => [r.predicted, r.observed.v7?.value, r.observed.v7?.verdict]), [
      ['0', '0', 'match'],
      ['EINVAL', 'EINVAL (libbpf)', 'match'],
    ]);
  });

  it('a test kernel that reports associations: states compared, a disagreement shows', () => {
    const rows = sideBySide(plan, [result('test', parseReport(text('test-kernel-observed.json')))]);
    const cell = (key: string) => rows.find((r) => r.key === key)?.observed.test;
    assert.deepEqual(cell('program:bpfa_ssthresh'), { value: 'associated(bpfa_ca)', verdict: 'match' });
    assert.deepEqual(cell('program:bpfa_probe'), { value: 'none', verdict: 'mismatch' });
    assert.deepEqual(cell('call:0'), { value: 'EBUSY', verdict: 'mismatch' });
  });

  it('a load failure: nothing runs, and the object row says it differs from the prediction', () => {
    const r = parseReport(text('load-failed.json'));
    const rows = sideBySide(plan, [result('old', r, 'load-failed')]);
    assert.deepEqual(rows.find((x) => x.key === 'object')?.observed.old, { value: 'load failed: EINVAL', verdict: 'mismatch' });
    assert.ok(rows.filter((x) => x.kind === 'call').every((x) => x.observed.old?.verdict === 'not-run'));
    assert.match(r.object?.libbpfLog ?? '', /not found in kernel BTF/);
  });

  it('side by side: one column per target, failed targets included', () => {
    const failed: TargetResult = { target: 'cloud', destination: 'me@vm', status: 'error', message: 'unreachable', error: { kind: 'unreachable', message: 'x', detail: '' }, notes: [], timings: { totalMs: 1 }, transcript: [] };
    const results = [result('debian', parseReport(text('debian-6.12-ca_struct_ops.json'))), result('v7', parseReport(text('linux-7.0-ca_struct_ops.json'))), failed];
    const rows = sideBySide(plan, results);
    for (const row of rows) assert.deepEqual(Object.keys(row.observed), ['debian', 'v7', 'cloud']);
    assert.equal(rows[0]?.observed.cloud?.value, 'not run: unreachable');
    const table = formatTable(plan, results);
    assert.match(table.split('\n')[0] ?? '', /predicted \(Linux 7\.0\+\) +debian \[6\.12\.117\+deb12-amd64\] +v7 \[7\.0\.0-rc2\] +cloud/);
  });

  it('dmesg: new errors and oopses during the run', () => {
    const r = parseReport(text('debian-6.12-ca_struct_ops.json'));
    assert.deepEqual(dmesgDelta(r), { errors: 0, oopses: 0, lines: [] });
    r.dmesg.after = { available: true, errors: 3, oopses: 1, newLines: 'BUG: x\nerr\n' };
    assert.deepEqual(dmesgDelta(r), { errors: 3, oopses: 1, lines: ['BUG: x', 'err'] });
    r.dmesg.before = { available: false, errno: 'EPERM' };
    assert.equal(dmesgDelta(r), null);
  });
});

describe('remote: diagnostics from a run', () => {
  it('one per call and program row with a verdict, per target', async function () {
    this.timeout(60_000);
    await loadGrammar();
    const ws = new Workspace();
    for (const p of [...files(join(REPO, 'test/vm/fixtures/ca-struct-ops')), ...files(join(REPO, 'test/vm/fixtures/include')), ...files(join(REPO, '.build/test/vm/fixtures/ca-struct-ops'))]) ws.setFile(p, readFileSync(p));
    const plan = buildPlan(ws.model(), 'ca_struct_ops');
    const results = [result('debian', parseReport(text('debian-6.12-ca_struct_ops.json'))), result('test', parseReport(text('test-kernel-observed.json')))];
    const diags = vmDiagnostics(sideBySide(plan, results), results);
    const first = diags.find((d) => d.row === 'call:0' && d.target === 'debian');
    assert.equal(first?.severity, 'info');
    assert.match(first?.message ?? '', /On debian \(6\.12\.117\+deb12-amd64\): .* lacks BPF_PROG_ASSOC_STRUCT_OPS; it needs Linux 7\.0 or later/);
    assert.ok(first?.location.file.endsWith('loader.c'));
    const busy = diags.find((d) => d.row === 'call:0' && d.target === 'test');
    assert.equal(busy?.severity, 'warning');
    assert.match(busy?.message ?? '', /gave EBUSY, but the analysis predicted 0/);
    assert.ok(diags.some((d) => d.row === 'program:bpfa_probe' && d.target === 'test' && d.severity === 'warning'));
    assert.ok(!diags.some((d) => d.row.startsWith('program:') && d.target === 'debian'), 'nothing observable about programs on 6.12');
  });
});
