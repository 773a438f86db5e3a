// The user's loader in a VM run: the recorder's log read into the report's rows, calls a loader
// makes lined up with the predicted ones (a loop's second call gets its own row), and the loader
// built for real against the pinned libbpf with the real skeleton — or, when it does not build,
// the plan replayed with the compiler's first error as the reason.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadWorkspace } from '../../server/src/node/scan';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { matchCalls } from '../../remote/src/callMatch';
import { buildLoader, firstCompilerError, includeDirs } from '../../remote/src/loaderBuild';
import { parseDepFile } from '../../remote/src/loaderCache';
import { factsFromRecord, parseRecordLine, type ExecutedLoader } from '../../remote/src/loaderRecord';
import { buildPlan, type PlannedAssociation } from '../../remote/src/plan';
import { parseReport, type AgentReport, type ReportAssociation } from '../../remote/src/report';
import { formatTable, loaderSummary, sideBySide, vmDiagnostics, type TargetResult } from '../../remote/src/results';
import { reportHtml } from '../../client/src/vmRun/reportHtml';
import { reportView } from '../../client/src/vmRun/reportView';
import { REPO } from './builtFixtures';

const REPORTS = join(REPO, 'test/fixtures/vm-reports');
const report = (name: string): AgentReport => parseReport(readFileSync(join(REPORTS, name), 'utf8'));
const result = (target: string, r: AgentReport): TargetResult => ({ target, destination: target, status: 'completed', message: '', report: r, kernel: r.kernel.release, notes: [], timings: { totalMs: 0 }, transcript: [] });

function fixtureModel(name: string, dir = join(REPO, 'test/vm/fixtures', name)): WorkspaceModel {
  return loadWorkspace([dir, join(REPO, 'test/vm/fixtures/include'), join(REPO, '.build/test/vm/fixtures', name)]).workspace.model();
}

const loader = (record: string[], snapshots: ExecutedLoader['snapshots'] = []): ExecutedLoader => ({
  executed: true, file: '/run/loader', object: 'o', exitStatus: 0, stoppedBy: null, budgetMs: 15000, runMs: 10, record, snapshots, output: '', unregistered: 0,
});

describe('remote: the recorder log', () => {
  it('reads every kind of line, and refuses broken ones', () => {
    assert.deepEqual(parseRecordLine('libbpf\t1.7.0'), { kind: 'libbpf', version: '1.7.0' });
    assert.deepEqual(parseRecordLine('load\to\t22'), { kind: 'load', object: 'o', errno: 22 });
    assert.deepEqual(parseRecordLine('prog\to\tp\tsyscall\tsyscall\t1\t0\t0'), { kind: 'prog', object: 'o', name: 'p', section: 'syscall', type: 'syscall', autoload: true, loaded: false, id: 0 });
    assert.deepEqual(parseRecordLine('map\to\tm\tstruct_ops\t0\t0'), { kind: 'map', object: 'o', name: 'm', type: 'struct_ops', autocreate: false, id: 0 });
    assert.deepEqual(parseRecordLine('assoc\tsyscall\t-\tfd:7\tm\t1\t-\tkernel\t-1\t22'), { kind: 'assoc', api: 'syscall', object: '-', program: 'fd:7', map: 'm', flags: 1, phase: '-', answeredBy: 'kernel', errno: 22 });
    assert.deepEqual(parseRecordLine('attach\to\tm\t0'), { kind: 'attach', object: 'o', map: 'm', errno: 0 });
    assert.deepEqual(parseRecordLine('checkpoint\tdestroy'), { kind: 'checkpoint', what: 'destroy' });
    for (const bad of ['', 'assoc\tlibbpf\to\tp\tm\t0\tloaded\tkernel\t0', 'assoc\tother\to\tp\tm\t0\tloaded\tkernel\t0\t0', 'load\to\tx', 'open\to', 'whatever\tx', 'prog\to\tp']) assert.equal(parseRecordLine(bad), null, bad);
  });

  it("the first lifecycle's programs, every call, and the associations read at the first checkpoint after load", () => {
    const facts = factsFromRecord(
      loader(
        [
          'libbpf\t1.7.0',
          'garbage line',
          'open\to\t0',
          'load\to\t0',
          'prog\to\ts\tstruct_ops\tstruct_ops\t1\t1\t11',
          'prog\to\tp\tsyscall\tsyscall\t1\t1\t12',
          'map\to\tm\tstruct_ops\t1\t5',
          'map\to\toff\tstruct_ops\t0\t0',
          'assoc\tlibbpf\to\tp\tm\t0\tloaded\tkernel\t0\t0',
          'assoc\tsyscall\t-\tfd:9\tm\t0\t-\tkernel\t-1\t9',
          'attach\to\tm\t0',
          'attached\to\t0',
          'checkpoint\tdestroy',
          'destroy\to',
          'open\to\t0',
          'load\to\t0',
          'prog\to\ts\tstruct_ops\tstruct_ops\t1\t1\t21',
          'assoc\tlibbpf\to\tp\tm\t0\tloaded\tkernel\t-1\t16',
          'assoc\tlibbpf\tother\tq\tn\t0\tloaded\tkernel\t0\t0',
        ],
        [{ afterLine: 13, why: 'destroy', method: 'bpf-iter', programs: [{ id: 11, state: 'associated', mapId: 5 }, { id: 12, state: 'associated', mapId: 5 }, { id: 21, state: 'none' }] }],
      ),
      'o',
    );
    assert.equal(facts.libbpf, '1.7.0');
    assert.equal(facts.lifecycles, 2);
    assert.equal(facts.observedAt, 'destroy');
    assert.deepEqual(facts.object.load, { attempted: true, ok: true, errno: null });
    assert.deepEqual(facts.programs.map((p) => [p.name, p.id, p.association]), [['s', 11, { state: 'associated', mapId: 5, map: 'm' }], ['p', 12, { state: 'associated', mapId: 5, map: 'm' }]]);
    assert.deepEqual(facts.maps.map((m) => [m.name, m.created]), [['m', true], ['off', false]]);
    assert.deepEqual(facts.associations.map((a) => [a.index, a.api, a.program, a.errno, a.answeredBy, a.lifecycle]), [
      [0, 'libbpf', 'p', null, 'kernel', 0],
      [1, 'syscall', 'fd:9', 'EBADF', 'kernel', 0],
      [2, 'libbpf', 'p', 'EBUSY', 'kernel', 1],
    ]);
    assert.deepEqual(facts.attachments, [{ map: 'm', performed: true, ok: true, errno: null }]);
  });

  it("the object's own destroy is the reading used, even when another object's came first", () => {
    const record = ['libbpf\t1.7.0', 'open\to\t0', 'load\to\t0', 'prog\to\tp\tsyscall\tsyscall\t1\t1\t12', 'open\tprobe\t0', 'load\tprobe\t0', 'checkpoint\tdestroy:probe', 'destroy\tprobe', 'assoc\tlibbpf\to\tp\tm\t0\tloaded\tkernel\t0\t0', 'checkpoint\tdestroy:o', 'destroy\to'];
    const snapshots: ExecutedLoader['snapshots'] = [
      { afterLine: 7, why: 'destroy:probe', method: 'bpf-iter', programs: [{ id: 12, state: 'none' }] },
      { afterLine: 10, why: 'destroy:o', method: 'bpf-iter', programs: [{ id: 12, state: 'associated', mapId: 3 }] },
    ];
    const facts = factsFromRecord(loader(record, snapshots), 'o');
    assert.equal(facts.observedAt, 'destroy');
    assert.deepEqual(facts.programs[0]?.association, { state: 'associated', mapId: 3, map: null });
  });

  it("a program associated with another object's map (a sub-scheduler's program with its root's map) names that map", () => {
    const record = ['libbpf\t1.7.0', 'open\troot\t0', 'load\troot\t0', 'map\troot\troot_ops\tstruct_ops\t1\t7', 'open\to\t0', 'load\to\t0', 'prog\to\tp\tsyscall\tsyscall\t1\t1\t12', 'map\to\tsub_ops\tstruct_ops\t1\t9', 'assoc\tlibbpf\to\tp\troot_ops\t0\tloaded\tkernel\t0\t0', 'checkpoint\tdestroy:o', 'destroy\to'];
    const facts = factsFromRecord(loader(record, [{ afterLine: 9, why: 'destroy:o', method: 'bpf-iter', programs: [{ id: 12, state: 'associated', mapId: 7 }] }]), 'o');
    assert.deepEqual(facts.programs[0]?.association, { state: 'associated', mapId: 7, map: 'root_ops' });
    assert.deepEqual(facts.maps.map((m) => m.name), ['sub_ops'], "the object's own maps only");
  });

  it('a loader that never opens the object says so', () => {
    const facts = factsFromRecord(loader(['libbpf\t1.7.0', 'open\tother\t0']), 'o');
    assert.equal(facts.object.neverOpened, true);
    assert.equal(facts.programs.length, 0);
  });
});

describe('remote: calls a loader made vs the predicted ones', () => {
  const planned = (index: number, program: string, map: string): PlannedAssociation => ({
    index, phase: 'loaded', api: 'libbpf', program, map, flags: 0, source: { api: 'bpf_program__assoc_struct_ops', loader: 'l.c', location: null }, predicted: { result: 0, reason: '' },
  });
  const made = (index: number, program: string, map: string, errno: string | null = null): ReportAssociation => ({ index, phase: 'loaded', api: 'libbpf', program, map, flags: 0, performed: true, answeredBy: 'kernel', result: errno ? -1 : 0, errno });

  it('a call made twice in a loop: the first is the predicted one, the second a row of its own', () => {
    const m = matchCalls([planned(0, 'p', 'a'), planned(1, 'q', 'a')], [made(0, 'p', 'a'), made(1, 'p', 'a'), made(2, 'q', 'a'), made(3, 'r', 'a', 'EINVAL')], true);
    assert.deepEqual([...m.byPlanned].map(([k, v]) => [k, v.index]), [[0, 0], [1, 2]]);
    assert.deepEqual(m.extras.map((x) => [x.key, x.repeats?.index ?? null]), [['observed:1', 0], ['observed:3', null]]);
  });

  it("a raw-fd call whose fds name nothing is matched by position among the predicted calls of its API and flags", () => {
    const raw = (index: number, program: string, map: string, flags: number): PlannedAssociation => ({ ...planned(index, program, map), api: 'syscall', flags });
    const seen = (index: number, program: string, map: string, flags: number, errno: string | null): ReportAssociation => ({ ...made(index, program, map, errno), api: 'syscall', flags });
    // bpf_program__fd() before load is -ENOENT: the recorder can only say "fd:-2".
    const m = matchCalls([raw(0, 'too_early', 'ops', 0), raw(1, 'with_flags', 'ops', 2)], [seen(0, 'fd:-2', 'fd:-1', 0, 'EBADF'), seen(1, 'with_flags', 'ops', 2, 'EINVAL')], true);
    assert.deepEqual([...m.byPlanned].map(([k, v]) => [k, v.index]).sort(), [[0, 0], [1, 1]]);
    assert.equal(m.extras.length, 0);
  });

  it("a later lifecycle's calls are matched against the loader's later calls, and keep their prediction", () => {
    const later = { ...planned(5, 'p', 'b'), predicted: { result: 'EBUSY' as const, reason: 'already associated' } };
    const m = matchCalls([planned(0, 'p', 'a')], [made(0, 'p', 'a'), { ...made(1, 'p', 'b', 'EBUSY'), lifecycle: 1 } as ReportAssociation], true, [later]);
    assert.deepEqual([...m.byPlanned.keys()], [0]);
    assert.deepEqual(m.extras.map((x) => [x.key, x.predictedBy?.index, x.repeats]), [['observed:1', 5, null]]);
  });

  it('a replayed plan is matched by index', () => {
    const m = matchCalls([planned(0, 'p', 'a')], [made(0, 'x', 'y')], false);
    assert.equal(m.byPlanned.get(0)?.program, 'x');
    assert.equal(m.extras.length, 0);
  });
});

describe('remote: a loader that ran, in the report and the results', () => {
  before(async function () {
    this.timeout(60_000);
    await loadGrammar();
    execFileSync('bash', [join(REPO, 'test/vm/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  it('Linux 7.3, ca-loop: two calls in a loop over an array of maps, the second EBUSY, both as predicted', () => {
    const r = report('linux-7.3-loader-ca_loop.json');
    assert.equal(r.version, 2);
    assert.deepEqual([r.agent.libbpf, r.agent.ownLibbpf, r.agent.assocApi], ['v1.7.0', 'v1.7', 'loader']);
    assert.ok(r.loader?.executed);
    assert.equal(r.loader.libbpf, '1.7.0');
    assert.equal(r.loader.exitStatus, 0);
    assert.equal(r.loader.observedAt, 'destroy');
    assert.deepEqual(r.associations.map((a) => [a.program, a.map, a.errno]), [['bpfa_loop_probe', 'bpfa_loop_a', null], ['bpfa_loop_probe', 'bpfa_loop_b', 'EBUSY']]);
    const plan = buildPlan(fixtureModel('ca-loop'), 'ca_loop');
    const rows = sideBySide(plan, [result('local', r)]);
    const calls = rows.filter((x) => x.kind === 'call');
    // Both calls the loader made are rows, whatever the analysis made of the loop.
    assert.deepEqual(calls.map((x) => x.observed.local?.value), ['0', 'EBUSY']);
    // The loop runs over an array of the maps: maps[0] on the first run, maps[1] on the second.
    assert.deepEqual(calls.map((x) => [x.key, x.predicted, x.observed.local?.verdict]), [['call:0', '0', 'match'], ['call:1', 'EBUSY', 'match']]);
    assert.deepEqual(rows.find((x) => x.key === 'program:bpfa_loop_probe')?.observed.local, { value: 'associated(bpfa_loop_a)', verdict: 'match' });
    assert.deepEqual(rows.find((x) => x.key === 'attach:bpfa_loop_b')?.observed.local, { value: 'attached', verdict: 'match' });
    // The editor's results view says the same on the target's card.
    const view = reportView({ schema: 'bpf-assoc-vm-run', version: 1, object: 'ca_loop', plan, targets: [result('local', r)], rows }, { finished: '', durationMs: 0, roots: [REPO] });
    assert.equal(view.columns[0]?.ran, 'loader executed: loader (exit status 0; libbpf 1.7.0)');
    assert.match(reportHtml(view, { cspSource: 'x', styleUri: 'x' }), /<p class="ran">loader executed: loader \(exit status 0; libbpf 1\.7\.0\)<\/p>/);
    const table = formatTable(plan, [result('local', r)]);
    assert.match(table, /\n {2}loader executed: loader \(exit status 0; libbpf 1\.7\.0\)\n/);
  });

  it("a program state another path of the loader predicts is as predicted, on that path", () => {
    const plan = buildPlan(fixtureModel('ca-struct-ops'), 'ca_struct_ops');
    const r = report('linux-7.3-loader-ca_struct_ops.json');
    const p = plan.programs.find((x) => x.kind === 'struct_ops' && x.predicted === 'auto');
    assert.ok(p);
    const seen = sideBySide(plan, [result('local', r)]).find((x) => x.key === `program:${p.name}`)?.observed.local;
    assert.equal(seen?.verdict, 'match');
    // The loader's first path says another map; the path the run took says this one.
    const other = { ...plan, programs: plan.programs.map((x) => (x === p ? { ...x, maps: ['elsewhere'], when: '`cbs`', paths: [{ when: '`cbs`', predicted: x.predicted, maps: ['elsewhere'] }, { when: '`!cbs`', predicted: x.predicted, maps: x.maps }] } : x)) };
    // The loader attached bpfa_ca, which only the `!cbs` path attaches: that is the path the run took.
    assert.deepEqual(sideBySide(other, [result('local', r)]).find((x) => x.key === `program:${p.name}`)?.observed.local, { value: `${seen?.value} (as predicted on the path where \`!cbs\`, the one the run took)`, verdict: 'match' });
    // When the attachments do not tell, a state any path predicts is as predicted on that path.
    const raw = JSON.parse(readFileSync(join(REPORTS, 'linux-7.3-loader-ca_struct_ops.json'), 'utf8')) as { loader: { record: string[] } };
    raw.loader.record = raw.loader.record.filter((l) => !l.startsWith('attach'));
    assert.deepEqual(sideBySide(other, [result('local', parseReport(JSON.stringify(raw)))]).find((x) => x.key === `program:${p.name}`)?.observed.local, { value: `${seen?.value} (as predicted on the path where \`!cbs\`)`, verdict: 'match' });
    // The path the run took decides: what another path predicts does not count then.
    const taken = { ...plan, programs: plan.programs.map((x) => (x === p ? { ...x, when: '`a`', paths: [{ when: '`a`', predicted: 'poisoned' as const, maps: x.maps }, { when: '`b`', predicted: x.predicted, maps: ['elsewhere'] }] } : x)) };
    assert.equal(sideBySide(taken, [result('local', r)]).find((x) => x.key === `program:${p.name}`)?.observed.local?.verdict, 'mismatch');
    const none = { ...plan, programs: plan.programs.map((x) => (x === p ? { ...x, maps: ['elsewhere'] } : x)) };
    assert.equal(sideBySide(none, [result('local', r)]).find((x) => x.key === `program:${p.name}`)?.observed.local?.verdict, 'mismatch');
  });

  it('Linux 7.3, ca_struct_ops: every row as predicted; a predicted call the loader did not make differs', () => {
    const r = report('linux-7.3-loader-ca_struct_ops.json');
    const plan = buildPlan(fixtureModel('ca-struct-ops'), 'ca_struct_ops');
    const rows = sideBySide(plan, [result('local', r)]);
    assert.ok(rows.every((x) => x.observed.local?.verdict === 'match'), JSON.stringify(rows.map((x) => [x.key, x.observed.local])));
    assert.deepEqual(rows.find((x) => x.key === 'call:1')?.observed.local, { value: 'EINVAL (libbpf)', verdict: 'match' });
    const raw = JSON.parse(readFileSync(join(REPORTS, 'linux-7.3-loader-ca_struct_ops.json'), 'utf8')) as { loader: { record: string[] } };
    raw.loader.record = raw.loader.record.filter((l) => !l.includes('\tbpfa_ssthresh\tbpfa_ca\t'));
    const without = sideBySide(plan, [result('local', parseReport(JSON.stringify(raw)))]);
    assert.deepEqual(without.find((x) => x.key === 'call:1')?.observed.local, { value: 'not made by the loader', verdict: 'mismatch' });
  });

  it("a map the loader did not attach, or whose attach failed, differs; a failed load leaves it not run", () => {
    const plan = buildPlan(fixtureModel('ca-struct-ops'), 'ca_struct_ops');
    const raw = JSON.parse(readFileSync(join(REPORTS, 'linux-7.3-loader-ca_struct_ops.json'), 'utf8')) as { loader: { record: string[] } };
    const record = raw.loader.record;
    const cellWith = (lines: string[]) => {
      raw.loader.record = lines;
      return sideBySide(plan, [result('local', parseReport(JSON.stringify(raw)))]).find((x) => x.key === 'attach:bpfa_ca')?.observed.local;
    };
    assert.deepEqual(cellWith(record.filter((l) => !l.startsWith('attach'))), { value: 'not attached by the loader', verdict: 'mismatch' });
    assert.deepEqual(cellWith(record.filter((l) => !l.startsWith('attach\t')).map((l) => (l.startsWith('attached\t') ? 'attached\tca_struct_ops\t95' : l))), { value: 'attach failed: EOPNOTSUPP', verdict: 'mismatch' });
    assert.deepEqual(cellWith(record.map((l) => (l.startsWith('load\t') ? 'load\tca_struct_ops\t95' : l)).filter((l) => !l.startsWith('attach'))), { value: 'not run', verdict: 'not-run' });
  });

  it('a repeated call in the results: its own row at the same place, no prediction, a diagnostic that says so', () => {
    const plan = buildPlan(fixtureModel('ca-struct-ops'), 'ca_struct_ops');
    const raw = JSON.parse(readFileSync(join(REPORTS, 'linux-7.3-loader-ca_struct_ops.json'), 'utf8')) as { loader: { record: string[] } };
    const first = raw.loader.record.findIndex((l) => l.startsWith('assoc\t'));
    raw.loader.record.splice(first + 1, 0, raw.loader.record[first] ?? '');
    const results = [result('local', parseReport(JSON.stringify(raw)))];
    const rows = sideBySide(plan, results);
    const again = rows.find((x) => x.key === 'observed:1');
    assert.equal(again?.label, 'bpf_program__assoc_struct_ops(bpfa_probe, bpfa_ca) again');
    assert.deepEqual(again?.observed.local, { value: '0', verdict: 'unpredicted' });
    assert.deepEqual(again?.location, plan.associations[0]?.source.location);
    const d = vmDiagnostics(rows, results).find((x) => x.row === 'observed:1');
    assert.match(d?.message ?? '', /gave 0; the analysis made no prediction for it \(the analysis saw this call once; the loader made it again \(call 2\)\)\.$/);
  });
  it('says what ran: the loader, stopped after its budget, or the plan and why', () => {
    const r = report('linux-7.3-loader-ca_loop.json');
    assert.ok(r.loader?.executed);
    const t = result('local', { ...r, loader: { ...r.loader, file: '/ws/sched/loader.c', exitStatus: null, signal: 2, stoppedBy: 'time-budget', budgetMs: 15000 } });
    assert.equal(loaderSummary(t), 'loader executed: loader.c (ran for its 15 s budget, then stopped with SIGINT (ended by signal 2); libbpf 1.7.0)');
    assert.equal(loaderSummary(result('x', { ...r, loader: { executed: false, file: null, why: 'no C loader in the workspace loads o' } })), 'plan replayed: no C loader in the workspace loads o');
    assert.equal(loaderSummary(result('x', report('debian-6.12-ca_struct_ops.json'))), 'plan replayed (agent without loader support)');
  });

  it('rejects a malformed loader record', () => {
    const raw = JSON.parse(readFileSync(join(REPORTS, 'linux-7.3-loader-ca_loop.json'), 'utf8')) as { loader: Record<string, unknown> };
    raw.loader.record = [1];
    assert.throws(() => parseReport(JSON.stringify(raw)), /report\.loader\.record\[0\] should be a string/);
    raw.loader.record = [];
    raw.loader.snapshots = [{ afterLine: 1, why: 'exit', method: 'bpf-iter', programs: [{ id: 1, state: 'odd' }] }];
    assert.throws(() => parseReport(JSON.stringify(raw)), /snapshots\[0\]\.programs\[0\]\.state/);
  });
});

describe('remote: building the loader', () => {
  const work = mkdtempSync(join(tmpdir(), 'bpfa-loader-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  before(async function () {
    // The pinned libbpf is built from Debian's source the first time (about a minute), then cached.
    this.timeout(300_000);
    await loadGrammar();
    execFileSync('bash', [join(REPO, 'test/vm/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  it('ca-loop: a static executable against the pinned libbpf, with the recorder interposed', async function () {
    this.timeout(300_000);
    const model = fixtureModel('ca-loop');
    const built = await buildLoader(model, buildPlan(model, 'ca_loop'));
    assert.equal(built.kind, 'executed', built.kind === 'replayed' ? built.why : '');
    if (built.kind !== 'executed') return;
    assert.match(built.binary.libbpf, /^1\.7\.\d+$/);
    assert.ok(built.binary.file.endsWith('test/vm/fixtures/ca-loop/loader.c'));
    const exe = join(work, 'loader');
    writeFileSync(exe, built.binary.bytes, { mode: 0o755 });
    // Static: no program interpreter (ld.so) to find on the target. The recorder's log format and
    // libbpf 1.7's association call are in the binary.
    const bytes = built.binary.bytes.toString('latin1');
    assert.equal(bytes.slice(0, 4), '\x7fELF');
    assert.ok(!bytes.includes('/lib64/ld-linux'), 'statically linked');
    assert.ok(bytes.includes('libbpf\t%s\n') && bytes.includes("can't associate struct_ops program"));
  });

  it('a loader that does not compile: the plan is replayed, with the first compiler error', async function () {
    this.timeout(300_000);
    const dir = join(work, 'ca-struct-ops');
    cpSync(join(REPO, 'test/vm/fixtures/ca-struct-ops'), dir, { recursive: true });
    writeFileSync(join(dir, 'loader.c'), readFileSync(join(dir, 'loader.c'), 'utf8').replace('#include <bpf/libbpf.h>', '#include <bpf/libbpf.h>\n#include "not_in_this_workspace.h"'));
    const model = fixtureModel('ca-struct-ops', dir);
    const built = await buildLoader(model, buildPlan(model, 'ca_struct_ops'));
    assert.equal(built.kind, 'replayed');
    if (built.kind === 'replayed') assert.match(built.why, /^loader could not be built: loader\.c:\d+:\d+: fatal error: not_in_this_workspace\.h: No such file or directory$/);
  });

  it('a built loader is reused until a file it was built from changes', async function () {
    this.timeout(300_000);
    const dir = join(work, 'cached');
    cpSync(join(REPO, 'test/vm/fixtures/ca-struct-ops'), dir, { recursive: true });
    const build = async () => {
      const model = fixtureModel('ca-struct-ops', dir);
      const b = await buildLoader(model, buildPlan(model, 'ca_struct_ops'));
      assert.equal(b.kind, 'executed', b.kind === 'replayed' ? b.why : '');
      return b.kind === 'executed' ? b.binary : null;
    };
    const first = await build();
    const again = await build();
    assert.equal(again?.cached, true);
    assert.ok(again?.bytes.equals(first?.bytes ?? Buffer.alloc(0)));
    writeFileSync(join(dir, 'loader.c'), `${readFileSync(join(dir, 'loader.c'), 'utf8')}\n/* edited */\n`);
    assert.equal((await build())?.cached, false, 'an edited loader is built again');
    assert.deepEqual(parseDepFile('loader.o: /w/loader.c /w/a\\ b.h \\\n /usr/include/bpf/libbpf.h\n'), ['/w/loader.c', '/w/a b.h', '/usr/include/bpf/libbpf.h']);
  });

  it('only a .bpf.o in the workspace: bpftool generates the skeleton the loader includes', async function () {
    this.timeout(300_000);
    const dir = join(work, 'no-skeleton');
    cpSync(join(REPO, 'test/vm/fixtures/ca-loop'), join(dir, 'src'), { recursive: true });
    cpSync(join(REPO, '.build/test/vm/fixtures/ca-loop/ca_loop.bpf.o'), join(dir, 'build/ca_loop.bpf.o'));
    const model = loadWorkspace([dir, join(REPO, 'test/vm/fixtures/include')]).workspace.model();
    assert.deepEqual(model.objects.find((o) => o.id === 'ca_loop')?.skeletons, []);
    const built = await buildLoader(model, buildPlan(model, 'ca_loop'));
    assert.equal(built.kind, 'executed', built.kind === 'replayed' ? built.why : '');
  });

  it('no C loader, or associate-all asked for: the plan', async () => {
    const model = fixtureModel('ca-struct-ops');
    const built = await buildLoader(model, buildPlan(model, 'ca_struct_ops', { associateAllWith: 'bpfa_ca' }));
    assert.deepEqual(built.kind === 'replayed' && built.why, 'associating every program with one map was asked for, so the plan is replayed');
  });

  it('first compiler error and include directories', () => {
    assert.equal(firstCompilerError('In file included from x.c:1:\n/w/a/loader.c:3:10: fatal error: x.h: No such file or directory\n'), 'loader.c:3:10: fatal error: x.h: No such file or directory');
    assert.equal(firstCompilerError('/usr/bin/ld: loader.o: in function `main\':\nloader.c:(.text+0x1): undefined reference to `helper\''), "loader.c:(.text+0x1): undefined reference to `helper'");
    const dirs = includeDirs(join(REPO, 'test/vm/fixtures/ca-loop/loader.c'), join(REPO, '.build/test/vm/fixtures/ca-loop/ca_loop.skel.h'), [join(REPO, 'test/vm/fixtures/ca-loop/ca_loop.bpf.c')]);
    assert.deepEqual(dirs.slice(0, 2), [join(REPO, 'test/vm/fixtures/ca-loop'), join(REPO, '.build/test/vm/fixtures/ca-loop')]);
  });
});
