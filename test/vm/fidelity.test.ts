// Fidelity: every analysis fixture that can run on a VM, run through both built-in Debian kernels,
// and the analysis's prediction compared with what the kernels report. "local" (Linux 7.3 with the
// kernel selftests' bpf_testmod.ko; the agent reads each program's association back with its
// bpf_prog iterator) is the oracle; Debian's stock 6.12 ("local-6.12", no association command) runs
// side by side. Writes the generated part of docs/fidelity.md.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runAssociationOnTargets } from '../../remote/src/index';
import { vmCacheDir } from '../../remote/src/localVm';
import { caseObjects, fixtureCases, structOpsOfVmlinuxH } from './fidelity/cases';
import { compareObject, disagreements, ORACLE, tally, type ObjectOutcome } from './fidelity/compare';
import { explain, unusedExplanations } from './fidelity/explanations';
import { renderFidelity, writeGenerated, type NotRunnable } from './fidelity/render';
import { buildAllFixtures, guest, loaded, loadedOnceSettled, rebootShared, REPO, sharedStockVm, sharedVm } from './vm';

const STOCK = 'local-6.12';

describe('VM: fidelity of the analysis against Linux 7.3 with bpf_testmod, beside stock 6.12', () => {
  it('every runnable fixture: predictions equal what Linux 7.3 reports; every disagreement explained', async function () {
    // Every object runs its loader on two emulated kernels: minutes under TCG.
    this.timeout(2_400_000);
    const started = Date.now();
    await buildAllFixtures();
    let [oracleVm, stockVm] = await Promise.all([sharedVm(), sharedStockVm()]);
    const firstBoot = { oracle: oracleVm.bootMs, stock: stockVm.bootMs };
    const before = await Promise.all([loaded(oracleVm), loaded(stockVm)]);
    const reboots: string[] = [];
    const booted = Date.now();
    // The struct_ops types the oracle kernel implements and their members, from its own BTF (the
    // kernel's and bpf_testmod's, as bpftool on the guest prints them).
    const btf = await guest(oracleVm, 'bpftool btf dump file /sys/kernel/btf/vmlinux format c && bpftool btf dump file /sys/kernel/btf/bpf_testmod format c');
    const kernelTypes = structOpsOfVmlinuxH(btf);
    assert.ok(kernelTypes.get('bpf_testmod_multi_st_ops')?.has('test_1'), `oracle kernel struct_ops types (is bpf_testmod loaded? npm run vm:setup): ${[...kernelTypes.keys()].join(', ')}`);

    const outcomes: ObjectOutcome[] = [];
    const notRunnable: NotRunnable[] = [];
    const kernels: Record<string, string> = {};
    for (const c of fixtureCases(REPO)) {
      for (const o of caseObjects(c, kernelTypes, REPO)) {
        if (!o.runnable) {
          notRunnable.push({ fixture: o.fixture, object: o.objectId, why: o.why });
          continue;
        }
        const r = await runAssociationOnTargets({
          model: o.model,
          objectId: o.objectId,
          readFile: o.read,
          targets: [oracleVm.target({ name: ORACLE }), stockVm.target({ name: STOCK })],
          builtin: [],
          cacheDir: vmCacheDir(),
        });
        // A VM that died or hung fails this object's run; the next object gets a fresh one.
        for (const t of r.targets.filter((x) => x.error?.kind === 'vm-died' || x.error?.kind === 'run-timeout')) {
          reboots.push(`${t.target} after ${o.fixture}`);
          if (t.target === ORACLE) oracleVm = await rebootShared(oracleVm);
          else stockVm = await rebootShared(stockVm);
        }
        for (const t of r.targets) {
          if (!t.report) continue;
          kernels[t.target] ??= t.kernel ?? '?';
          if (t.target === ORACLE) assert.equal(t.report.kernel.assocObservation, 'bpf-iter', 'the agent reads associations back on Linux 7.3');
          else assert.deepEqual([t.report.kernel.assocCommand, t.report.kernel.assocObservation], ['missing', 'none'], 'the stock kernel lacks command 38 and observes nothing');
        }
        outcomes.push(compareObject(o.fixture, r));
        process.stdout.write(`      ${o.fixture} ${o.objectId}: ${r.targets.map((t) => `${t.target} ${t.status} ${t.timings.totalMs} ms`).join(', ')}\n`);
      }
    }
    const ran = Date.now();
    const run = {
      targets: [
        { name: ORACLE, kernel: kernels[ORACLE] ?? '?', what: "Debian's Linux 7.3 (trixie-backports) with the kernel selftests' bpf_testmod.ko" },
        { name: STOCK, kernel: kernels[STOCK] ?? '?', what: "Debian's stock 6.12" },
      ],
      outcomes,
      notRunnable,
    };
    const changed = writeGenerated(join(REPO, 'docs/fidelity.md'), renderFidelity(run));
    const oracle = tally(outcomes, ORACLE);
    const stock = tally(outcomes, STOCK);
    const all = disagreements(outcomes);
    process.stdout.write(
      `      ${outcomes.length} objects run, ${notRunnable.length + outcomes.filter((o) => o.openFailed).length} not runnable; ` +
        `${ORACLE}: ${oracle.agree}/${oracle.compared}; ${STOCK}: ${stock.agree}/${stock.compared} comparable, ${stock.lacksCommand} kernel lacks the command, ${stock.notObservable} not observable, ${stock.kernelLacksType} not run (kernel lacks a type or kfunc)\n` +
        `      boot both VMs ${booted - started} ms (7.3 ${firstBoot.oracle} ms, stock ${firstBoot.stock} ms, ${oracleVm.accel}); reboots: ${reboots.join(', ') || 'none'}; runs ${ran - booted} ms; total ${Date.now() - started} ms; docs/fidelity.md ${changed ? 'updated' : 'unchanged'}\n`,
    );
    const unexplained = all.filter((d) => !explain(d));
    assert.deepEqual(unexplained, [], 'every disagreement is explained in test/vm/fidelity/explanations.ts');
    assert.deepEqual(unusedExplanations(all).map((e) => `${e.fixture} ${e.object ?? ''} ${e.key ?? ''}`), [], 'no stale explanations');
    assert.equal((await guest(oracleVm, 'cat /sys/kernel/sched_ext/state')).trim(), 'disabled', 'no sched_ext scheduler left running');
    if (!reboots.length) {
      const after = await Promise.all([loadedOnceSettled(oracleVm, before[0]), loadedOnceSettled(stockVm, before[1])]);
      assert.deepEqual(after, before, 'nothing left loaded on either VM (sched_ext schedulers and congestion controls included)');
    }
    assert.ok(stock.lacksCommand > 0, 'the stock kernel answered EINVAL to command 38 on some call');
    assert.ok(oracle.compared > 50, `enough was compared: ${oracle.compared}`);
  });
});
