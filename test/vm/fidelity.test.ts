// Fidelity: every analysis fixture that can run on a VM, run through both built-in targets, and
// the analysis's prediction compared with what the kernels report. The test kernel (kernel/, a
// test backport of Linux 7.0's BPF_PROG_ASSOC_STRUCT_OPS onto 6.12 that lists every program's
// association in debugfs) is the oracle; Debian's stock 6.12 runs side by side. Writes the
// generated part of docs/fidelity.md.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAssociationOnTargets } from '../../remote/src/index';
import { testKernelDir, vmCacheDir } from '../../remote/src/localVm';
import { caseObjects, fixtureCases, structOpsOfVmlinuxH } from './fidelity/cases';
import { compareObject, disagreements, ORACLE, tally, type ObjectOutcome } from './fidelity/compare';
import { explain, unusedExplanations } from './fidelity/explanations';
import { renderFidelity, writeGenerated, type NotRunnable } from './fidelity/render';
import { buildAllFixtures, guest, loaded, loadedOnceSettled, rebootShared, REPO, sharedStockVm, sharedTestKernelVm } from './vm';

const STOCK = 'local-6.12';

describe('VM: fidelity of the analysis against the test kernel, beside the stock kernel', () => {
  it('every runnable fixture: predictions equal what the test kernel reports; every disagreement explained', async function () {
    const started = Date.now();
    await buildAllFixtures();
    let [testVm, stockVm] = await Promise.all([sharedTestKernelVm(), sharedStockVm()]);
    const firstBoot = { test: testVm.bootMs, stock: stockVm.bootMs };
    const before = await Promise.all([loaded(testVm), loaded(stockVm)]);
    const reboots: string[] = [];
    const booted = Date.now();
    // The struct_ops types the test kernel implements and their members, from its BTF (vmlinux.h beside the bzImage).
    const kernelTypes = structOpsOfVmlinuxH(readFileSync(join(testKernelDir(), 'vmlinux.h'), 'utf8'));
    assert.ok(kernelTypes.get('bpf_testmod_multi_st_ops')?.has('test_1'), `test kernel struct_ops types: ${[...kernelTypes.keys()].join(', ')}`);

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
          targets: [testVm.target({ name: ORACLE }), stockVm.target({ name: STOCK })],
          builtin: [],
          cacheDir: vmCacheDir(),
        });
        // A VM that died or hung fails this object's run; the next object gets a fresh one.
        for (const t of r.targets.filter((x) => x.error?.kind === 'vm-died' || x.error?.kind === 'run-timeout')) {
          reboots.push(`${t.target} after ${o.fixture}`);
          if (t.target === ORACLE) testVm = await rebootShared(testVm);
          else stockVm = await rebootShared(stockVm);
        }
        for (const t of r.targets) {
          if (!t.report) continue;
          kernels[t.target] ??= t.kernel ?? '?';
          if (t.target === ORACLE) assert.equal(t.report.kernel.assocObservation, 'debugfs', 'the test kernel reports associations back');
          else assert.deepEqual([t.report.kernel.assocCommand, t.report.kernel.assocObservation], ['missing', 'none'], 'the stock kernel lacks command 38 and observes nothing');
        }
        outcomes.push(compareObject(o.fixture, r));
      }
    }
    const ran = Date.now();
    const run = {
      targets: [
        { name: ORACLE, kernel: kernels[ORACLE] ?? '?', what: 'bpf-assoc test kernel: 6.12 with a test backport of the 7.0 feature' },
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
        `      boot both VMs ${booted - started} ms (test kernel ${firstBoot.test} ms, stock ${firstBoot.stock} ms, ${testVm.accel}); reboots: ${reboots.join(', ') || 'none'}; runs ${ran - booted} ms; total ${Date.now() - started} ms; docs/fidelity.md ${changed ? 'updated' : 'unchanged'}\n`,
    );
    const unexplained = all.filter((d) => !explain(d));
    assert.deepEqual(unexplained, [], 'every disagreement is explained in test/vm/fidelity/explanations.ts');
    assert.deepEqual(unusedExplanations(all).map((e) => `${e.fixture} ${e.object ?? ''} ${e.key ?? ''}`), [], 'no stale explanations');
    assert.equal((await guest(testVm, 'cat /sys/kernel/sched_ext/state')).trim(), 'disabled', 'no sched_ext scheduler left running');
    if (!reboots.length) {
      const after = await Promise.all([loadedOnceSettled(testVm, before[0]), loadedOnceSettled(stockVm, before[1])]);
      assert.deepEqual(after, before, 'nothing left loaded on either VM (sched_ext schedulers and congestion controls included)');
    }
    assert.ok(stock.lacksCommand > 0, 'the stock kernel answered EINVAL to command 38 on some call');
    assert.ok(oracle.compared > 50, `enough was compared: ${oracle.compared}`);
  });
});
