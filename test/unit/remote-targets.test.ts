// Target settings and failure classification: the bpfAssoc.vm.targets schema with its defaults,
// and the messages for what ssh and the preflight report (texts as OpenSSH 9 prints them).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyBuildFailure, classifySshFailure, parsePreflight, preflightProblem } from '../../remote/src/errors';
import { parseTargets, TARGET_DEFAULTS } from '../../remote/src/targets';

describe('remote: targets', () => {
  it('fills defaults and keeps what is set', () => {
    const { targets, problems } = parseTargets([
      { name: 'vng', host: 'root@localhost', port: 2222, sshConfig: '/home/u/.cache/virtme-ng/ssh_config', allowAttach: true },
      { name: 'cloud', host: 'me@203.0.113.9', sudo: true, agentBuild: 'local-static', runTimeout: 600 },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(targets[0], { ...TARGET_DEFAULTS, name: 'vng', host: 'root@localhost', port: 2222, sshConfig: '/home/u/.cache/virtme-ng/ssh_config', allowAttach: true });
    assert.equal(targets[1]?.sudo, true);
    assert.equal(targets[1]?.agentBuild, 'local-static');
    assert.equal(targets[1]?.runTimeout, 600);
    assert.equal(targets[1]?.remoteDir, '~/.cache/bpf-assoc');
  });

  it('accepts { "targets": [...] } as a file', () => {
    assert.equal(parseTargets({ targets: [{ name: 'a', host: 'a' }] }).targets.length, 1);
  });

  it('drops bad entries with a message each', () => {
    const { targets, problems } = parseTargets([
      { name: 'ok', host: 'vm' },
      { name: 'opt', host: '-oProxyCommand=touch /tmp/x' },
      { name: 'sp', host: 'a b' },
      { host: 'nameless' },
      { name: 'ok', host: 'dup' },
      { name: 'p', host: 'h', port: 70000 },
      { name: 'b', host: 'h', agentBuild: 'docker' },
      'nope',
    ]);
    assert.deepEqual(targets.map((t) => t.name), ['ok']);
    assert.equal(problems.length, 7);
    assert.match(problems[0]?.message ?? '', /not starting with "-"/);
    assert.match(problems.map((p) => p.message).join('\n'), /used twice/);
    assert.equal(parseTargets(42).problems[0]?.index, -1);
  });

  it('warns about unknown settings but keeps the target', () => {
    const { targets, problems } = parseTargets([{ name: 'a', host: 'a', pasword: 'x' }]);
    assert.equal(targets.length, 1);
    assert.match(problems[0]?.message ?? '', /unknown setting "pasword"/);
  });
});

describe('remote: targets follow package.json\'s schema of bpfAssoc.vm.targets', () => {
  // The schema VS Code checks settings with, read from the manifest on disk (not through targets.ts).
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const schema = manifest.contributes.configuration.properties['bpfAssoc.vm.targets'].items as {
    required: string[];
    properties: Record<string, { type?: string; enum?: string[]; minimum?: number; maximum?: number; minLength?: number; maxLength?: number; default?: unknown }>;
  };
  const base = { name: 'vm', host: 'vm' };
  const accepts = (k: string, v: unknown): void => {
    const r = parseTargets([{ ...base, [k]: v }]);
    assert.deepEqual(r.problems, [], `${k} = ${JSON.stringify(v)} is valid`);
    assert.deepEqual((r.targets[0] as unknown as Record<string, unknown>)[k], v);
  };
  const rejects = (k: string, v: unknown): void => {
    const r = parseTargets([{ ...base, [k]: v }]);
    assert.equal(r.targets.length, 0, `${k} = ${JSON.stringify(v)} is rejected`);
    assert.match(r.problems.map((p) => p.message).join('\n'), new RegExp(`"${k}"`), `the problem names ${k}`);
  };

  it('every bound, enum, type and length the schema gives', () => {
    let checked = 0;
    for (const [k, p] of Object.entries(schema.properties)) {
      if (p.type === 'number' || p.type === 'integer') {
        assert.ok(p.minimum !== undefined && p.maximum !== undefined, `${k} has both bounds`);
        accepts(k, p.minimum);
        accepts(k, p.maximum);
        rejects(k, p.minimum - 1);
        rejects(k, p.maximum + 1);
        rejects(k, String(p.minimum));
        if (p.type === 'integer') rejects(k, p.minimum + 0.5);
        else accepts(k, p.minimum + 0.5);
      } else if (p.enum) {
        for (const v of p.enum) accepts(k, v);
        rejects(k, 'other');
      } else if (p.type === 'boolean') {
        accepts(k, true);
        accepts(k, false);
        rejects(k, 'yes');
      } else if (p.type === 'string') {
        assert.equal(p.minLength, 1, `${k} cannot be empty`);
        rejects(k, '');
        rejects(k, 'a\0b');
        rejects(k, 7);
        if (p.maxLength !== undefined) {
          accepts(k, 'a'.repeat(p.maxLength));
          rejects(k, 'a'.repeat(p.maxLength + 1));
        }
      } else assert.fail(`${k}: a kind of setting this test does not know`);
      checked++;
    }
    assert.equal(checked, 12);
    rejects('name', 'two\nlines');
    rejects('host', '-oProxyCommand=x');
    rejects('host', 'a b');
    for (const k of schema.required) {
      const r = parseTargets([{ name: 'vm', host: 'vm', [k]: undefined }]);
      assert.equal(r.targets.length, 0);
      assert.match(r.problems[0]?.message ?? '', new RegExp(`"${k}" is required`));
    }
  });

  it('every default the schema gives, and only those', () => {
    const defaults = Object.fromEntries(Object.entries(schema.properties).flatMap(([k, p]) => (p.default === undefined ? [] : [[k, p.default]])));
    assert.deepEqual(TARGET_DEFAULTS, defaults);
    assert.deepEqual(parseTargets([base]).targets[0], { ...defaults, ...base });
  });
});

describe('remote: failure messages', () => {
  const k = (stderr: string, established = false): string => classifySshFailure('vm', stderr, established).kind;

  it('classifies what ssh prints', () => {
    assert.equal(k('ssh: connect to host 127.0.0.1 port 9: Connection refused\r\n'), 'unreachable');
    assert.equal(k('ssh: Could not resolve hostname nohost: Name or service not known\r\n'), 'unreachable');
    assert.equal(k('ssh: connect to host 10.255.255.1 port 22: Connection timed out\r\n'), 'unreachable');
    assert.equal(k('tester@127.0.0.1: Permission denied (publickey).\r\n'), 'auth-failed');
    assert.equal(
      k('@@@@@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n@@@@@@@@@@@\r\nHost key verification failed.\r\n'),
      'host-key-changed',
    );
    assert.equal(k('No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\r\nHost key verification failed.\r\n'), 'host-key-unknown');
    assert.equal(k('/tmp/cfg line 3: Bad configuration option: hostnme\r\n'), 'ssh-config');
    assert.equal(k('Connection to 127.0.0.1 closed by remote host.\r\n', true), 'vm-died');
    assert.equal(k('client_loop: send disconnect: Broken pipe\r\n', true), 'vm-died');
    assert.equal(k('kex_exchange_identification: read: Connection reset by peer\r\n'), 'unreachable');
  });

  it('host key messages never suggest turning checking off', () => {
    const m = classifySshFailure('vm', 'REMOTE HOST IDENTIFICATION HAS CHANGED', false).message;
    assert.match(m, /never replaces a known key/);
    assert.doesNotMatch(m, /StrictHostKeyChecking=no/);
  });

  it('preflight: root, sudo, compiler, libbpf, architecture', () => {
    const pf = (text: string) => parsePreflight(text) ?? assert.fail('no preflight');
    const opts = { sudo: false, agentBuild: 'remote' as const, localArch: 'x86_64' };
    assert.equal(preflightProblem('vm', pf('uid=0\narch=x86_64\ncc=cc\nlibbpf=yes\n'), opts, ''), null);
    assert.equal(preflightProblem('vm', pf('uid=1000\narch=x86_64\ncc=cc\nlibbpf=yes\n'), opts, '')?.kind, 'no-root');
    assert.equal(preflightProblem('vm', pf('uid=1000\nsudo=fail\ncc=cc\n'), { ...opts, sudo: true }, '')?.kind, 'no-root');
    assert.equal(preflightProblem('vm', pf('uid=1000\nsudo=ok\ncc=cc\nlibbpf=yes\n'), { ...opts, sudo: true }, ''), null);
    assert.equal(preflightProblem('vm', pf('uid=0\ncc=\n'), opts, '')?.kind, 'no-compiler');
    assert.equal(preflightProblem('vm', pf('uid=0\ncc=gcc\nlibbpf=no\n'), opts, '')?.kind, 'no-libbpf');
    assert.equal(preflightProblem('vm', pf('uid=0\narch=aarch64\n'), { ...opts, agentBuild: 'local-static' }, '')?.kind, 'arch-mismatch');
    assert.equal(preflightProblem('vm', pf('uid=0\narch=x86_64\nagent=cached\n'), { ...opts, agentBuild: 'local-static' }, ''), null);
    assert.equal(parsePreflight('garbage'), null);
  });

  it('a failed build names the missing libbpf', () => {
    assert.equal(classifyBuildFailure('vm', 'steps.c:12:10: fatal error: bpf/bpf.h: No such file or directory').kind, 'no-libbpf');
    assert.equal(classifyBuildFailure('vm', '/usr/bin/ld: cannot find -lbpf: No such file or directory').kind, 'no-libbpf');
    assert.equal(classifyBuildFailure('vm', 'steps.c:1: error: expected ;').kind, 'agent-build-failed');
  });
});
