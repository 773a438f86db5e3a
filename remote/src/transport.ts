// The ssh edge: one master connection per run (ControlMaster), commands multiplexed over it,
// files sent through stdin. Every process is spawned from an argv (ssh.ts), never a shell string.
//
// Cancel: every child runs in a process group of its own, so a terminal's Ctrl-C reaches only this
// process, which decides what to stop and in which order (the agent must be told to clean up
// through a master connection that is still alive); a child that is stopped is stopped with its
// own children (a ProxyCommand, a `Match exec` command). A child is never started once the run's
// AbortSignal has fired, and is killed when it fires while it runs (except where the caller leaves
// the signal out on purpose: cleanup after a Cancel).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifySshFailure, throwIfCancelled, VmError } from './errors';
import { MASTER_READY, masterArgs, parseResolved, resolveArgs, sessionArgs, type ResolvedSsh, type SshOptions } from './ssh';
import type { VmTarget } from './targets';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Bytes for the program's stdin, or a stream that stays open until it ends (a control channel). */
  stdin?: Uint8Array | NodeJS.ReadableStream;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Each complete stderr line as it arrives (the agent's "stage: ..." lines). */
  onStderrLine?: (line: string) => void;
}

export const SSH = process.env.BPF_ASSOC_SSH ?? 'ssh';

/** Signals a child started by this module and everything in its process group. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/**
 * Runs a local program from an argv and collects its output. Rejects only if it cannot start: a
 * VmError "cancelled" when `o.signal` has already fired (the program is not started), else the
 * spawn error. A signal that fires while it runs kills it (and its process group).
 */
export function runLocal(cmd: string, args: string[], o: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      reject(new VmError('cancelled', `Cancelled before running ${cmd}.`));
      return;
    }
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let timedOut = false;
    const kill = (): void => killGroup(child, 'SIGKILL');
    const timer = o.timeoutMs ? setTimeout(() => ((timedOut = true), kill()), o.timeoutMs) : undefined;
    o.signal?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const s = d.toString();
      stderr += s;
      if (!o.onStderrLine) return;
      const lines = (partial + s).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) o.onStderrLine(l);
    });
    child.stdin.on('error', () => undefined); // the remote side may close early; its exit status says why
    if (o.stdin instanceof Uint8Array) child.stdin.end(Buffer.from(o.stdin));
    else if (o.stdin) o.stdin.pipe(child.stdin);
    else child.stdin.end();
    child.on('error', (e) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
      if (partial && o.onStderrLine) o.onStderrLine(partial);
      resolve({ code: timedOut ? null : code, signal: timedOut ? 'SIGALRM' : signal, stdout, stderr });
    });
  });
}

export class SshConnection {
  private closed = false;
  private masterExit: Promise<void>;
  private masterStderr = '';

  private constructor(
    readonly target: VmTarget,
    readonly resolved: ResolvedSsh,
    private readonly options: SshOptions,
    private readonly controlDir: string,
    private readonly master: ChildProcess,
    readonly log: (line: string) => void,
  ) {
    this.masterExit = new Promise((resolve) => master.once('close', () => resolve()));
    master.stderr?.on('data', (d: Buffer) => (this.masterStderr += d.toString()));
  }

  /**
   * Resolves the target with `ssh -G`, opens the master connection and waits until it runs a
   * command. `o.signal` stops either step (ssh -G is killed, the master closed) and keeps a step
   * from starting once it has fired.
   */
  static async open(target: VmTarget, o: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<SshConnection> {
    const log = o.log ?? ((): void => undefined);
    throwIfCancelled(o.signal, `resolving ${target.name} (ssh -G)`);
    let resolvedText: ExecResult;
    try {
      resolvedText = await runLocal(SSH, resolveArgs(target), { timeoutMs: 10_000, signal: o.signal });
    } catch (e) {
      if (e instanceof VmError) throw e;
      throw new VmError('ssh-missing', `cannot run ssh (${(e as Error).message}); install OpenSSH's client (Debian: openssh-client)`);
    }
    if (o.signal?.aborted) throw new VmError('cancelled', `Cancelled while resolving ${target.name} (ssh -G).`);
    if (resolvedText.code !== 0) throw new VmError('ssh-config', `ssh cannot resolve the settings for ${target.name}: ${resolvedText.stderr.trim().split('\n').pop() ?? ''}`, resolvedText.stderr);
    const resolved = parseResolved(resolvedText.stdout);
    log(`$ ${SSH} ${resolveArgs(target).join(' ')}  -> ${resolved.user}@${resolved.hostname}:${resolved.port}`);
    throwIfCancelled(o.signal, `connecting to ${target.name}`);
    // A short private directory: Unix socket paths are limited to about 100 bytes.
    const controlDir = mkdtempSync(join(tmpdir(), 'bpfa-'));
    const options: SshOptions = { controlPath: join(controlDir, 'm'), connectTimeout: target.connectTimeout };
    const args = masterArgs(target, options);
    log(`$ ${SSH} ${args.join(' ')}`);
    const master = spawn(SSH, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const conn = new SshConnection(target, resolved, options, controlDir, master, log);
    try {
      await conn.waitReady(o.signal);
    } catch (e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  private waitReady(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let out = '';
      const done = (err?: VmError): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.master.stdout?.removeListener('data', onData);
        this.master.removeListener('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes(MASTER_READY)) done();
      };
      const onClose = (): void => done(classifySshFailure(this.target.name, this.masterStderr, false));
      const onAbort = (): void => done(new VmError('cancelled', `Cancelled while connecting to ${this.target.name}.`));
      // ssh's ConnectTimeout bounds the TCP connect; this bounds key exchange and login too.
      const timer = setTimeout(
        () => done(new VmError('connect-timeout', `${this.target.name} did not answer within ${this.target.connectTimeout} s (connect timeout).`, this.masterStderr.trim())),
        this.target.connectTimeout * 1000 + 2000,
      );
      this.master.stdout?.on('data', onData);
      this.master.once('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.master.on('error', (e) => done(new VmError('ssh-missing', `cannot run ssh: ${e.message}`)));
      if (signal?.aborted) onAbort(); // fired before the listener was added: 'abort' is not sent again
    });
  }

  get alive(): boolean {
    return !this.closed && this.master.exitCode === null && this.master.signalCode === null;
  }

  /** Runs an argv on the target over the master connection. ssh failures become VmErrors. */
  async exec(argv: readonly string[], o: ExecOptions = {}): Promise<ExecResult> {
    if (!this.alive) throw classifySshFailure(this.target.name, this.masterStderr, true);
    const args = sessionArgs(this.target, this.options, argv);
    this.log(`$ ${argv.map((a) => (a.includes('\n') ? `'${a.split('\n')[0]}…'` : a)).join(' ')}`);
    const r = await runLocal(SSH, args, o);
    if (!o.onStderrLine && r.stderr.trim()) for (const l of r.stderr.trim().split('\n').slice(-20)) this.log(`  ${l}`);
    if (r.code === 255 && !o.signal?.aborted) {
      // 255 is ssh's own failure (a remote program exiting 255 is rare and reads the same).
      await Promise.race([this.masterExit, new Promise((res) => setTimeout(res, 200))]);
      throw classifySshFailure(this.target.name, `${this.masterStderr}\n${r.stderr}`, true);
    }
    return r;
  }

  /** Writes bytes to a remote path through `cat` (no sftp or scp needed on the target). */
  async upload(bytes: Uint8Array, remotePath: string, o: { signal?: AbortSignal; timeoutMs?: number; mode?: string } = {}): Promise<void> {
    const script = o.mode ? 'cat >"$1" && chmod "$2" "$1"' : 'cat >"$1"';
    const r = await this.exec(['sh', '-c', script, 'sh', remotePath, ...(o.mode ? [o.mode] : [])], { stdin: bytes, signal: o.signal, timeoutMs: o.timeoutMs });
    if (r.code !== 0) throw new VmError('upload-failed', `cannot write ${remotePath} on ${this.target.name}: ${r.stderr.trim() || `exit ${r.code}`}`, r.stderr);
  }

  /** Ends the master (and with it every session of the run) and removes the control socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.master.stdin?.end();
    killGroup(this.master, 'SIGTERM');
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}
