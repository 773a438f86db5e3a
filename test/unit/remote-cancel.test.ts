// Cancel reaches every step of a VM run, shown without a VM: a local program is never started once
// the run's AbortSignal has fired and is killed with its own children when it fires; the real
// `ssh -G` is killed in the middle of resolving (an ssh config whose `Match exec` blocks); a run
// cancelled as a step is announced goes no further; and the target's scripts (run with the local
// sh, as ssh hands them over) never lose a Cancel between the session starting and the agent
// writing its pidfile. The same Cancel at each step on a real VM is test/vm/cancel.test.ts.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadWorkspace } from '../../server/src/node/scan';
import { VmError } from '../../remote/src/errors';
import { buildPlan } from '../../remote/src/plan';
import { RUN, STOP_AGENT, STOP_ON_REQUEST } from '../../remote/src/remoteScripts';
import { runPlanOnTarget } from '../../remote/src/run';
import { shippedBytes } from '../../remote/src/shipped';
import { remoteCommand } from '../../remote/src/ssh';
import { TARGET_DEFAULTS, type VmTarget } from '../../remote/src/targets';
import { alive, appears, gone } from '../support/waits';
import { runLocal, SshConnection } from '../../remote/src/transport';

const ROOT = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'bpfa-cancel-'));

/**
 * An ssh config whose `Match exec` (which `ssh -G` runs while it resolves) writes its pid to
 * `marker` and then blocks reading a FIFO nobody writes: ssh -G is held in the middle of resolving
 * until it is killed.
 */
function blockingSshConfig(name: string): { config: string; marker: string } {
  const dir = join(work, name);
  mkdirSync(dir);
  const fifo = join(dir, 'never');
  const marker = join(dir, 'resolving');
  execFileSync('mkfifo', [fifo]);
  const script = join(dir, 'hold.sh');
  writeFileSync(script, `echo $$ >"${marker}.tmp" && mv "${marker}.tmp" "${marker}" && exec cat "${fifo}"\n`);
  const config = join(dir, 'config');
  writeFileSync(config, `Match exec "sh ${script}"\n  User nobody\n`);
  return { config, marker };
}

function target(extra: Partial<VmTarget> = {}): VmTarget {
  return { ...TARGET_DEFAULTS, name: 'cancel-test', host: 'bpfa-cancel.invalid', agentBuild: 'local-static', ...extra };
}

describe('remote: Cancel at every step (no VM)', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('a program is not started once the signal has fired', async () => {
    const abort = new AbortController();
    abort.abort();
    const mark = join(work, 'started');
    await assert.rejects(runLocal('sh', ['-c', `touch "${mark}"`], { signal: abort.signal }), (e) => e instanceof VmError && e.kind === 'cancelled');
    assert.equal(existsSync(mark), false, 'the program never ran');
  });

  it('a signal that fires while a program runs kills it with its children', async () => {
    const abort = new AbortController();
    const pidfile = join(work, 'child.pid');
    // The child starts a grandchild, records its pid, says so on stderr, and waits.
    const run = runLocal('sh', ['-c', `sleep 300 & echo $! >"${pidfile}"; echo started >&2; wait`], {
      signal: abort.signal,
      onStderrLine: (l) => {
        if (l === 'started') abort.abort();
      },
    });
    const r = await run;
    assert.equal(r.signal, 'SIGKILL');
    await gone(Number(readFileSync(pidfile, 'utf8')), 5000);
  });

  it('ssh -G is killed in the middle of resolving, with its Match exec command', async () => {
    const { config, marker } = blockingSshConfig('resolving');
    const abort = new AbortController();
    const lines: string[] = [];
    const opening = SshConnection.open(target({ sshConfig: config }), { signal: abort.signal, log: (l) => lines.push(l) });
    await appears(marker, 10_000);
    const held = Number(readFileSync(marker, 'utf8'));
    assert.ok(alive(held), 'ssh -G is resolving');
    const t = Date.now();
    abort.abort();
    await assert.rejects(opening, (e) => e instanceof VmError && e.kind === 'cancelled' && /while resolving/.test(e.message));
    assert.ok(Date.now() - t < 2000, `cancelled at once, not after ssh -G's own timeout (${Date.now() - t} ms)`);
    await gone(held, 5000);
    assert.deepEqual(lines, [], 'no master connection was started');
  });

  describe('a run cancelled as a step is announced goes no further', () => {
    let plan: ReturnType<typeof buildPlan>;
    let object: Uint8Array;
    before(async () => {
      await loadGrammar();
      const dir = join(ROOT, 'test/fixtures/cases/explicit-calls');
      const model = loadWorkspace([dir, join(ROOT, '.build/test/fixtures/cases/explicit-calls'), join(ROOT, 'test/fixtures/include')]).workspace.model();
      plan = buildPlan(model, 'assoc');
      object = shippedBytes(plan, (p) => new Uint8Array(readFileSync(p)));
    });

    it('at "connecting": no ssh at all', async () => {
      const abort = new AbortController();
      const steps: string[] = [];
      const r = await runPlanOnTarget(plan, object, target(), {
        signal: abort.signal,
        cacheDir: join(work, 'cache'),
        onProgress: (_t, step) => {
          steps.push(step);
          if (step === 'connecting') abort.abort();
        },
      });
      assert.equal(r.status, 'cancelled', r.message);
      assert.equal(r.error?.kind, 'cancelled');
      assert.equal(r.message, 'Cancelled before connecting.');
      assert.deepEqual(steps, ['connecting']);
      assert.ok(!r.transcript.some((l) => l.startsWith('$ ')), r.transcript.join('\n'));
    });

    it('during ssh -G: cancelled, no master connection, no later step', async () => {
      const { config, marker } = blockingSshConfig('run-resolving');
      const abort = new AbortController();
      const steps: string[] = [];
      const running = runPlanOnTarget(plan, object, target({ sshConfig: config }), { signal: abort.signal, cacheDir: join(work, 'cache'), onProgress: (_t, s) => steps.push(s) });
      await appears(marker, 10_000);
      abort.abort();
      const r = await running;
      assert.equal(r.status, 'cancelled', r.message);
      assert.match(r.message, /Cancelled while resolving cancel-test \(ssh -G\)/);
      assert.deepEqual(steps, ['connecting']);
      assert.ok(!r.transcript.some((l) => l.includes('ControlMaster=yes')), r.transcript.join('\n'));
      await gone(Number(readFileSync(marker, 'utf8')), 5000);
    });
  });

  describe('the target scripts: a Cancel between the session starting and the agent writing its pidfile', () => {
    const sh = (argv: string[]) => spawn('sh', ['-c', remoteCommand(argv)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = (c: ChildProcess): Promise<{ code: number | null; out: string; err: string }> =>
      new Promise((resolvePromise) => {
        let out = '';
        let err = '';
        c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        c.on('close', (code) => resolvePromise({ code, out, err }));
      });
    /** A stand-in agent: waits for `gate`, writes its pidfile, reports SIGTERM and exits 7 on it. */
    const agent = (dir: string): string[] => [
      'sh',
      '-c',
      'trap \'echo got-TERM; exit 7\' TERM; echo waiting >&2; read g <"$1/gate"; echo $$ >"$1/agent.pid"; echo ran; while :; do sleep 1 & wait $!; done',
      'agent',
      dir,
    ];

    it('Cancel before the run script starts: the agent never starts', async () => {
      const dir = join(work, 'run-before');
      mkdirSync(dir);
      const stop = await exit(sh(['sh', '-c', STOP_AGENT, 'sh', dir, 'TERM']));
      assert.equal(stop.code, 0, stop.err);
      const run = await exit(sh(['sh', '-c', RUN, 'sh', dir, 'sh', '-c', 'echo ran', 'agent']));
      assert.equal(run.code, 130);
      assert.equal(run.out, '', 'the agent did not run');
      assert.equal(existsSync(dir), false, 'the run directory is removed');
    });

    it('Cancel after the run started, before the pidfile: the stop waits for it and signals the agent', async () => {
      const dir = join(work, 'run-started');
      mkdirSync(dir);
      execFileSync('mkfifo', [join(dir, 'gate')]);
      const runChild = sh(['sh', '-c', RUN, 'sh', dir, ...agent(dir)]);
      const run = exit(runChild);
      await new Promise<void>((r) => runChild.stderr.on('data', (d: Buffer) => d.toString().includes('waiting') && r()));
      const stopChild = sh(['sh', '-c', STOP_AGENT, 'sh', dir, 'TERM']);
      const stop = exit(stopChild);
      await appears(join(dir, 'cancel'), 5000);
      // The agent writes its pidfile only now: the stop must still reach it.
      writeFileSync(join(dir, 'gate'), 'go\n');
      const [r, s] = await Promise.all([run, stop]);
      assert.equal(s.code, 0, s.err);
      assert.equal(r.out, 'ran\ngot-TERM\n');
      assert.equal(r.code, 7, 'the agent stopped on SIGTERM (its cleanup path)');
      assert.equal(existsSync(dir), false, 'the run directory is removed');
    });

    it('the waiting stop session: a TERM line stops the agent, the end of input leaves it alone', async () => {
      const dir = join(work, 'run-waiting');
      mkdirSync(dir);
      execFileSync('mkfifo', [join(dir, 'gate')]);
      const runChild = sh(['sh', '-c', RUN, 'sh', dir, ...agent(dir)]);
      const run = exit(runChild);
      await new Promise<void>((r) => runChild.stderr.on('data', (d: Buffer) => d.toString().includes('waiting') && r()));
      writeFileSync(join(dir, 'gate'), 'go\n');
      await appears(join(dir, 'agent.pid'), 5000);
      // A waiting session whose input just ends (a run that finished) stops nothing.
      const quiet = spawn('sh', ['-c', remoteCommand(['sh', '-c', STOP_ON_REQUEST, 'sh', dir])], { stdio: ['pipe', 'pipe', 'pipe'] });
      quiet.stdin.end();
      assert.equal((await exit(quiet)).code, 0);
      assert.equal(existsSync(join(dir, 'cancel')), false, 'not marked cancelled');
      const waiting = spawn('sh', ['-c', remoteCommand(['sh', '-c', STOP_ON_REQUEST, 'sh', dir])], { stdio: ['pipe', 'pipe', 'pipe'] });
      const waited = exit(waiting);
      waiting.stdin.end('TERM\n');
      const [r, w] = await Promise.all([run, waited]);
      assert.equal(w.code, 0, w.err);
      assert.equal(r.out, 'ran\ngot-TERM\n');
      assert.equal(r.code, 7);
    });

    it('stop: quiet when the run has already finished', async () => {
      const s = await exit(sh(['sh', '-c', STOP_AGENT, 'sh', join(work, 'no-such-run'), 'TERM']));
      assert.equal(s.code, 0, s.err);
    });
  });
});
