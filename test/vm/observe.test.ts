// Reading associations back: the agent's bpf_prog iterator reads prog->aux->st_ops_assoc through
// BTF. On Debian's Linux 7.3 it sees the associations (that it agrees with the kernel's own
// bpf_kfunc_multi_st_ops_test_1_assoc() for explicit, auto, poisoned and none is checked in
// selftests.test.ts); on Debian's 6.12 it must say the field is absent.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace } from '../../server/src/node/scan';
import { runAssociationOnTargets, type VmRunResults } from '../../remote/src/index';
import { vmCacheDir, type LocalVm } from '../../remote/src/localVm';
import { buildAllFixtures, REPO, sharedStockVm, sharedVm } from './vm';

const read = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

async function run(vm: LocalVm, fixture: string, objectId: string, observe?: 'bpf-iter'): Promise<VmRunResults> {
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

  it('Linux 7.3: the iterator reads the associations back, as predicted', async () => {
    const r = await run(await sharedVm(), 'vm/ca-link', 'ca_link', 'bpf-iter');
    assert.equal(r.targets[0]?.report?.kernel.assocObservation, 'bpf-iter', r.targets[0]?.report?.kernel.assocObservationNote);
    assert.deepEqual(programs(r), [
      ['bpfa_link_ssthresh', 'associated(bpfa_ca_link)'],
      ['bpfa_link_cong_avoid', 'associated(bpfa_ca_link)'],
      ['bpfa_link_undo_cwnd', 'associated(bpfa_ca_link)'],
      ['bpfa_link_probe', 'associated(bpfa_ca_link)'],
    ]);
  });

  it("Debian's 6.12: the iterator runs, and says bpf_prog_aux has no st_ops_assoc", async () => {
    const r = await run(await sharedStockVm(), 'vm/ca-struct-ops', 'ca_struct_ops', 'bpf-iter');
    const k = r.targets[0]?.report?.kernel;
    assert.equal(k?.assocObservation, 'none');
    assert.match(k?.assocObservationNote ?? '', /bpf_prog_aux has no st_ops_assoc/);
    assert.ok(programs(r).every(([, v]) => v?.includes('not observable')));
  });
});
