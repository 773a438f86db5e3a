// The user's own loader on the built-in VM: built here against libbpf 1.7 with the recorder,
// shipped over ssh and run by the agent. A loop that associates twice shows two calls with the
// kernel's real answer to the second; a loader that runs until SIGINT is stopped after its time
// budget; nothing stays loaded (bpftool on the guest).
import { strict as assert } from 'node:assert';
import { runAssociationOnTargets, type VmRunResults } from '../../remote/src/index';
import type { LocalVm } from '../../remote/src/localVm';
import { vmCacheDir } from '../../remote/src/localVm';
import { formatTable } from '../../remote/src/results';
import { fixtureModel, loaded, loadedOnceSettled, settledBaseline, sharedStockVm, sharedVm } from './vm';

async function run(vm: LocalVm, fixture: string, objectId: string, extra: Partial<Parameters<typeof runAssociationOnTargets>[0]> = {}): Promise<VmRunResults> {
  const { model, read } = await fixtureModel(fixture);
  return runAssociationOnTargets({ model, objectId, readFile: read, targets: [vm.target()], builtin: [], cacheDir: vmCacheDir(), ...extra });
}

describe("VM: the workspace's own loader runs", () => {
  let vm: LocalVm;
  before(async () => {
    vm = await sharedVm();
  });

  it('ca-loop: two association calls in a loop are two rows, the second with the kernel\'s real errno', async () => {
    const before = await settledBaseline(vm);
    const r = await run(vm, 'ca-loop', 'ca_loop');
    const t = r.targets[0];
    assert.equal(t?.status, 'completed', `${t?.message}\n${t?.transcript.join('\n')}`);
    const rep = t.report;
    assert.ok(rep?.loader?.executed, 'the loader was executed');
    assert.equal(rep.loader.libbpf, rep.agent.libbpf.replace(/^v/, ''));
    assert.match(rep.loader.libbpf ?? '', /^1\.7\.\d+$/);
    assert.equal(rep.loader.exitStatus, 0, rep.loader.output);
    assert.ok(rep.loader.file.endsWith('test/vm/fixtures/ca-loop/loader.c'));
    const calls = r.rows.filter((x) => x.kind === 'call');
    assert.deepEqual(calls.map((c) => c.label.replace(/\(.*/, '')), ['bpf_program__assoc_struct_ops', 'bpf_program__assoc_struct_ops']);
    const made = rep.associations.map((a) => [a.program, a.map, a.answeredBy, a.errno]);
    if (rep.kernel.assocCommand === 'supported') {
      // Linux 7.0+: the first call associates the program, the second (another map) is refused.
      assert.deepEqual(made, [['bpfa_loop_probe', 'bpfa_loop_a', 'kernel', null], ['bpfa_loop_probe', 'bpfa_loop_b', 'kernel', 'EBUSY']]);
      assert.deepEqual(calls.map((c) => c.observed.local?.value), ['0', 'EBUSY']);
      assert.equal(r.rows.find((x) => x.key === 'program:bpfa_loop_probe')?.observed.local?.value, 'associated(bpfa_loop_a)');
    } else {
      assert.deepEqual(made, [['bpfa_loop_probe', 'bpfa_loop_a', 'kernel', 'EINVAL'], ['bpfa_loop_probe', 'bpfa_loop_b', 'kernel', 'EINVAL']]);
      assert.deepEqual(calls.map((c) => c.observed.local?.verdict), ['kernel-lacks-command', 'kernel-lacks-command']);
    }
    assert.deepEqual(rep.attachments.map((a) => [a.map, a.ok]), [['bpfa_loop_a', true], ['bpfa_loop_b', true]]);
    assert.match(formatTable(r.plan, r.targets), /loader executed: loader\.c \(exit status 0; libbpf 1\.7\.\d+\)/);
    assert.deepEqual(await loadedOnceSettled(vm, before), before, 'nothing left loaded');
  });

  it('ca-loop on stock 6.12: the same two calls, each answered "kernel lacks the command"', async () => {
    const stock = await sharedStockVm();
    const before = await settledBaseline(stock);
    const r = await run(stock, 'ca-loop', 'ca_loop');
    const t = r.targets[0];
    assert.equal(t?.status, 'completed', `${t?.message}\n${t?.transcript.join('\n')}`);
    assert.equal(t.report?.kernel.assocCommand, 'missing');
    assert.ok(t.report?.loader?.executed);
    assert.deepEqual(r.rows.filter((x) => x.kind === 'call').map((c) => [c.label.replace(/^[^(]*\(/, '('), Object.values(c.observed)[0]?.value, Object.values(c.observed)[0]?.verdict]), [
      ['(bpfa_loop_probe, bpfa_loop_a)', 'EINVAL (kernel lacks the command)', 'kernel-lacks-command'],
      ['(bpfa_loop_probe, bpfa_loop_b)', 'EINVAL (kernel lacks the command)', 'kernel-lacks-command'],
    ]);
    assert.deepEqual(await loadedOnceSettled(stock, before), before, 'nothing left loaded');
  });

  it('a loader that runs until SIGINT: its state read at the budget, then a clean stop; nothing left', async () => {
    const before = await settledBaseline(vm);
    let held: Awaited<ReturnType<typeof loaded>> | null = null;
    let check: Promise<void> = Promise.resolve();
    const r = await run(vm, 'ca-until-sigint', 'ca_until_sigint', {
      loaderBudget: 4,
      onProgress: (_t, step) => {
        if (step === 'stage: attached') check = loaded(vm).then((l) => void (held = l));
      },
    });
    await check;
    const t = r.targets[0];
    assert.equal(t?.status, 'completed', `${t?.message}\n${t?.transcript.join('\n')}`);
    const l = t.report?.loader;
    assert.ok(l?.executed);
    assert.equal(l.stoppedBy, 'time-budget');
    assert.equal(l.exitStatus, 0, 'the loader stopped cleanly on SIGINT');
    // Read back twice: when the budget ran out, and when the loader, stopped, destroyed its skeleton.
    assert.deepEqual(l.snapshots.map((s) => s.why), ['time-budget', 'destroy:ca_until_sigint']);
    assert.equal(l.observedAt, 'destroy');
    assert.ok(l.record.includes('destroy\tca_until_sigint'), 'the loader destroyed its skeleton after SIGINT');
    const h = held as Awaited<ReturnType<typeof loaded>> | null;
    assert.ok(h?.congestion.includes('bpfa_run_ca'), 'registered while it ran');
    if (t.report?.kernel.assocObservation !== 'none') assert.equal(r.rows.find((x) => x.key === 'program:bpfa_run_probe')?.observed.local?.value, t.report?.kernel.assocCommand === 'supported' ? 'associated(bpfa_run_ca)' : 'none');
    assert.deepEqual(await loadedOnceSettled(vm, before), before, 'nothing left loaded');
  });

  it('replaying the plan instead, when asked: the report says so', async () => {
    const r = await run(vm, 'ca-link', 'ca_link', { replayPlan: true });
    const t = r.targets[0];
    assert.equal(t?.status, 'completed', t?.message);
    assert.deepEqual(t.report?.loader, { executed: false, file: t.report?.loader?.file ?? null, why: 'replaying the plan was asked for' });
    assert.match(formatTable(r.plan, r.targets), /plan replayed: replaying the plan was asked for/);
  });
});
