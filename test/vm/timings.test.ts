// Measures a run on the built-in VM against a bare `ssh target true` (fresh connection each), and
// prints the split: connect, upload, build, run. The VM is already up (boot is measured by cli.test).
import { strict as assert } from 'node:assert';
import { runAssociationOnTargets } from '../../remote/src/index';
import { vmCacheDir } from '../../remote/src/localVm';
import { runLocal } from '../../remote/src/transport';
import { fixtureModel, sharedVm } from './vm';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('VM: timings', () => {
  it('a warm run compared with a bare ssh true', async () => {
    const vm = await sharedVm();
    const bare: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      const r = await runLocal('ssh', ['-F', vm.sshConfig, '-o', 'BatchMode=yes', 'bpf-assoc-local', 'true'], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      bare.push(Date.now() - t);
    }
    const { model, read } = await fixtureModel('ca-struct-ops');
    const runs: Record<string, number>[] = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      const r = await runAssociationOnTargets({ model, objectId: 'ca_struct_ops', readFile: read, targets: [vm.target()], builtin: [], cacheDir: vmCacheDir() });
      assert.equal(r.targets[0]?.status, 'completed');
      runs.push({ ...(r.targets[0]?.timings as unknown as Record<string, number>), wall: Date.now() - t });
    }
    const m = (k: string): number => median(runs.map((r) => r[k] ?? 0));
    process.stdout.write(
      `      accel ${vm.accel}, boot ${vm.bootMs} ms; bare ssh true: median ${median(bare)} ms (${bare.join(', ')})\n` +
        `      run (median of 3, agent cached on the VM): total ${m('wall')} ms = connect ${m('connectMs')} + upload ${m('uploadMs')} + build ${m('buildMs')} + run ${m('runMs')} (+ cleanup)\n` +
        `      overhead over bare ssh: ${m('wall') - median(bare)} ms (${(m('wall') / median(bare)).toFixed(1)}x)\n`,
    );
  });
});
