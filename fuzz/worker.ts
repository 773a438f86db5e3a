// A fuzz worker thread: makes each input from (seed, category, index), or takes a stored one, runs it
// in-process and answers with the outcome, the thread's CPU time for it and the heap it left. The
// main thread watches this thread's CPU time in /proc and ends it when an input goes over budget.
import { readFileSync, readlinkSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { makeInput, type Category, type FuzzInput } from './inputs';
import { LspTarget } from './lspTarget';
import { FileTarget, type Outcome } from './target';

export type Job =
  | { kind: 'make'; seed: number; category: Category; index: number; full: boolean }
  | { kind: 'given'; input: FuzzInput }
  /** Makes (or makes again) a target before inputs: its start-up is not an input's CPU time. */
  | { kind: 'warm'; target: 'files' | 'lsp' };

export type WorkerMessage =
  | { kind: 'ready'; tid: number }
  | { kind: 'done'; outcome: Outcome; cpuNs: number; heapBytes: number; what: string };

/** This thread's CPU time in nanoseconds (schedstat's first field). */
export function threadCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('fuzz/worker.ts runs as a worker thread');
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  let files: FileTarget | null = null;
  let lsp: LspTarget | null = null;
  port.on('message', (job: Job) => {
    void (async () => {
      const start = threadCpuNs();
      let outcome: Outcome;
      let what = '';
      try {
        if (job.kind === 'warm') {
          if (job.target === 'lsp') {
            lsp?.dispose();
            lsp = await LspTarget.create();
          } else files = await FileTarget.create();
          port.postMessage({ kind: 'done', outcome: { kind: 'ok', detail: 'warm' }, cpuNs: threadCpuNs() - start, heapBytes: 0, what: 'warm' } satisfies WorkerMessage);
          return;
        }
        const input = job.kind === 'make' ? makeInput(job.seed, job.category, job.index, job.full) : job.input;
        what = input.what;
        if (input.category === 'lsp') {
          lsp ??= await LspTarget.create();
          outcome = await lsp.run(input);
        } else {
          files ??= await FileTarget.create();
          outcome = files.run(input);
          if (files.broken) files = null;
        }
      } catch (e) {
        outcome = { kind: 'crash', detail: `the harness failed: ${(e as Error).stack ?? String(e)}` };
      }
      const heap = getHeapStatistics();
      const done: WorkerMessage = { kind: 'done', outcome, cpuNs: threadCpuNs() - start, heapBytes: heap.used_heap_size + heap.external_memory, what };
      port.postMessage(done);
    })();
  });
  const ready: WorkerMessage = { kind: 'ready', tid };
  port.postMessage(ready);
}

void main();
