// The scripts a run executes on the target, run here with the local sh exactly as ssh would hand
// them over (`sh -c LINE`, LINE built by remoteCommand): preflight and object upload, the remote
// build of the agent from a tar archive with the real compiler and libbpf, the run wrapper, and
// stopping the agent through its pidfile.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AGENT_BINARY, readAgentSources } from '../../remote/src/agentBuild';
import { parsePreflight } from '../../remote/src/errors';
import { BUILD, INSTALL_LOADER, PREFLIGHT, RUN, STOP_AGENT } from '../../remote/src/remoteScripts';
import { remoteCommand } from '../../remote/src/ssh';
import { ustar } from '../../remote/src/tar';

const home = mkdtempSync(join(tmpdir(), 'bpfa-home-'));
const shell = (argv: string[], input?: Uint8Array) =>
  spawnSync('sh', ['-c', remoteCommand(argv)], { input, encoding: 'utf8', env: { ...process.env, HOME: home } });

describe('remote: target scripts', () => {
  after(() => rmSync(home, { recursive: true, force: true }));

  it("the user's loader arrives on stdin as an executable, whatever its directory is called", () => {
    const dir = mkdtempSync(join(home, "run '$(x)' "));
    const r = shell(['sh', '-c', INSTALL_LOADER, 'sh', join(dir, 'loader')], new TextEncoder().encode('#!/bin/sh\necho ran\n'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(spawnSync(join(dir, 'loader'), { encoding: 'utf8' }).stdout, 'ran\n');
    const gz = shell(['sh', '-c', INSTALL_LOADER, 'sh', join(dir, 'loader.gz-sent'), 'gz'], gzipSync(Buffer.from('#!/bin/sh\necho unpacked\n')));
    assert.equal(gz.status, 0, gz.stderr);
    assert.equal(spawnSync(join(dir, 'loader.gz-sent'), { encoding: 'utf8' }).stdout, 'unpacked\n');
  });

  it('preflight: facts, a run directory under ~, the object written from stdin', () => {
    const r = shell(['sh', '-c', PREFLIGHT, 'sh', '~/.cache/bpf assoc', 'abc123', '0', 'h1', 'remote', "it's $(x).bpf.o"], new TextEncoder().encode('ELF!'));
    assert.equal(r.status, 0, r.stderr);
    const pf = parsePreflight(r.stdout);
    assert.equal(pf?.uid, process.getuid?.());
    assert.ok(pf?.cc, 'a compiler was found');
    assert.equal(pf?.libbpf, 'yes', 'libbpf-dev is installed here');
    const dir = join(home, '.cache/bpf assoc');
    assert.match(r.stdout, new RegExp(`^rundir=${dir}/run-abc123$`, 'm'));
    assert.equal(readFileSync(join(dir, 'run-abc123', "it's $(x).bpf.o"), 'utf8'), 'ELF!');
    assert.doesNotMatch(r.stdout, /agent=cached/);
  });

  it('builds the agent from a tar archive against the target\'s libbpf, then finds it cached', function () {
    this.timeout(60_000);
    const src = readAgentSources();
    const agentDir = join(home, 'agent-h1');
    const b = shell(['sh', '-c', BUILD, 'sh', join(home, 'src'), agentDir, 'cc'], ustar(src.files.map((f) => ({ name: f.name, bytes: f.bytes }))));
    assert.equal(b.status, 0, b.stdout + b.stderr);
    assert.ok(existsSync(join(agentDir, AGENT_BINARY)));
    const hash = /^agent_sha256=([0-9a-f]{64})$/m.exec(b.stdout)?.[1] ?? assert.fail(b.stdout);
    const again = shell(['sh', '-c', PREFLIGHT, 'sh', home, 't2', '0', 'h1', 'remote', 'o', hash], new Uint8Array());
    assert.match(again.stdout, /^agent=cached$/m);
  });

  it('a build without libbpf\'s headers fails with the compiler\'s message', () => {
    const broken = ustar([{ name: 'bpf-assoc-agent.c', bytes: new TextEncoder().encode('#include <bpf/nonexistent.h>\n') }]);
    const b = shell(['sh', '-c', BUILD, 'sh', join(home, 'broken'), join(home, 'agent-x'), 'cc'], broken);
    assert.notEqual(b.status, 0);
    assert.match(b.stdout + b.stderr, /nonexistent\.h/);
  });

  it('the run wrapper keeps the exit status and removes the run directory', () => {
    const run = join(home, 'run-1');
    shell(['mkdir', '-p', run]);
    const r = shell(['sh', '-c', RUN, 'sh', run, 'sh', '-c', 'echo "$1"; exit 3', 'sh', 'a b']);
    assert.equal(r.status, 3);
    assert.equal(r.stdout, 'a b\n');
    assert.equal(existsSync(run), false);
  });

  it('stop: signals the process in the run directory\'s pidfile, and is quiet when there is none', async () => {
    const sleeper = spawn('sleep', ['60']);
    const run = join(home, 'run-stop');
    shell(['mkdir', '-p', run]);
    writeFileSync(join(run, 'agent.pid'), `${sleeper.pid}\n`);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => sleeper.once('exit', (_c, s) => resolve(s)));
    assert.equal(shell(['sh', '-c', STOP_AGENT, 'sh', run, 'TERM']).status, 0);
    assert.equal(await exited, 'SIGTERM');
    assert.equal(shell(['sh', '-c', STOP_AGENT, 'sh', join(home, 'run-none'), 'TERM']).status, 0);
  });
});
