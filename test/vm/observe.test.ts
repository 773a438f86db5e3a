// Reading associations back without the test kernel's help: the agent's bpf_prog iterator reads
// prog->aux->st_ops_assoc through BTF, as it would on Linux 7.0. On the test kernel (which has
// that field, as 7.0 does) it must see exactly what the test kernel's debugfs file lists; on
// Debian's 6.12 it must say the field is absent.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace } from '../../server/src/node/scan';
import { runAssociationOnTargets, type VmRunResults } from '../../remote/src/index';
import { vmCacheDir, type LocalVm } from '../../remote/src/localVm';
import { buildAllFixtures, REPO, sharedStockVm, sharedTestKernelVm } from './vm';

const read = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

async function run(vm: LocalVm, fixture: string, objectId: string, observe?: 'debugfs' | 'bpf-iter'): Promise<VmRunResults> {
  const [suite, name] = fixture.split('/') as [string, string];
  const base = suite === 'vm' ? 'test/vm/fixtures' : 'test/fixtures/cases';
  const include = suite === 'vm' ? 'test/vm/fixtures/include' : 'test/fixtures/include';
  const model = loadWorkspace([join(REPO, base, name), join(REPO, '.build', base, name), join(REPO, include)]).workspace.model();
  return runAssociationOnTargets({ model, objectId, readFile: read, targets: [vm.target()], builtin: [], cacheDir: vmCacheDir(), ...(observe ? { observe } : {}) });
}

const programs = (r: VmRunResults): [string, string | undefined][] => r.rows.filter((x) => x.kind === 'program').map((x) => [x.label, Object.values(x.observed)[0]?.value]);

describe('VM: associations read back with a bpf_prog iterator (the way for Linux 7.0)', () => {
  before(async () => {
    await buildAllFixtures();
  });

  for (const [fixture, objectId] of [['cases/poisoned-shared', 'shared'], ['cases/explicit-calls', 'assoc'], ['cases/loader-repoint', 'repoint'], ['vm/ca-link', 'ca_link']] as const) {
    it(`${fixture}: the iterator sees what the test kernel's debugfs file lists`, async () => {
      const vm = await sharedTestKernelVm();
      const viaDebugfs = await run(vm, fixture, objectId, 'debugfs');
      const viaIter = await run(vm, fixture, objectId, 'bpf-iter');
      assert.equal(viaDebugfs.targets[0]?.report?.kernel.assocObservation, 'debugfs', viaDebugfs.targets[0]?.message);
      assert.equal(viaIter.targets[0]?.report?.kernel.assocObservation, 'bpf-iter', viaIter.targets[0]?.report?.kernel.assocObservationNote);
      assert.ok(programs(viaIter).some(([, v]) => v?.startsWith('associated(') || v === 'poisoned'), 'some association observed');
      assert.deepEqual(programs(viaIter), programs(viaDebugfs));
    });
  }

  it("Debian's 6.12: the iterator runs, and says bpf_prog_aux has no st_ops_assoc", async () => {
    const r = await run(await sharedStockVm(), 'vm/ca-struct-ops', 'ca_struct_ops', 'bpf-iter');
    const k = r.targets[0]?.report?.kernel;
    assert.equal(k?.assocObservation, 'none');
    assert.match(k?.assocObservationNote ?? '', /bpf_prog_aux has no st_ops_assoc/);
    assert.ok(programs(r).every(([, v]) => v?.includes('not observable')));
  });
});
