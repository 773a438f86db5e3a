// The association run on the built-in VM local-6.12 (Debian's stock 6.12 kernel in qemu, ssh on loopback): both
// kinds of struct_ops map load and register, the explicit association reaches the kernel and is
// reported as "kernel lacks the command", Cancel mid-run leaves nothing loaded.
import { strict as assert } from 'node:assert';
import { KERNEL_LACKS_COMMAND, runAssociationOnTargets, type VmRunResults } from '../../remote/src/index';
import type { LocalVm } from '../../remote/src/localVm';
import { vmCacheDir } from '../../remote/src/localVm';
import { fixtureModel, guest, loaded, loadedOnceSettled, settledBaseline, sharedStockVm } from './vm';

async function run(vm: LocalVm, fixture: string, objectId: string, extra: Partial<Parameters<typeof runAssociationOnTargets>[0]> = {}): Promise<VmRunResults> {
  const { model, read } = await fixtureModel(fixture);
  return runAssociationOnTargets({ model, objectId, readFile: read, targets: [vm.target()], builtin: [], cacheDir: vmCacheDir(), ...extra });
}

function cell(r: VmRunResults, key: string) {
  return r.rows.find((x) => x.key === key)?.observed['local-6.12'];
}

describe('VM: associations on Debian 6.12 (local-6.12)', () => {
  let vm: LocalVm;
  before(async () => {
    vm = await sharedStockVm();
  });

  for (const [fixture, objectId, map, call] of [
    ['ca-struct-ops', 'ca_struct_ops', 'bpfa_ca', 'bpf_program__assoc_struct_ops'],
    ['ca-link', 'ca_link', 'bpfa_ca_link', 'bpf_prog_assoc_struct_ops'],
  ] as const) {
    it(`${objectId}: loads, registers ${map}, the association is answered "kernel lacks the command"`, async () => {
      const before = await settledBaseline(vm);
      const registered: string[][] = [];
      let checked: Promise<void> = Promise.resolve();
      const r = await run(vm, fixture, objectId, {
        // While the agent holds after attaching, the congestion control must be registered;
        // SIGUSR1 then lets the agent go on.
        hold: { stage: 'attach', seconds: 120 },
        onProgress: (_t, step) => {
          if (step === 'stage: holding attach') {
            checked = loaded(vm).then(async (l) => {
              registered.push(l.congestion);
              await guest(vm, 'kill -USR1 $(pidof bpf-assoc-agent)');
            });
          }
        },
      });
      await checked;
      const t = r.targets[0];
      assert.ok(t, 'one target');
      assert.equal(t.status, 'completed', `${t.message}\n${t.error?.detail ?? ''}\n${t.transcript.join('\n')}`);
      assert.match(t.kernel ?? '', /^6\.12\./);
      assert.equal(t.report?.kernel.assocCommand, 'missing');
      assert.ok(t.notes.includes(KERNEL_LACKS_COMMAND));
      assert.deepEqual(cell(r, 'object'), { value: 'loaded', verdict: 'match' });
      assert.deepEqual(cell(r, `attach:${map}`), { value: 'attached', verdict: 'match' });
      assert.ok(registered[0]?.includes(map), `${map} registered as a congestion control: ${registered[0]?.join(' ')}`);
      const calls = r.rows.filter((x) => x.kind === 'call');
      assert.ok(calls.some((c) => c.label.startsWith(call) && c.predicted === '0' && c.observed['local-6.12']?.verdict === 'kernel-lacks-command'));
      assert.equal(t.report?.associations.find((a) => a.answeredBy === 'kernel')?.errno, 'EINVAL');
      assert.deepEqual([t.report?.dmesg.after.errors, t.report?.dmesg.after.oopses], [t.report?.dmesg.before.errors, t.report?.dmesg.before.oopses], 'no new kernel errors');
      const after = await loadedOnceSettled(vm, before);
      assert.deepEqual(after, before, 'nothing left loaded');
      assert.ok(!after.congestion.includes(map));
    });
  }

  it('two targets in parallel, side by side; attaching off on one of them', async () => {
    const { model, read } = await fixtureModel('ca-struct-ops');
    const started = Date.now();
    const r = await runAssociationOnTargets({
      model,
      objectId: 'ca_struct_ops',
      readFile: read,
      targets: [vm.target({ name: 'attach' }), { ...vm.target({ name: 'no-attach' }), allowAttach: false }],
      builtin: [],
      cacheDir: vmCacheDir(),
    });
    assert.deepEqual(r.targets.map((t) => [t.target, t.status]), [['attach', 'completed'], ['no-attach', 'completed']]);
    const attach = r.rows.find((x) => x.key === 'attach:bpfa_ca');
    assert.deepEqual(attach?.observed.attach, { value: 'attached', verdict: 'match' });
    assert.deepEqual(attach?.observed['no-attach'], { value: 'not attached (not allowed on this target)', verdict: 'skipped' });
    assert.match(r.targets[1]?.notes.join('\n') ?? '', /attaching is off for this target/);
    const sequential = (r.targets[0]?.timings.totalMs ?? 0) + (r.targets[1]?.timings.totalMs ?? 0);
    assert.ok(Date.now() - started < sequential, 'the targets ran at the same time');
  });

  it('Cancel while the maps are attached: the agent detaches and frees everything', async () => {
    const before = await settledBaseline(vm);
    const abort = new AbortController();
    const seen: string[] = [];
    let held: Awaited<ReturnType<typeof loaded>> | null = null;
    let check: Promise<void> = Promise.resolve();
    // The run holds after attaching until cancelled; the check on the guest then cancels it.
    const r = await run(vm, 'ca-link', 'ca_link', {
      signal: abort.signal,
      hold: { stage: 'attach', seconds: 120 },
      onProgress: (_t, step) => {
        seen.push(step);
        if (step === 'stage: holding attach') {
          check = loaded(vm).then((l) => {
            held = l;
            abort.abort();
          });
        }
      },
    });
    await check;
    const h = held as Awaited<ReturnType<typeof loaded>> | null;
    assert.ok(h && h.progs.length > before.progs.length && h.maps.includes('bpfa_ca_link') && h.links > before.links, `loaded while held: ${JSON.stringify(h)}`);
    assert.ok(h.congestion.includes('bpfa_ca_link'));
    const t = r.targets[0];
    assert.equal(t?.status, 'cancelled', t?.message);
    assert.equal(t?.report?.cancelled, true, 'the agent reported its own cancellation');
    assert.equal(t?.report?.cleanup?.linksDestroyed, 1);
    assert.deepEqual(await loadedOnceSettled(vm, before), before, 'nothing left: no program, map or link');
    assert.ok(seen.includes('stage: attached'));
  });
});
