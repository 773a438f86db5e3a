// The agent cached on a target between runs (issue 12, defect 9): the
// real preflight and build scripts, run here with the local sh as ssh hands them over, and the
// agent built from its real sources with the local compiler and libbpf.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_BINARY, localMachine, readAgentSources } from '../../remote/src/agentBuild';
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
  const agentPath = join(home, 'cache', `agent-v1`, AGENT_BINARY);

  before(function () {
    this.timeout(120_000);
    const src = readAgentSources();
    const b = shell(['sh', '-c', BUILD, 'sh', join(home, 'src'), join(home, 'cache', 'agent-v1'), 'cc'], ustar(src.files.map((f) => ({ name: f.name, bytes: f.bytes }))));
    assert.equal(b.status, 0, b.stdout + b.stderr);
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
});
