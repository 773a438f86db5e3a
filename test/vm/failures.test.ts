// Each failure gives its own message, over the real ssh path to the built-in VM: a wrong host
// key, an unknown one, a closed port, a user without root (with and without sudo), a target
// without a compiler, hostile names, and a VM that dies in the middle of a run.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkspace } from '../../server/src/node/scan';
import { runAssociationOnTargets, type VmRunResults } from '../../remote/src/index';
import { LocalVm, vmCacheDir } from '../../remote/src/localVm';
import type { VmTarget } from '../../remote/src/targets';
import { fixtureModel, guest, image, REPO, settledBaseline, sharedVm } from './vm';

const scratch = mkdtempSync(join(tmpdir(), 'bpfa-vmfail-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function runOn(target: VmTarget, extra: Partial<Parameters<typeof runAssociationOnTargets>[0]> = {}): Promise<VmRunResults> {
  const { model, read } = await fixtureModel('ca-struct-ops');
  return runAssociationOnTargets({ model, objectId: 'ca_struct_ops', readFile: read, targets: [target], builtin: [], cacheDir: vmCacheDir(), ...extra });
}

function only(r: VmRunResults) {
  const t = r.targets[0];
  assert.ok(t);
  return t;
}

/** A copy of the VM's ssh config with one line replaced. */
function configWith(vm: LocalVm, name: string, edit: (text: string) => string): string {
  const f = join(scratch, name);
  writeFileSync(f, edit(readFileSync(vm.sshConfig, 'utf8')));
  return f;
}

describe('VM: failures and their messages', () => {
  let vm: LocalVm;
  before(async () => {
    vm = await sharedVm();
  });

  it('a changed host key', async () => {
    const keys = join(scratch, 'wrong');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keys]);
    const known = join(scratch, 'known_hosts_wrong');
    writeFileSync(known, `bpf-assoc-local ${readFileSync(`${keys}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const cfg = configWith(vm, 'cfg-wrong-key', (t) => t.replace(/UserKnownHostsFile .*/, `UserKnownHostsFile "${known}"`));
    const t = only(await runOn({ ...vm.target(), sshConfig: cfg }));
    assert.equal(t.error?.kind, 'host-key-changed', t.transcript.join('\n'));
    assert.match(t.message, /host key of local has changed/);
    assert.equal(readFileSync(known, 'utf8').split('\n').filter(Boolean).length, 1, 'known_hosts untouched');
  });

  it('an unknown host key is not accepted silently', async () => {
    const known = join(scratch, 'known_hosts_empty');
    writeFileSync(known, '');
    const cfg = configWith(vm, 'cfg-no-key', (t) => t.replace(/UserKnownHostsFile .*/, `UserKnownHostsFile "${known}"`));
    const t = only(await runOn({ ...vm.target(), sshConfig: cfg }));
    assert.equal(t.error?.kind, 'host-key-unknown');
    assert.match(t.message, /acceptNewHostKey/);
    assert.equal(readFileSync(known, 'utf8'), '', 'known_hosts not written');
  });

  it('an unreachable host (a closed port on 127.0.0.1)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const t = only(await runOn({ ...vm.target(), port, connectTimeout: 5 }));
    assert.equal(t.error?.kind, 'unreachable');
    assert.match(t.message, /connection was refused/);
  });

  it('a user without root', async () => {
    const t = only(await runOn(vm.target({ user: 'tester' })));
    assert.equal(t.error?.kind, 'no-root');
    assert.match(t.message, /uid 1000\) is not root/);
    const withSudo = only(await runOn({ ...vm.target({ user: 'tester' }), sudo: true }));
    assert.equal(withSudo.error?.kind, 'no-root');
    assert.match(withSudo.message, /sudo -n does not work/);
  });

  it('an unknown user fails authentication', async () => {
    const t = only(await runOn(vm.target({ user: 'nobody' })));
    assert.equal(t.error?.kind, 'auth-failed');
  });

  it('a target without a compiler cannot build the agent there', async () => {
    const t = only(await runOn({ ...vm.target(), agentBuild: 'remote' }));
    assert.equal(t.error?.kind, 'no-compiler');
    assert.match(t.message, /agentBuild": "local-static"/);
  });

  it('hostile file and directory names reach the target as names', async () => {
    const marker = `pwned-${process.pid}`; // relative: it would land in a shell's working directory
    const dir = join(scratch, `ws $(touch ${marker})`);
    mkdirSync(dir);
    const name = `it's $(touch ${marker}) \`id\`.bpf.o`;
    copyFileSync(join(REPO, '.build/test/vm/fixtures/ca-link/ca_link.bpf.o'), join(dir, name));
    const ws = loadWorkspace([dir]).workspace;
    const r = await runAssociationOnTargets({
      model: ws.model(),
      objectId: ws.model().objects[0]?.id ?? '',
      readFile: (p) => new Uint8Array(readFileSync(p)),
      targets: [{ ...vm.target(), remoteDir: `/tmp/bpf assoc '$(touch ${marker})' "q"` }],
      builtin: [],
      cacheDir: vmCacheDir(),
    });
    const t = only(r);
    assert.equal(t.status, 'completed', `${t.message}\n${t.transcript.join('\n')}`);
    assert.equal(r.plan.shipped.remoteName, name);
    assert.equal(t.report?.object?.file.endsWith(`/${name}`), true);
    for (const where of [process.cwd(), scratch, dir]) assert.equal(existsSync(join(where, marker)), false, `nothing ran here: ${where}`);
    assert.equal((await guest(vm, `find / -name '${marker}' -not -path '/proc/*' 2>/dev/null`)).trim(), '', 'nothing ran on the guest');
    assert.ok((await guest(vm, 'ls /tmp')).split('\n').includes(`bpf assoc '$(touch ${marker})' "q"`), 'the remote directory has exactly the name asked for');
  });

  it('a VM that dies in the middle of a run', async () => {
    const own = await LocalVm.start(image('local'));
    try {
      let killed: Promise<void> = Promise.resolve();
      const r = await runOn(own.target(), {
        hold: { stage: 'load', seconds: 120 },
        onProgress: (_t, step) => {
          if (step === 'stage: holding load') killed = own.kill();
        },
      });
      await killed;
      const t = only(r);
      assert.equal(t.error?.kind, 'vm-died', `${t.message}\n${t.transcript.join('\n')}`);
      assert.match(t.message, /connection to local was lost during the run/);
    } finally {
      await own.stop();
    }
  });

  it('the shared VM has nothing left loaded after all this', async () => {
    const l = await settledBaseline(vm);
    assert.ok(!l.progs.some((p) => p.startsWith('bpfa_')), l.progs.join(' '));
  });
});
