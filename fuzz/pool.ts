// Worker threads with a watchdog: each input runs in a worker whose heap is capped
// (resourceLimits) and whose thread CPU time the main thread reads from /proc every 50 ms. Over
// the CPU budget, or silent past the wall budget (blocked, e.g. on a FIFO), the worker is ended and
// the input is a hang; a worker that dies (out of memory, abort) makes it a crash. A new worker
// replaces an ended one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Job, WorkerMessage } from './worker';

export interface Limits {
  /** CPU time one input may take, ms. */
  cpuMs: number;
  /** Wall time an input may go without using CPU, ms (blocked, e.g. reading a FIFO). */
  wallMs: number;
  /** The worker's V8 heap cap, MB. */
  heapMb: number;
}

export type RunKind = 'ok' | 'crash' | 'blank' | 'hang';

export interface RunResult {
  kind: RunKind;
  detail: string;
  cpuNs: number;
  heapBytes: number;
  what: string;
}

const BOOT = `require('tsx/cjs'); require(require('node:worker_threads').workerData.file);`;

function threadCpuNs(tid: number): number {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

class Slot {
  private worker: Worker | null = null;
  private tid = 0;
  private ready: Promise<void> | null = null;
  /** Inputs the worker's language server has taken since it was made (null: none made). */
  private lspRuns: number | null = null;
  private filesWarm = false;

  constructor(private readonly limits: Limits) {}

  private start(): Promise<void> {
    const w = new Worker(BOOT, {
      eval: true,
      workerData: { file: join(__dirname, 'worker.ts') },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 64 },
      stdout: true,
      stderr: true,
    });
    // The analysis never writes to the console; whatever a worker prints is dropped.
    w.stdout.resume();
    w.stderr.resume();
    this.worker = w;
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.kind !== 'ready') return;
        this.tid = m.tid;
        w.off('message', onMessage);
        w.off('error', reject);
        resolve();
      };
      w.on('message', onMessage);
      w.once('error', reject);
    });
  }

  /**
   * Runs a job, warming the target it needs first (the server indexes its folder; a fresh server
   * every 200 sequences keeps a long-lived one honest without carrying state for ever).
   */
  async run(job: Job): Promise<RunResult> {
    const lsp = job.kind !== 'warm' && (job.kind === 'make' ? job.category : job.input.category) === 'lsp';
    if (job.kind !== 'warm' && lsp && (this.lspRuns === null || this.lspRuns >= 200 || !this.worker)) {
      const w = await this.runOne({ kind: 'warm', target: 'lsp' }, 20);
      if (w.kind !== 'ok') return { ...w, detail: `starting the language server: ${w.detail}` };
      this.lspRuns = 0;
    } else if (job.kind !== 'warm' && !lsp && (!this.filesWarm || !this.worker)) {
      const w = await this.runOne({ kind: 'warm', target: 'files' }, 20);
      if (w.kind !== 'ok') return { ...w, detail: `starting the analysis: ${w.detail}` };
      this.filesWarm = true;
    }
    if (lsp && this.lspRuns !== null) this.lspRuns++;
    return this.runOne(job, 1);
  }

  private async runOne(job: Job, budgetFactor: number): Promise<RunResult> {
    if (!this.worker) {
      this.lspRuns = null;
      this.filesWarm = false;
      this.ready = this.start();
    }
    await this.ready;
    const w = this.worker as Worker;
    const tid = this.tid;
    const cpu0 = threadCpuNs(tid);
    const wall0 = Date.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: RunResult, end: boolean): void => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        if (end) {
          this.worker = null;
          void w.terminate();
        }
        resolve(r);
      };
      const onMessage = (m: WorkerMessage): void => {
        if (m.kind === 'done') finish({ kind: m.outcome.kind, detail: m.outcome.detail, cpuNs: m.cpuNs, heapBytes: m.heapBytes, what: m.what }, false);
      };
      const onError = (e: Error): void => finish({ kind: 'crash', detail: `worker died: ${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`, cpuNs: threadCpuNs(tid) - cpu0, heapBytes: this.limits.heapMb * 2 ** 20, what: '' }, true);
      const onExit = (code: number): void => finish({ kind: 'crash', detail: `worker exited with ${code}`, cpuNs: 0, heapBytes: 0, what: '' }, true);
      // Blocked: no CPU used for wallMs. A thread that progresses slowly on a busy machine is not.
      let lastCpu = 0;
      let lastProgress = wall0;
      const timer = setInterval(() => {
        const cpu = threadCpuNs(tid) - cpu0;
        const now = Date.now();
        if (cpu > lastCpu) [lastCpu, lastProgress] = [cpu, now];
        if (cpu > this.limits.cpuMs * budgetFactor * 1e6) finish({ kind: 'hang', detail: `over the CPU budget: ${Math.round(cpu / 1e6)} ms of CPU`, cpuNs: cpu, heapBytes: 0, what: '' }, true);
        else if (now - lastProgress > this.limits.wallMs * budgetFactor) finish({ kind: 'hang', detail: `blocked: no CPU used for ${now - lastProgress} ms (${Math.round(cpu / 1e6)} ms of CPU after ${now - wall0} ms)`, cpuNs: cpu, heapBytes: 0, what: '' }, true);
      }, 50);
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      w.postMessage(job);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

/** Runs jobs on `size` workers, in order of `jobs`, calling `done` for each as it finishes. */
export async function runPool(size: number, limits: Limits, jobs: Iterable<Job>, done: (job: Job, r: RunResult) => void | Promise<void>): Promise<void> {
  const slots = Array.from({ length: size }, () => new Slot(limits));
  const it = jobs[Symbol.iterator]();
  await Promise.all(
    slots.map(async (slot) => {
      for (let next = it.next(); !next.done; next = it.next()) {
        const r = await slot.run(next.value);
        await done(next.value, r);
      }
    }),
  );
  await Promise.all(slots.map((s) => s.close()));
}

/** One job in a fresh worker: a failure confirmed (or not) without what ran before it. */
export async function runAlone(limits: Limits, job: Job): Promise<RunResult> {
  const slot = new Slot(limits);
  try {
    return await slot.run(job);
  } finally {
    await slot.close();
  }
}
