// Executes a plan on one target: connect, preflight, upload, build, run the agent, clean up.
// Never throws: every failure becomes a TargetResult with a classified error.
//
// Cancel (the AbortSignal) at every step: each step is announced (onProgress) and then checks the
// signal before it starts, so a Cancel that arrived during an earlier step is never lost; the
// local children of a step (ssh -G, the master while it logs in, each ssh session, the static
// agent's build) are killed when it fires. While the agent runs, Cancel asks it to stop instead
// (SIGTERM through its pidfile, or it is kept from starting): it stops between steps, detaches and
// frees what it loaded and still reports; then the ssh session and the master end. What the run
// left in its remote directory is removed over the same connection.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { AGENT_BINARY, expectedAgentHash, localMachine, readAgentSources, recordRemoteAgent, staticAgent, type AgentSources, type CachedAgentKey } from './agentBuild';
import { classifyBuildFailure, KERNEL_LACKS_COMMAND, parsePreflight, preflightProblem, throwIfCancelled, VmError } from './errors';
import type { LoaderChoice } from './loaderBuild';
import { pinnedLibbpf } from './libbpf';
import { agentArgs, loaderArgs, type VmPlan } from './plan';
import { dmesgDelta, kernelLacks, parseReport, ReportError, type AgentReport } from './report';
import type { TargetResult, Timings } from './results';
import { describeResolved } from './ssh';
import { ustar } from './tar';
import { BUILD, CLEANUP, INSTALL, INSTALL_LOADER, PREFLIGHT, RUN, STOP_AGENT, STOP_ON_REQUEST } from './remoteScripts';
import type { VmTarget } from './targets';
import { SshConnection } from './transport';

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Progress for a notification: "connecting", "uploading", "building", "running", "stage: loaded"...
   * A step is announced before it starts (and before it checks for Cancel).
   */
  onProgress?: (target: string, step: string) => void;
  /** Transcript lines (commands, ssh's and the agent's stderr) for an output channel. */
  onTranscript?: (target: string, line: string) => void;
  /** For tests and debugging: the agent waits at this stage until cancelled or `seconds` pass. */
  hold?: { stage: 'load' | 'associate' | 'attach'; seconds: number };
  /** For tests: read associations back only this way (default: debugfs, else the bpf_prog iterator). */
  observe?: 'debugfs' | 'bpf-iter';
  /** Where the static agent is cached (the VM cache directory). */
  cacheDir: string;
  agentSources?: AgentSources;
  /** Boot time of a built-in VM, reported with the other timings. */
  bootMs?: number;
  /** The user's loader, built once for the run (loaderBuild.ts), or why the plan is replayed. */
  loader?: LoaderChoice;
  /** Seconds a loader may run before it is stopped with SIGINT (default 15). */
  loaderBudget?: number;
}

/** Whether this target runs the built loader, or replays the plan and why. */
function loaderFor(o: RunOptions, plan: VmPlan, target: VmTarget, arch: string): LoaderChoice {
  const l = o.loader ?? { kind: 'replayed', file: null, why: 'no loader was built for this run' };
  if (l.kind !== 'executed') return l;
  if (arch !== localMachine()) return { kind: 'replayed', file: l.binary.file, why: `the loader is built for ${localMachine()} and the target is ${arch}` };
  if (!target.allowAttach && plan.attach.length) return { kind: 'replayed', file: l.binary.file, why: 'the loader attaches struct_ops maps and attaching is off for this target ("allowAttach")' };
  return l;
}

export async function runPlanOnTarget(plan: VmPlan, object: Uint8Array, target: VmTarget, o: RunOptions): Promise<TargetResult> {
  const started = Date.now();
  const timings: Timings = { totalMs: 0, ...(o.bootMs !== undefined ? { bootMs: o.bootMs } : {}), ...(o.loader?.kind === 'executed' ? { loaderBuildMs: o.loader.binary.buildMs } : {}) };
  const transcript: string[] = [];
  const log = (line: string): void => {
    transcript.push(line);
    o.onTranscript?.(target.name, line);
  };
  const progress = (step: string): void => o.onProgress?.(target.name, step);
  /** Announces a step, then keeps it from starting when the run was cancelled. */
  let current = 'connecting';
  const enter = (step: string): void => {
    current = step;
    progress(step);
    throwIfCancelled(o.signal, step);
  };
  const result: TargetResult = { target: target.name, destination: target.host, status: 'error', message: '', notes: [], timings, transcript };
  const token = randomBytes(6).toString('hex');
  let conn: SshConnection | null = null;
  let runDir: string | null = null;
  /** Whether the run may have left files in remoteDir (set once the preflight starts). */
  let remoteFiles = false;
  const deadline = started + target.connectTimeout * 1000 + target.runTimeout * 1000;
  const left = (): number => Math.max(1000, deadline - Date.now());
  try {
    enter('connecting');
    let t = Date.now();
    conn = await SshConnection.open(target, { signal: o.signal, log });
    result.destination = describeResolved(conn.resolved);
    timings.connectMs = Date.now() - t;

    const sources = o.agentSources ?? readAgentSources(undefined, o.cacheDir);
    // Preflight and the object's upload in one session (the object is the session's stdin).
    enter('uploading');
    t = Date.now();
    remoteFiles = true;
    const libbpfDebianVersion = target.agentBuild === 'local-static' ? pinnedLibbpf() : '';
    const variant = `${sources.hash}${target.agentBuild === 'local-static' ? `-libbpf${libbpfDebianVersion}-static` : ''}`;
    // The agent cached there runs only when its content is the one built for it (its SHA-256).
    const agentKey: CachedAgentKey = { agentBuild: target.agentBuild, destination: result.destination, remoteDir: target.remoteDir, variant, sources, libbpfDebianVersion };
    const expectedHash = expectedAgentHash(o.cacheDir, agentKey);
    const pre = await conn.exec(['sh', '-c', PREFLIGHT, 'sh', target.remoteDir, token, target.sudo ? '1' : '0', variant, target.agentBuild, plan.shipped.remoteName, expectedHash], { stdin: object, signal: o.signal, timeoutMs: left() });
    const pf = parsePreflight(pre.stdout);
    const dir = /^dir=(.*)$/m.exec(pre.stdout)?.[1];
    runDir = /^rundir=(.*)$/m.exec(pre.stdout)?.[1] ?? null;
    if (pf) result.kernel = pf.release;
    const problem = pf && preflightProblem(target.name, pf, { sudo: target.sudo, agentBuild: target.agentBuild, localArch: localMachine() }, pre.stderr);
    if (problem) throw problem;
    if (!pf || !dir || !runDir || pre.code !== 0) {
      throw new VmError('upload-failed', `${target.name}: cannot write to ${target.remoteDir} there: ${pre.stderr.trim().split('\n').pop() || `exit ${pre.code}`}. Set "remoteDir" to a directory the user can write.`, pre.stderr);
    }
    const agentDir = `${dir}/agent-${variant}`;
    const agentPath = `${agentDir}/${AGENT_BINARY}`;
    const cached = /^agent=cached$/m.test(pre.stdout);

    const objectPath = `${runDir}/${plan.shipped.remoteName}`;
    let buildMs = 0;
    if (!cached && target.agentBuild === 'local-static') {
      const b = Date.now();
      enter('building');
      const local = await staticAgent(o.cacheDir, sources, o.signal);
      buildMs += Date.now() - b;
      throwIfCancelled(o.signal, 'installing the agent');
      const installed = await conn.exec(['sh', '-c', INSTALL, 'sh', agentDir, `${agentPath}.${token}`], { stdin: readFileSync(local), signal: o.signal, timeoutMs: left() });
      if (installed.code !== 0) throw new VmError('upload-failed', `cannot install the agent in ${agentDir} on ${target.name}: ${installed.stderr.trim()}`, installed.stderr);
    } else if (!cached) {
      enter('building');
      const b = Date.now();
      const archive = ustar(sources.files.map((f) => ({ name: f.name, bytes: f.bytes })));
      const built = await conn.exec(['sh', '-c', BUILD, 'sh', `${runDir}/agent-src`, agentDir, pf.cc || 'cc'], { stdin: archive, signal: o.signal, timeoutMs: left() });
      buildMs += Date.now() - b;
      if (built.code !== 0) throw classifyBuildFailure(target.name, built.stdout + built.stderr);
      recordRemoteAgent(o.cacheDir, agentKey, built.stdout);
    }
    timings.buildMs = buildMs;

    // The user's loader when it was built and suits this target, else the plan.
    const loader = loaderFor(o, plan, target, pf.arch);
    const pidfile = `${runDir}/agent.pid`;
    let args = agentArgs(plan, objectPath, { allowAttach: target.allowAttach, pidfile, hold: o.hold, observe: o.observe });
    if (loader.kind === 'executed') {
      const loaderPath = `${runDir}/loader`;
      // Compressed where the target has gzip: a static loader is about 1.3 MB, half that gzipped.
      const gz = /^gzip=yes$/m.test(pre.stdout);
      const installed = await conn.exec(['sh', '-c', INSTALL_LOADER, 'sh', loaderPath, gz ? 'gz' : ''], { stdin: gz ? gzipSync(loader.binary.bytes) : loader.binary.bytes, signal: o.signal, timeoutMs: left() });
      if (installed.code !== 0) throw new VmError('upload-failed', `cannot upload the loader to ${runDir} on ${target.name}: ${installed.stderr.trim()}`, installed.stderr);
      args = loaderArgs(plan, loaderPath, { pidfile, budgetSeconds: o.loaderBudget ?? 15, hold: o.hold, observe: o.observe });
      log(`running the loader ${loader.binary.file} (libbpf ${loader.binary.libbpf}, ${loader.binary.cached ? 'built earlier, unchanged' : `built in ${loader.binary.buildMs} ms`}) with the recorder`);
    } else {
      log(`replaying the plan: ${loader.why}`);
    }
    timings.uploadMs = Date.now() - t - buildMs;

    enter('running');
    t = Date.now();
    const report = await runAgent(conn, target, runDir, agentPath, args, { ...o, left, log, progress });
    if (loader.kind === 'replayed') report.loader = { executed: false, file: loader.file, why: loader.why };
    else if (report.loader?.executed) report.loader.file = loader.binary.file; // the workspace's file, not the uploaded copy
    runDir = null; // the run script removed it
    remoteFiles = false;
    timings.runMs = Date.now() - t;
    result.report = report;
    result.kernel = report.kernel.release;
    describeOutcome(result, plan, target, report);
  } catch (e) {
    const err = e instanceof VmError ? e : e instanceof ReportError ? new VmError('bad-report', `The agent's report from ${target.name} is not valid: ${e.message}`) : new VmError('agent-failed', `${target.name}: ${(e as Error).message}`);
    const cancelled = o.signal?.aborted || err.kind === 'cancelled';
    result.error = { kind: cancelled ? 'cancelled' : err.kind, message: cancelled ? (err.kind === 'cancelled' ? err.message : `Cancelled while ${current}.`) : err.message, detail: err.detail };
    result.message = result.error.message;
    if (cancelled) result.status = 'cancelled';
    log(`error (${result.error.kind}): ${err.message}${err.detail ? `\n${err.detail}` : ''}`);
  } finally {
    // No signal here: this cleanup runs after a Cancel too.
    if (conn?.alive && (remoteFiles || runDir)) {
      await conn.exec(['sh', '-c', CLEANUP, 'sh', target.remoteDir, token], { timeoutMs: 10_000 }).catch(() => undefined);
    }
    conn?.close();
    timings.totalMs = Date.now() - started + (o.bootMs ?? 0);
  }
  return result;
}

async function runAgent(
  conn: SshConnection,
  target: VmTarget,
  runDir: string,
  agentPath: string,
  args: string[],
  o: RunOptions & { left: () => number; log: (l: string) => void; progress: (s: string) => void },
): Promise<AgentReport> {
  const sudo = target.sudo ? ['sudo', '-n'] : [];
  const session = new AbortController();
  // A session beside the run that waits for a stop request on its stdin: Cancel is then one write
  // on a session that is up already, not a new session to start while the agent goes on.
  const control = new PassThrough();
  let cancelled = false;
  const stopAgent = async (): Promise<void> => {
    if (cancelled) return;
    cancelled = true;
    o.log('cancel: asking the agent to stop (SIGTERM) so that it detaches and frees everything');
    if (!control.writableEnded) control.end('TERM\n');
    // STOP_AGENT marks the run cancelled first, so an agent that has not started yet never starts.
    const stop = (sig: string): Promise<unknown> => conn.exec([...sudo, 'sh', '-c', STOP_AGENT, 'sh', runDir, sig], { timeoutMs: 15_000 }).catch(() => undefined);
    await stop('TERM'); // the same again over a new session, should the waiting one be gone
    // The agent answers SIGTERM within its current step; if it does not, it is killed.
    const killTimer = setTimeout(() => void stop('KILL').then(() => setTimeout(() => session.abort(), 2000)), 10_000);
    running.finally(() => clearTimeout(killTimer)).catch(() => undefined);
  };
  const onAbort = (): void => void stopAgent();
  throwIfCancelled(o.signal, 'running the agent');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const waiting = conn.exec([...sudo, 'sh', '-c', STOP_ON_REQUEST, 'sh', runDir], { stdin: control, timeoutMs: o.left() }).catch(() => undefined);
  const running = conn.exec(['sh', '-c', RUN, 'sh', runDir, ...sudo, agentPath, ...args], {
    signal: session.signal,
    timeoutMs: o.left(),
    onStderrLine: (line) => {
      o.log(`agent: ${line}`);
      if (line.startsWith('stage: ')) o.progress(line);
    },
  });
  try {
    const r = await running;
    if (r.code === null && r.signal === 'SIGALRM') {
      await stopAgent();
      throw new VmError('run-timeout', `The run on ${target.name} did not finish within ${target.runTimeout} s (run timeout); the agent was stopped.`);
    }
    if (o.signal?.aborted && !r.stdout.includes('{')) throw new VmError('cancelled', r.code === 130 ? 'Cancelled before the agent started.' : 'Cancelled.');
    if (r.code !== 0) {
      const why = r.code === 126 || r.code === 127 ? 'it could not be executed' : r.signal ? `killed by ${r.signal}` : `exit status ${r.code}`;
      throw new VmError('agent-failed', `The agent failed on ${target.name} (${why}).`, r.stderr.trim().split('\n').slice(-10).join('\n'));
    }
    return parseReport(r.stdout);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (!control.writableEnded) control.end();
    await waiting;
  }
}

function describeOutcome(result: TargetResult, plan: VmPlan, target: VmTarget, r: AgentReport): void {
  const k = r.kernel;
  if (r.cancelled) {
    result.status = 'cancelled';
    result.message = `Cancelled; the agent detached and freed everything (${r.cleanup?.linksDestroyed ?? 0} link(s) destroyed).`;
  } else if (r.object && !r.object.load.ok) {
    result.status = 'load-failed';
    const log = r.object.libbpfLog.trim().split('\n').slice(-12).join('\n');
    const lacks = kernelLacks(r.object.libbpfLog);
    result.message = r.object.open.ok
      ? `The object fails to load on ${k.release} (${r.object.load.errno ?? 'error'}${lacks ? `: the kernel lacks ${lacks}` : ''}).`
      : `libbpf cannot open the object (${r.object.open.errno ?? 'error'}).`;
    result.error = { kind: 'agent-failed', message: result.message, detail: log };
  } else {
    result.status = 'completed';
    result.message = `Ran on ${k.release} (libbpf ${r.agent.libbpf.replace(/^v/, '')}, ${r.associations.filter((a) => a.performed).length} association call(s), ${r.attachments.filter((a) => a.ok).length} map(s) attached).`;
  }
  if (k.assocCommand === 'missing') result.notes.push(KERNEL_LACKS_COMMAND);
  if (k.assocCommand === 'unknown') result.notes.push(`The kernel's support for BPF_PROG_ASSOC_STRUCT_OPS is unknown: the probe answered ${k.assocProbeErrno ?? 'nothing'}.`);
  if (k.assocObservation === 'debugfs') result.notes.push("Each program's association was read back from the bpf-assoc test kernel (debugfs).");
  else if (k.assocObservation === 'bpf-iter') result.notes.push("Each program's association was read back with a bpf_prog iterator (prog->aux->st_ops_assoc).");
  else if (k.assocObservation === 'none' && k.assocCommand === 'supported') result.notes.push(`Programs' associations are not observable on this kernel: ${k.assocObservationNote ?? 'no read-back'}.`);
  if (!k.bpffs) result.notes.push('bpffs is not mounted at /sys/fs/bpf (not needed for this run).');
  if (!target.allowAttach && plan.attach.length) result.notes.push(`struct_ops maps not attached: attaching is off for this target ("allowAttach"): ${plan.attach.map((m) => m.map).join(', ')}.`);
  if (r.cleanup && r.cleanup.detachErrors) result.notes.push(`${r.cleanup.detachErrors} detach error(s) during cleanup.`);
  const d = dmesgDelta(r);
  if (d && (d.errors || d.oopses)) result.notes.push(`The kernel logged ${d.errors} error(s) and ${d.oopses} oops/warning(s) during the run:\n${d.lines.slice(0, 10).join('\n')}`);
  if (!d) result.notes.push('The kernel log could not be read (dmesg counts unavailable).');
}
