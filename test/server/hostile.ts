// The hostile-workspace tier's harness (issue 12): the built server as a process (optionally as the
// unprivileged user nobody), its memory read from /proc (VmHWM: the peak resident set) and its CPU
// time, a watchdog that kills it long before it could eat the machine, and the time the next
// request takes to be answered.
import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { ModelRequest } from '../../server/src/protocol';
import { TestClient } from './client';
import { ROOT } from './helpers';

/** The server under test: dist/server.js (npm run test:server builds it), or BPF_ASSOC_SERVER_JS. */
export const SERVER_JS = process.env.BPF_ASSOC_SERVER_JS ?? join(ROOT, 'dist', 'server.js');
export const NOBODY = 65534;
/** The watchdog kills a server past this, so that a test fails instead of the machine swapping. */
const KILL_MIB = 1024;

export interface HostileServer {
  client: TestClient;
  pid: number;
  /** Peak resident set (VmHWM) in MiB, as the watchdog last saw it or /proc now. */
  peakMiB(): number;
  /** CPU time (user + system) the server has used, in ms. */
  cpuMs(): number;
  /** Set when the watchdog killed the server. */
  killed(): string | undefined;
  stderr(): string;
  stop(): Promise<void>;
}

function procStatus(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function procCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat; here counted after the command name (field 3 is [0]).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

export function startServer(asUser?: number): HostileServer {
  const argv = [SERVER_JS, '--stdio'];
  const child =
    asUser === undefined
      ? spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('setpriv', [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', process.execPath, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid as number;
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  let peak = 0;
  let killed: string | undefined;
  const watchdog = setInterval(() => {
    peak = Math.max(peak, procStatus(pid, 'VmHWM'));
    const rss = procStatus(pid, 'VmRSS');
    if (rss > KILL_MIB && !killed) {
      killed = `killed by the test's watchdog at ${Math.round(rss)} MiB resident`;
      child.kill('SIGKILL');
    }
  }, 50);
  const client = new TestClient(createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin)), child);
  return {
    client,
    pid,
    peakMiB: () => Math.max(peak, procStatus(pid, 'VmHWM')),
    cpuMs: () => procCpuMs(pid),
    killed: () => killed,
    stderr: () => err,
    async stop() {
      clearInterval(watchdog);
      client.dispose();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Milliseconds the server takes to answer a workspace/symbol request; rejects after `ms`. */
export async function answerTime(server: HostileServer, ms = 10_000): Promise<number> {
  const started = performance.now();
  await Promise.race([
    server.client.request('workspace/symbol', { query: '' }),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms${server.killed() ? ` (${server.killed()})` : ''}`)), ms)),
  ]);
  return performance.now() - started;
}

/** The model once indexing is over. */
export async function settledModel(server: HostileServer, ms = 30_000): Promise<WorkspaceModel> {
  const deadline = performance.now() + ms;
  for (;;) {
    const r = await server.client.request<ModelRequest.Result>(ModelRequest.method, {});
    if (!r.indexing) return r.model;
    if (performance.now() > deadline) throw new Error(`still indexing after ${ms} ms`);
    await server.client.waitFor('a message', () => true, 200).catch(() => undefined);
  }
}

/** Findings outside `except` (paths or directories), as comparable lines. */
export function findingsOutside(model: WorkspaceModel, except: string[]): string[] {
  return model.findings
    .filter((f) => !except.some((e) => f.location.file === e || f.location.file.startsWith(`${e}/`)))
    .map((f) => `${f.rule} ${f.location.file}:${f.location.range.start.line + 1}:${f.location.range.start.character + 1} ${f.message}`)
    .sort();
}

/** Makes a directory tree readable by everyone (the unprivileged server reads it). */
export function openToAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) openToAll(p);
    else if (st?.isFile()) chmodSync(p, 0o644);
  }
}
