// Remote command quoting and ssh argv building. Hostile file names are pushed through real shells
// (`sh -c LINE` is what sshd and dropbear do with the command line): each must arrive as one
// argument, unchanged, and nothing in it may run.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { masterArgs, parseResolved, remoteCommand, remoteScript, sessionArgs, shellQuote } from '../../remote/src/ssh';
import { TARGET_DEFAULTS, type VmTarget } from '../../remote/src/targets';

const work = mkdtempSync(join(tmpdir(), 'bpfa-quote-'));
const pwned = join(work, 'pwned');
const HOSTILE = [
  'plain.bpf.o',
  'with space.bpf.o',
  "it's.bpf.o",
  'double"quote.bpf.o',
  `$(touch ${pwned})`,
  `\`touch ${pwned}\``,
  `a;touch ${pwned};b`,
  `x' ; touch ${pwned} ; '`,
  'line\nbreak.bpf.o',
  'tab\there',
  '*.bpf.o',
  '~root',
  '-rf',
  '$HOME',
  '${IFS}',
  "'",
  '\\',
  'ünïcødé.bpf.o',
  '',
];

/** POSIX shells to try: the system sh (dash on Debian), bash, and busybox's ash when present. */
function shells(): string[][] {
  const out: string[][] = [['sh']];
  for (const s of ['bash', 'busybox']) {
    if (spawnSync(s, s === 'busybox' ? ['sh', '-c', 'true'] : ['-c', 'true']).status === 0) out.push(s === 'busybox' ? ['busybox', 'sh'] : [s]);
  }
  return out;
}

function target(over: Partial<VmTarget> = {}): VmTarget {
  return { ...TARGET_DEFAULTS, name: 't', host: 'vm', ...over };
}

describe('remote: quoting of remote commands', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  for (const shell of shells()) {
    it(`${shell.join(' ')}: every hostile argument arrives intact and nothing runs`, () => {
      const line = remoteCommand(['printf', '%s\\0', ...HOSTILE]);
      const out = execFileSync(shell[0] as string, [...shell.slice(1), '-c', line], { cwd: work });
      const args = out.toString('utf8').split('\0').slice(0, -1);
      assert.deepEqual(args, HOSTILE);
      assert.equal(existsSync(pwned), false, 'a command inside a file name ran');
    });

    it(`${shell.join(' ')}: a fixed script gets file names only as positional parameters`, () => {
      const names = HOSTILE.filter((n) => n && !n.includes('/') && n !== '-rf' && n !== "'" && n !== '\\');
      const line = remoteScript('d=$1; shift; for n do echo x >"$d/$n"; done', [work, ...names]);
      execFileSync(shell[0] as string, [...shell.slice(1), '-c', line]);
      assert.deepEqual(readdirSync(work).sort(), [...new Set(names)].sort());
      assert.equal(existsSync(pwned), false);
      for (const f of readdirSync(work)) rmSync(join(work, f));
    });
  }

  it('leaves safe words unquoted and refuses NUL', () => {
    assert.equal(shellQuote('/tmp/bpf-assoc/run-1/x.bpf.o'), '/tmp/bpf-assoc/run-1/x.bpf.o');
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(''), `''`);
    assert.throws(() => shellQuote('a\0b'), /NUL/);
  });
});

describe('remote: ssh argv', () => {
  const o = { controlPath: '/tmp/bpfa-x/m', connectTimeout: 7 };

  it('master: batch mode, the user\'s known_hosts, one ControlMaster, host after --', () => {
    const args = masterArgs(target({ sshConfig: '/home/u/my ssh config', port: 2222, identityFile: '/k/id' }), o);
    const opts = args.filter((_, i) => args[i - 1] === '-o');
    assert.ok(opts.includes('BatchMode=yes'));
    assert.ok(opts.includes('ConnectTimeout=7'));
    assert.ok(opts.includes('ControlMaster=yes'));
    assert.ok(opts.includes('ControlPath=/tmp/bpfa-x/m'));
    assert.ok(!opts.some((x) => x.startsWith('StrictHostKeyChecking')), 'host key policy left to the user');
    assert.deepEqual(args.slice(0, 6), ['-F', '/home/u/my ssh config', '-p', '2222', '-i', '/k/id']);
    const dd = args.indexOf('--');
    assert.equal(args[dd + 1], 'vm');
    assert.equal(args.length, dd + 3, 'one remote command string after the host');
  });

  it('accept-new only when the target says so', () => {
    const args = sessionArgs(target({ acceptNewHostKey: true }), o, ['true']);
    assert.ok(args.includes('StrictHostKeyChecking=accept-new'));
    assert.ok(args.includes('ControlMaster=no'));
  });

  it('a session carries the argv as one quoted command line', () => {
    const args = sessionArgs(target(), o, ['cat', 'a b', '$(x)']);
    assert.equal(args[args.length - 1], `cat 'a b' '$(x)'`);
  });

  it('parses ssh -G output', () => {
    const r = parseResolved('user root\nhostname 127.0.0.1\nport 2222\nproxyjump none\n');
    assert.deepEqual([r.user, r.hostname, r.port, r.options.proxyjump], ['root', '127.0.0.1', 2222, 'none']);
  });

  it('ssh -G resolves a target through a real ssh', () => {
    assert.ok(!spawnSync('ssh', ['-V']).error, 'OpenSSH (ssh) is not installed: scripts/setup.sh installs openssh-client');
    const dir = mkdtempSync(join(tmpdir(), 'bpfa-sshg-'));
    const cfg = join(dir, 'cfg');
    writeFileSync(cfg, 'Host myvm\n  HostName 10.1.2.3\n  Port 2200\n  User me\n');
    const out = execFileSync('ssh', ['-F', cfg, '-G', '--', 'myvm'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    rmSync(dir, { recursive: true, force: true });
    const r = parseResolved(out);
    assert.deepEqual([r.user, r.hostname, r.port], ['me', '10.1.2.3', 2200]);
  });
});
