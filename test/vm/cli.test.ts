// The README's first command, end to end: `bpf-assoc run --target local` from the bundled CLI boots
// the built-in VM, runs the fixture's associations over ssh and prints the JSON results.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runLocal } from '../../remote/src/transport';
import { fixtureModel, REPO } from './vm';

describe('VM: bpf-assoc run --target local', () => {
  it("prints predicted vs observed for Debian's 7.3 (the association command is there) and exits 0", async function () {
    const cli = join(REPO, 'dist/cli.js');
    if (!existsSync(cli)) assert.fail('dist/cli.js is missing: run npm run build first');
    await fixtureModel('ca-link'); // builds the fixtures
    const started = Date.now();
    const r = await runLocal(process.execPath, [cli, 'run', '--target', 'local', join(REPO, 'test/vm/fixtures/ca-link'), join(REPO, 'test/vm/fixtures/include'), join(REPO, '.build/test/vm/fixtures/ca-link')], { timeoutMs: 280_000 });
    const wall = Date.now() - started;
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.schema, 'bpf-assoc-vm-run');
    const t = out.targets[0];
    assert.equal(t.status, 'completed');
    assert.match(t.kernel, /^7\.3\.\d+\+deb13-amd64$/);
    assert.equal(t.report.kernel.assocCommand, 'supported');
    const call = out.rows.find((x: { kind: string }) => x.kind === 'call');
    assert.deepEqual(call.observed.local, { value: '0', verdict: 'match' });
    assert.deepEqual(out.rows.find((x: { key: string }) => x.key === 'program:bpfa_link_probe').observed.local, { value: 'associated(bpfa_ca_link)', verdict: 'match' });
    assert.match(r.stderr, /\[local\] booting\n\[local\] connecting/);
    const ms = t.timings as Record<string, number>;
    process.stdout.write(`      command to results: ${wall} ms (boot ${ms.bootMs}, connect ${ms.connectMs}, upload ${ms.uploadMs}, build ${ms.buildMs}, run ${ms.runMs}; VM stop and CLI start-up make up the rest)\n`);
  });
});
