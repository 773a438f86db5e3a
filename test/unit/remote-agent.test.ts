// The agent and its transfer format, with real tools: the C agent compiled against this machine's
// libbpf and asked for the kernel's facts, and the ustar writer read back by tar.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAgentSources } from '../../remote/src/agentBuild';
import { parseReport } from '../../remote/src/report';
import { ustar } from '../../remote/src/tar';

describe('remote: agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfa-agent-'));
  const agent = join(dir, 'bpf-assoc-agent');
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(function () {
    this.timeout(60_000);
    // As a target builds it: the sources and the generated iterator header in one directory.
    const src = readAgentSources();
    for (const f of src.files) writeFileSync(join(dir, f.name), f.bytes);
    const c = src.files.filter((f) => f.name.endsWith('.c')).map((f) => join(dir, f.name));
    const r = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', agent, ...c, '-lbpf'], { encoding: 'utf8' });
    assert.ok(!r.error, `no C compiler (cc): scripts/setup.sh installs gcc and libbpf-dev (${String(r.error)})`);
    assert.equal(r.status, 0, r.stderr);
  });

  it('--probe reports the kernel, libbpf and whether command 38 is known', () => {
    const out = execFileSync(agent, ['--probe'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const r = parseReport(out);
    assert.equal(r.kernel.release, execFileSync('uname', ['-r']).toString().trim());
    assert.match(r.agent.libbpf, /^v?\d+\.\d+/);
    assert.ok(['supported', 'missing', 'unknown'].includes(r.kernel.assocCommand));
    if (r.kernel.assocCommand === 'missing') assert.equal(r.kernel.assocProbeErrno, 'EINVAL');
    if (r.kernel.assocCommand === 'supported') assert.equal(r.kernel.assocProbeErrno, 'EBADF');
    assert.equal(r.cancelled, false);
    // This machine's kernel has no read-back (only the bpf-assoc test kernel lists associations).
    // The iterator runs where BPF iterators do; before 7.0 the field it reads is absent.
    if (r.kernel.assocObservation === 'none') assert.match(r.kernel.assocObservationNote ?? '', /bpf_struct_ops_assoc/);
    if (r.kernel.assocCommand === 'missing') assert.equal(r.kernel.assocObservation, 'none');
  });

  it('refuses a malformed plan with a usage error', () => {
    const r = spawnSync(agent, ['--object', 'x.o', '--assoc', 'later', 'libbpf', 'p', 'm', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--assoc PHASE/);
    assert.equal(spawnSync(agent, [], { encoding: 'utf8' }).status, 2);
    assert.equal(spawnSync(agent, ['--object', 'x.o', '--slot', 'map', 'member'], { encoding: 'utf8' }).status, 2, '--slot needs MAP MEMBER PROG');
  });

  it('a missing object is reported, not crashed on', () => {
    const r = parseReport(execFileSync(agent, ['--object', join(dir, 'missing.bpf.o')], { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
    assert.deepEqual(r.object?.open, { ok: false, errno: 'ENOENT' });
    assert.deepEqual(r.associations, []);
  });
});

describe('remote: ustar', () => {
  it('tar reads back every file, byte for byte', () => {
    assert.ok(!spawnSync('tar', ['--version']).error, 'tar is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'bpfa-tar-'));
    const big = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
    const files = [
      { name: 'a.c', bytes: new TextEncoder().encode('int main(void) { return 0; }\n') },
      { name: 'empty.h', bytes: new Uint8Array(0) },
      { name: 'exact', bytes: new Uint8Array(512).fill(7) },
      { name: 'big.bin', bytes: big },
    ];
    execFileSync('tar', ['-xf', '-', '-C', dir], { input: Buffer.from(ustar(files)) });
    for (const f of files) assert.deepEqual(new Uint8Array(readFileSync(join(dir, f.name))), f.bytes, f.name);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses names that could escape the directory', () => {
    for (const name of ['../x', '/etc/passwd', 'a b', '']) assert.throws(() => ustar([{ name, bytes: new Uint8Array(1) }]));
  });
});
