// An association with a struct_ops map that libbpf never created, on the built-in VM's real Linux
// 7.x kernel with the workspace's own loader and real libbpf 1.7: bpf_map__fd() of such a map is
// libbpf's placeholder memfd after load, so both APIs reach the kernel, which answers EINVAL (an
// fd that is not a map), not EBADF — as the analysis predicts.
import { strict as assert } from 'node:assert';
import { runAssociationOnTargets } from '../../remote/src/index';
import { vmCacheDir } from '../../remote/src/localVm';
import { fixtureModel, loadedOnceSettled, settledBaseline, sharedVm } from './vm';

describe('VM: association with a map that was not created (placeholder fd)', () => {
  it('both APIs get EINVAL from the kernel, as predicted; the created map associates', async () => {
    const vm = await sharedVm();
    const before = await settledBaseline(vm);
    const { model, read } = await fixtureModel('ca-uncreated');
    const r = await runAssociationOnTargets({ model, objectId: 'ca_uncreated', readFile: read, targets: [vm.target()], builtin: [], cacheDir: vmCacheDir() });
    const t = r.targets[0];
    assert.ok(t);
    assert.equal(t.status, 'completed', `${t.message}\n${t.transcript.join('\n')}`);
    assert.equal(t.report?.kernel.assocCommand, 'supported', `the kernel (${t.kernel}) knows BPF_PROG_ASSOC_STRUCT_OPS`);
    assert.equal(t.report?.loader?.executed, true, "the workspace's loader ran");
    const calls = r.rows.filter((x) => x.kind === 'call');
    const answers = calls.map((c) => [c.label.replace(/\(.*/, ''), c.predicted, c.observed[t.target]?.value, c.observed[t.target]?.verdict]);
    assert.deepEqual(answers, [
      ['bpf_prog_assoc_struct_ops', 'EINVAL', 'EINVAL', 'match'],
      ['bpf_program__assoc_struct_ops', 'EINVAL', 'EINVAL', 'match'],
      ['bpf_program__assoc_struct_ops', '0', '0', 'match'],
    ]);
    const refused = (t.report?.associations ?? []).filter((a) => a.map === 'bpfa_ca_spare');
    assert.deepEqual(
      refused.map((a) => [a.errno, a.answeredBy]),
      [
        ['EINVAL', 'kernel'],
        ['EINVAL', 'kernel'],
      ],
      'the kernel answered both (libbpf passed the placeholder fd on)',
    );
    assert.deepEqual(await loadedOnceSettled(vm, before), before, 'nothing left loaded');
  });
});
