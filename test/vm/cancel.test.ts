// Cancel at each step of a run on the built-in VM, over the real ssh path: as qemu starts to boot
// a built-in target, while ssh -G resolves
// the target, while the master connection logs in, as the upload and the agent's build are
// announced, as the agent starts, and after load but before attach (with the plan replayed, with
// the user's own loader, and with a loader that keeps going after SIGINT as sched_ext schedulers'
// loaders do); and Ctrl-C on `bpf-assoc run` right after "connecting". Each step
// is reached through an event (a progress step, a transcript line, an ssh config's `Match exec`
// that holds ssh -G), never a sleep. Afterwards bpftool on the guest finds no program, map or link
// of the run, the congestion control is not registered, no agent runs and the run left no files;
// the run says "cancelled" and no later step happened.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAssociationOnTargets, type TargetResult, type VmRunResults } from '../../remote/src/index';
import { vmCacheDir, type LocalVm } from '../../remote/src/localVm';
import type { VmTarget } from '../../remote/src/targets';
import { appears, gone } from '../support/waits';
import { fixtureModel, guest, loaded, loadedOnceSettled, REPO, settledBaseline, sharedVm } from './vm';

const scratch = mkdtempSync(join(tmpdir(), 'bpfa-vmcancel-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

type Loaded = Awaited<ReturnType<typeof loaded>>;
type RunRequest = Parameters<typeof runAssociationOnTargets>[0];

/** Steps of a run in the order they happen; a cancelled run must show none after the one it was cancelled at. */
const STEPS = ['connecting', 'uploading', 'building', 'running', 'stage: started', 'stage: loaded', 'stage: associated', 'stage: attached'];

/** Processes whose command line contains `text`. */
function processesWith(text: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('VM: Cancel while a built-in target boots', () => {
  it('booting: qemu is stopped at once, nothing later starts, its files are removed', async () => {
    const { model, read } = await fixtureModel('ca-link');
    const abort = new AbortController();
    const steps: string[] = [];
    const lines: string[] = [];
    const started = Date.now();
    let cancelledAt = 0;
    const r = await runAssociationOnTargets({
      model,
      objectId: 'ca_link',
      readFile: read,
      targets: [],
      builtin: ['local'],
      cacheDir: vmCacheDir(),
      replayPlan: true,
      signal: abort.signal,
      onProgress: (_n, s) => steps.push(s),
      onTranscript: (_n, l) => {
        lines.push(l);
        // Logged as qemu is started: the Cancel arrives before its boot is being waited for.
        if (l.includes('qemu-system') && !abort.signal.aborted) {
          cancelledAt = Date.now();
          abort.abort();
        }
      },
    });
    const t = r.targets[0];
    assert.ok(t && cancelledAt, `qemu was started: ${lines.join('\n')}`);
    assert.equal(t.status, 'cancelled', t.message);
    assert.deepEqual(steps, ['booting']);
    assert.ok(!lines.some((l) => /guest ready|VM booted/.test(l)), `the guest never came up:\n${lines.join('\n')}`);
    assert.ok(Date.now() - cancelledAt < 10_000, `cancelled at once, not after the boot (${Date.now() - cancelledAt} ms; the run took ${Date.now() - started} ms)`);
    const runtimeDir = /-initrd (\S+)\/initrd\.img/.exec(lines.find((l) => l.includes('qemu-system')) ?? '')?.[1];
    assert.ok(runtimeDir, 'the VM runtime directory is in the qemu command');
    assert.deepEqual(processesWith(runtimeDir), [], 'no qemu left');
    assert.equal(existsSync(runtimeDir), false, 'its runtime directory is removed');
  });
});

describe('VM: Cancel at every step leaves nothing on the target', () => {
  let vm: LocalVm;
  let n = 0;
  before(async () => {
    vm = await sharedVm();
  });

  /** A target of its own for each test: a fresh remote directory, so nothing is cached there. */
  function freshTarget(extra: Partial<VmTarget> = {}): VmTarget {
    return { ...vm.target({ name: 'vm' }), remoteDir: `/tmp/bpfa-cancel/${process.pid}-${++n}`, ...extra };
  }

  async function run(target: VmTarget, extra: Partial<RunRequest>, fixture = 'ca-link'): Promise<{ r: VmRunResults; t: TargetResult; steps: string[] }> {
    const { model, read } = await fixtureModel(fixture);
    const steps: string[] = [];
    const onProgress = extra.onProgress;
    const r = await runAssociationOnTargets({
      model,
      objectId: fixture.replace(/-/g, '_'),
      readFile: read,
      targets: [target],
      builtin: [],
      cacheDir: vmCacheDir(),
      ...extra,
      onProgress: (name, step) => {
        steps.push(step);
        onProgress?.(name, step);
      },
    });
    const t = r.targets[0];
    assert.ok(t, 'one target');
    return { r, t, steps };
  }

  /** The run was cancelled at `step`: it says so, and no later step happened (but those in `allowed`). */
  function cancelledAt(t: TargetResult, steps: string[], step: string, allowed: string[] = []): void {
    assert.equal(t.status, 'cancelled', `${t.message}\n${t.transcript.join('\n')}`);
    assert.equal(t.error?.kind ?? 'cancelled', 'cancelled');
    const last = STEPS.indexOf(step);
    const later = steps.filter((s) => STEPS.indexOf(s) > last && !allowed.includes(s));
    assert.deepEqual(later, [], `steps after ${step}: ${steps.join(', ')}`);
    assert.ok(!t.transcript.some((l) => /stage: attached/.test(l)), 'nothing was attached');
    assert.ok(!(t.report?.attachments ?? []).some((a) => a.ok), 'no map attached');
  }

  /** Nothing of the run is left on the guest: objects, congestion control, agent, files. */
  async function nothingLeft(before: Loaded, target: VmTarget): Promise<void> {
    const after = await loadedOnceSettled(vm, before);
    assert.deepEqual(after, before, 'no program, map or link left (bpftool)');
    assert.deepEqual(after.congestion.filter((c) => c.startsWith('bpfa')), [], 'no congestion control of the run is registered');
    assert.equal((await guest(vm, 'pidof bpf-assoc-agent || true')).trim(), '', 'no agent runs');
    const files = await guest(vm, `cd ${target.remoteDir} 2>/dev/null && find . -name 'run-*' -o -name 'bpf-assoc-agent.*' || true`);
    assert.equal(files.trim(), '', `files the run left in ${target.remoteDir}`);
  }

  it('resolving: ssh -G is stopped in the middle (its Match exec holds it)', async () => {
    const before = await settledBaseline(vm);
    // The VM's ssh config plus a `Match exec` that says it runs, then blocks on a FIFO nobody writes.
    const fifo = join(scratch, 'never');
    execFileSync('mkfifo', [fifo]);
    const marker = join(scratch, 'resolving');
    writeFileSync(join(scratch, 'hold.sh'), `echo $$ >"${marker}.tmp" && mv "${marker}.tmp" "${marker}" && exec cat "${fifo}"\n`);
    const config = join(scratch, 'config-resolving');
    writeFileSync(config, `${readFileSync(vm.sshConfig, 'utf8')}\nMatch exec "sh ${join(scratch, 'hold.sh')}"\n`);
    const target = freshTarget({ sshConfig: config });
    const abort = new AbortController();
    const running = run(target, { signal: abort.signal });
    await appears(marker, 30_000);
    abort.abort();
    const { t, steps } = await running;
    cancelledAt(t, steps, 'connecting');
    assert.match(t.message, /while resolving vm \(ssh -G\)/);
    assert.ok(!t.transcript.some((l) => l.includes('ControlMaster=yes')), 'no master connection was started');
    await gone(Number(readFileSync(marker, 'utf8')), 5000); // the Match exec command was stopped with ssh -G
    await nothingLeft(before, target);
  });

  it('connecting: the master connection is stopped while it logs in', async () => {
    const before = await settledBaseline(vm);
    const target = freshTarget();
    const abort = new AbortController();
    const { t, steps } = await run(target, {
      signal: abort.signal,
      onTranscript: (_n, line) => {
        if (line.includes('ControlMaster=yes')) abort.abort(); // logged as the master is started
      },
    });
    cancelledAt(t, steps, 'connecting');
    assert.match(t.message, /while connecting to vm/);
    await nothingLeft(before, target);
  });

  it('uploading: announced, then nothing is uploaded', async () => {
    const before = await settledBaseline(vm);
    const target = freshTarget();
    const abort = new AbortController();
    const { t, steps } = await run(target, { signal: abort.signal, onProgress: (_n, s) => s === 'uploading' && abort.abort() });
    cancelledAt(t, steps, 'uploading');
    assert.equal(t.message, 'Cancelled before uploading.');
    assert.equal((await guest(vm, `test -e ${target.remoteDir} && echo exists || true`)).trim(), '', 'the remote directory was never made');
    await nothingLeft(before, target);
  });

  it('building: announced, then the agent is neither built nor installed', async () => {
    const before = await settledBaseline(vm);
    const target = freshTarget(); // a fresh remoteDir: the agent is not cached there
    const abort = new AbortController();
    const { t, steps } = await run(target, { signal: abort.signal, onProgress: (_n, s) => s === 'building' && abort.abort() });
    cancelledAt(t, steps, 'building');
    assert.equal(t.message, 'Cancelled before building.');
    assert.equal((await guest(vm, `find ${target.remoteDir} -name 'bpf-assoc-agent*' 2>/dev/null || true`)).trim(), '', 'no agent installed');
    await nothingLeft(before, target);
  });

  it('running: as the agent starts, it stops before attaching anything', async () => {
    const before = await settledBaseline(vm);
    const target = freshTarget();
    const abort = new AbortController();
    const { t, steps } = await run(target, { signal: abort.signal, replayPlan: true, onProgress: (_n, s) => s === 'stage: started' && abort.abort() });
    cancelledAt(t, steps, 'stage: loaded');
    assert.equal(t.report?.cancelled, true, 'the agent reported its own cancellation');
    await nothingLeft(before, target);
  });

  for (const mode of ['the replayed plan', "the user's loader"] as const) {
    it(`running: after load, before attach (${mode})`, async () => {
      const before = await settledBaseline(vm);
      const target = freshTarget();
      const abort = new AbortController();
      let held: Loaded | null = null;
      let check: Promise<void> = Promise.resolve();
      const { t, steps } = await run(target, {
        signal: abort.signal,
        replayPlan: mode === 'the replayed plan',
        hold: { stage: 'load', seconds: 120 },
        onProgress: (_n, s) => {
          if (s === 'stage: holding load') {
            check = loaded(vm).then((l) => {
              held = l;
              abort.abort();
            });
          }
        },
      });
      await check;
      const h = held as Loaded | null;
      assert.ok(h, `never held after load:\n${t.transcript.join('\n')}`);
      assert.ok(h.maps.includes('bpfa_ca_link') && h.progs.length > before.progs.length, `loaded while held: ${JSON.stringify(h)}`);
      assert.ok(!h.congestion.includes('bpfa_ca_link'), 'not registered while held');
      cancelledAt(t, steps, 'stage: associated');
      assert.equal(t.report?.cancelled, true, 'the agent reported its own cancellation');
      assert.equal(t.report?.loader?.executed ?? false, mode === "the user's loader", `loader: ${JSON.stringify(t.report?.loader)}`);
      await nothingLeft(before, target);
    });
  }

  it('running: after load, before attach, a loader that keeps going after SIGINT attaches nothing', async () => {
    // ca-until-sigint's loader only notes SIGINT (as scx schedulers' loaders do): without the
    // recorder's refusal it would attach after Cancel, then detach on its way out. The agent's
    // answer to the hold is "cancel", so the recorder refuses the attach deterministically.
    const before = await settledBaseline(vm);
    const target = freshTarget();
    const abort = new AbortController();
    const { t, steps } = await run(
      target,
      { signal: abort.signal, hold: { stage: 'load', seconds: 120 }, onProgress: (_n, s) => s === 'stage: holding load' && abort.abort() },
      'ca-until-sigint',
    );
    // Its association call still reaches the kernel (freed with the object); load and attach are refused.
    cancelledAt(t, steps, 'stage: loaded', ['stage: associated']);
    assert.equal(t.report?.loader?.executed, true, `loader: ${JSON.stringify(t.report?.loader)}`);
    assert.equal(t.report?.cancelled, true, 'the agent reported its own cancellation');
    await nothingLeft(before, target);
  });

  it('Ctrl-C on bpf-assoc run right after "connecting": exit 130, nothing loaded', async () => {
    const cli = join(REPO, 'dist/cli.js');
    if (!existsSync(cli)) assert.fail('dist/cli.js is missing: run npm run build first');
    await fixtureModel('ca-link'); // builds the fixtures
    const before = await settledBaseline(vm);
    const target = freshTarget();
    const targets = join(scratch, 'targets.json');
    writeFileSync(targets, JSON.stringify([target]));
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    const child = spawn(process.execPath, [cli, 'run', '--targets-file', targets, '--target', 'vm', join(REPO, 'test/vm/fixtures/ca-link'), join(REPO, 'test/vm/fixtures/include'), join(REPO, '.build/test/vm/fixtures/ca-link')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolvePromise) => child.on('close', (code) => resolvePromise(code)));
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('[vm] connecting\n')) {
        sent = true;
        process.kill(-(child.pid as number), 'SIGINT');
      }
    });
    const code = await exited;
    assert.ok(sent, `never saw "[vm] connecting":\n${stderr}`);
    assert.equal(code, 130, stderr);
    const out = JSON.parse(stdout) as VmRunResults;
    const t = out.targets[0];
    assert.ok(t);
    assert.equal(t.status, 'cancelled', t.message);
    assert.doesNotMatch(stderr, /\[vm\] (uploading|building|running|stage:)/, 'no step after connecting');
    await nothingLeft(before, target);
  });
});
