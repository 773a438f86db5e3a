// What the VM run replays and reads back beyond errnos: slots the loader re-points before load
// (planned from a real model, passed to the agent), and each program's association as the kernel
// reports it, compared with the prediction (a test kernel), or not observable (any other kernel).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { agentArgs, buildPlan } from '../../remote/src/plan';
import { kernelLacks, parseReport, type AgentReport } from '../../remote/src/report';
import { sideBySide, type TargetResult } from '../../remote/src/results';
import { ensureFixturesBuilt, REPO } from './builtFixtures';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

function caseWorkspace(name: string): Workspace {
  const ws = new Workspace();
  for (const d of [join(REPO, 'test/fixtures/cases', name), join(REPO, '.build/test/fixtures/cases', name), join(REPO, 'test/fixtures/include')]) {
    for (const p of files(d)) ws.setFile(p, readFileSync(p));
  }
  return ws;
}

/** A report for loader-repoint's object as a kernel would give it, with `observed` associations. */
function report(observed: Record<string, AgentReport['programs'][number]['association']> | null, attached = ['map_a', 'map_b']): AgentReport {
  const names = ['test_1_a', 'test_1_b', 'test_2_b'];
  return parseReport(
    JSON.stringify({
      schema: 'bpf-assoc-vm-report',
      version: 1,
      agent: { version: '1', libbpf: 'v1.4', assocApi: 'raw-syscall' },
      kernel: { release: '6.12.117', version: '#1', machine: 'x86_64', assocCommand: 'supported', assocProbeErrno: 'EBADF', assocObservation: observed ? 'debugfs' : 'none', bpffs: true, euid: 0 },
      object: { file: 'repoint.bpf.o', open: { ok: true, errno: null }, load: { attempted: true, ok: true, errno: null }, libbpfLog: '' },
      slots: [{ map: 'map_b', member: 'test_1', program: 'test_1_a', performed: true, ok: true, errno: null }],
      programs: names.map((name, i) => ({
        name,
        section: 'struct_ops/test_1',
        type: 'struct_ops',
        autoload: name === 'test_1_a',
        loaded: name === 'test_1_a',
        ...(name === 'test_1_a' ? { id: 10 + i } : {}),
        ...(observed?.[name] ? { association: observed[name] } : {}),
      })),
      maps: [],
      associations: [],
      attachments: attached.map((map) => ({ map, performed: true, ok: true, errno: null })),
      dmesg: { before: { available: true, errors: 0, oopses: 0 }, after: { available: true, errors: 0, oopses: 0, newLines: '' } },
      cancelled: false,
      durationMs: 1,
    }),
  );
}

const result = (target: string, r: AgentReport): TargetResult => ({ target, destination: target, status: 'completed', message: '', report: r, kernel: r.kernel.release, notes: [], timings: { totalMs: 0 }, transcript: [] });

describe('remote: slots re-pointed by the loader', () => {
  before(async function () {
    this.timeout(60_000);
    ensureFixturesBuilt();
    await loadGrammar();
  });

  it('the plan carries skel->struct_ops.M->slot = P / NULL, and the agent gets them as --slot', () => {
    const plan = buildPlan(caseWorkspace('loader-repoint').model(), 'repoint');
    assert.deepEqual(plan.slots.map((s) => [s.map, s.member, s.program]), [['map_b', 'test_1', 'test_1_a'], ['map_b', 'test_2', null]]);
    assert.ok(plan.slots.every((s) => s.location.file.endsWith('loader-repoint/loader.c')));
    assert.ok(plan.loader?.endsWith('loader.c'), 'the loader is named even though it associates nothing');
    assert.match(plan.notes.join('\n'), /Re-points 2 struct_ops slot\(s\) before load.*map_b\.test_1 = test_1_a, map_b\.test_2 = NULL/);
    assert.doesNotMatch(plan.notes.join('\n'), /as compiled/);
    const args = agentArgs(plan, 'o.bpf.o', { allowAttach: true, pidfile: 'p' });
    assert.deepEqual(args.slice(args.indexOf('--slot'), args.indexOf('--slot') + 8), ['--slot', 'map_b', 'test_1', 'test_1_a', '--slot', 'map_b', 'test_2', '-']);
    assert.deepEqual(plan.attach.map((m) => m.map), ['map_a', 'map_b']);
  });

  it('"associate all" predicts what those calls leave behind', () => {
    const plan = buildPlan(caseWorkspace('explicit-calls').model(), 'assoc', { associateAllWith: 'other_map' });
    const state = (name: string) => plan.programs.find((p) => p.name === name);
    assert.deepEqual([state('good')?.predicted, state('good')?.maps], ['explicit', ['other_map']]);
    assert.equal(state('never_loaded')?.predicted, 'not-loaded');
    assert.equal(state('ops_test_1')?.predicted, 'auto', 'struct_ops programs keep their automatic association');
  });
});

describe('remote: associations read back', () => {
  let plan: ReturnType<typeof buildPlan>;
  before(async function () {
    this.timeout(60_000);
    ensureFixturesBuilt();
    await loadGrammar();
    plan = buildPlan(caseWorkspace('loader-repoint').model(), 'repoint');
  });

  const cell = (r: AgentReport, key: string, allow = true) => sideBySide(plan, [result('k', allow ? r : { ...r, attachments: [] })]).find((x) => x.key === key)?.observed.k;

  it('a test kernel: the poisoned program reads poisoned, as predicted', () => {
    const r = report({ test_1_a: { state: 'poisoned' } });
    assert.equal(r.kernel.assocObservation, 'debugfs');
    assert.deepEqual(r.slots[0], { map: 'map_b', member: 'test_1', program: 'test_1_a', performed: true, ok: true, errno: null });
    assert.deepEqual(cell(r, 'program:test_1_a'), { value: 'poisoned', verdict: 'match' });
    assert.deepEqual(cell(r, 'program:test_1_b'), { value: 'not loaded', verdict: 'match' });
  });

  it('a different state is a mismatch; a freed map and a map of another object are named as such', () => {
    assert.deepEqual(cell(report({ test_1_a: { state: 'associated', mapId: 7, map: 'map_a' } }), 'program:test_1_a'), { value: 'associated(map_a)', verdict: 'mismatch' });
    assert.deepEqual(cell(report({ test_1_a: { state: 'associated', mapId: 7, map: null } }), 'program:test_1_a'), { value: 'associated(map id 7)', verdict: 'mismatch' });
    assert.deepEqual(cell(report({ test_1_a: { state: 'freed' } }), 'program:test_1_a'), { value: 'freed', verdict: 'mismatch' });
  });

  it('without the maps attached (a target that does not allow it) the automatic prediction is not judged', () => {
    assert.deepEqual(cell(report({ test_1_a: { state: 'none' } }), 'program:test_1_a', false), { value: 'none (map_a, map_b not attached here)', verdict: 'skipped' });
  });

  it('a kernel without a read-back: not observable', () => {
    const r = report(null);
    assert.equal(r.kernel.assocObservation, 'none');
    assert.equal(cell(r, 'program:test_1_a')?.verdict, 'not-observable');
  });

  it('rejects an unknown state or observation method', () => {
    const bad = JSON.parse(JSON.stringify(report({ test_1_a: { state: 'poisoned' } }))) as { kernel: Record<string, unknown>; programs: { association?: unknown }[] };
    bad.kernel.assocObservation = 'guess';
    assert.throws(() => parseReport(JSON.stringify(bad)), /assocObservation/);
    bad.kernel.assocObservation = 'debugfs';
    (bad.programs[0] as { association?: unknown }).association = { state: 'maybe' };
    assert.throws(() => parseReport(JSON.stringify(bad)), /association\.state should be none, associated, poisoned, freed/);
  });

  it('says what a kernel lacks from libbpf\'s log', () => {
    assert.equal(kernelLacks("libbpf: struct_ops init_kern: struct bpf_testmod_ops is not found in kernel BTF\n"), 'struct_ops type bpf_testmod_ops');
    assert.equal(kernelLacks("libbpf: extern (func ksym) 'bpf_kfunc_x': not found in kernel or module BTFs\n"), 'kfunc bpf_kfunc_x');
    assert.equal(kernelLacks('libbpf: struct_ops init_kern minimal_ops: Cannot find member sub_attach in kernel BTF'), "member sub_attach of minimal_ops's struct_ops type");
    assert.equal(kernelLacks('libbpf: prog x: BPF program load failed: Permission denied'), null);
  });
});
