// The agent cached on a target between runs (issue 12, defect 9 and the cached-agent check): the
// real preflight and build scripts, run here with the local sh as ssh hands them over, and the
// agent built from its real sources with the local compiler and libbpf.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_BINARY, expectedAgentHash, localMachine, readAgentSources, recordRemoteAgent, staticAgentPath, type CachedAgentKey } from '../../remote/src/agentBuild';
import { parsePreflight, preflightProblem, type Preflight } from '../../remote/src/errors';
import { BUILD, PREFLIGHT } from '../../remote/src/remoteScripts';
import { remoteCommand } from '../../remote/src/ssh';
import { ustar } from '../../remote/src/tar';

const home = mkdtempSync(join(tmpdir(), 'bpfa-cache-'));
const shell = (argv: string[], input: Uint8Array = new Uint8Array()) =>
  spawnSync('sh', ['-c', remoteCommand(argv)], { input, encoding: 'utf8', env: { ...process.env, HOME: home } });
const preflight = (expectedHash: string) => shell(['sh', '-c', PREFLIGHT, 'sh', '~/cache', `t${Math.random().toString(16).slice(2)}`, '0', 'v1', 'remote', 'o.bpf.o', expectedHash]);
const remoteOptions = { sudo: false, agentBuild: 'remote' as const, localArch: localMachine() };
/** What the preflight may object to on this machine besides the compiler (the tests may not run as root). */
const expectedProblem = (pf: Preflight): string | null => (pf.uid === 0 ? null : 'no-root');

describe('remote: the agent cached on a target', () => {
  let agentHash = '';
  let buildOutput = '';
  const agentPath = join(home, 'cache', `agent-v1`, AGENT_BINARY);

  before(function () {
    this.timeout(120_000);
    const src = readAgentSources();
    const b = shell(['sh', '-c', BUILD, 'sh', join(home, 'src'), join(home, 'cache', 'agent-v1'), 'cc'], ustar(src.files.map((f) => ({ name: f.name, bytes: f.bytes }))));
    assert.equal(b.status, 0, b.stdout + b.stderr);
    buildOutput = b.stdout;
    agentHash = spawnSync('sha256sum', [agentPath], { encoding: 'utf8' }).stdout.slice(0, 64);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('a second run with agentBuild "remote" finds the agent cached and needs no compiler', () => {
    const r = preflight(agentHash);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^agent=cached$/m);
    const pf = parsePreflight(r.stdout) ?? assert.fail(r.stdout);
    assert.equal(preflightProblem('vm', pf, remoteOptions, '')?.kind ?? null, expectedProblem(pf));
    // Without cc on the target either: the cached agent needs none.
    assert.equal(preflightProblem('vm', { ...pf, cc: '', libbpf: 'unchecked' }, remoteOptions, '')?.kind ?? null, expectedProblem(pf));
  });

  it('a cached agent whose content differs from the one built is not run: the compiler is probed to rebuild it', () => {
    appendFileSync(agentPath, Buffer.from('tampered'));
    try {
      const r = preflight(agentHash);
      assert.match(r.stdout, /^agent=stale$/m);
      const pf = parsePreflight(r.stdout) ?? assert.fail(r.stdout);
      assert.equal(pf.agent, 'stale');
      assert.ok(pf.cc, 'the compiler is probed for the rebuild');
      assert.equal(preflightProblem('vm', { ...pf, cc: '' }, remoteOptions, '')?.kind, expectedProblem(pf) ?? 'no-compiler');
    } finally {
      const bytes = readFileSync(agentPath);
      rmSync(agentPath);
      appendFileSync(agentPath, bytes.subarray(0, bytes.length - 'tampered'.length), { mode: 0o755 });
    }
    assert.match(preflight(agentHash).stdout, /^agent=cached$/m);
  });

  it('an agent whose content nobody here recorded is not trusted', () => {
    const r = preflight('');
    assert.match(r.stdout, /^agent=stale$/m);
    assert.match(r.stdout, /^cc=/m);
  });

  it('the build prints the hash of the agent it installed; this machine records it per target and trusts only that', () => {
    assert.match(buildOutput, new RegExp(`^agent_sha256=${agentHash}$`, 'm'));
    const cache = join(home, 'local-cache');
    const key: CachedAgentKey = { agentBuild: 'remote', destination: 'root@vm:22', remoteDir: '~/cache', variant: 'v1', sources: readAgentSources(), libbpfDebianVersion: '' };
    assert.equal(expectedAgentHash(cache, key), '', 'nothing recorded yet');
    recordRemoteAgent(cache, key, buildOutput);
    assert.equal(expectedAgentHash(cache, key), agentHash);
    assert.match(preflight(expectedAgentHash(cache, key)).stdout, /^agent=cached$/m);
    assert.equal(expectedAgentHash(cache, { ...key, destination: 'root@other:22' }), '', 'another target');
    assert.equal(expectedAgentHash(cache, { ...key, variant: 'v2' }), '', 'other sources');
    recordRemoteAgent(cache, key, 'a build that printed no hash');
    assert.equal(expectedAgentHash(cache, key), '', 'a build without sha256sum leaves nothing to trust');
  });

  it('a static agent is expected to have the hash of the one built here', () => {
    const cache = join(home, 'static-cache');
    const key: CachedAgentKey = { agentBuild: 'local-static', destination: 'root@vm:22', remoteDir: '~/cache', variant: 'v1-static', sources: readAgentSources(), libbpfDebianVersion: '1.7.0-1' };
    assert.equal(expectedAgentHash(cache, key), '', 'not built here yet');
    const local = staticAgentPath(cache, key.sources, key.libbpfDebianVersion);
    mkdirSync(join(local, '..'), { recursive: true });
    writeFileSync(local, readFileSync(agentPath));
    assert.equal(expectedAgentHash(cache, key), agentHash);
  });
});
