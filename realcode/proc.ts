// Running the tools the gate relies on (clang, llvm-readelf, bpftool, the bpf-assoc CLI): argv
// arrays, never a shell string, and at most two at a time under `nice` (the machine is shared).
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(argv: string[], opts: { cwd?: string; nice?: boolean; input?: string } = {}): Promise<RunResult> {
  const full = opts.nice ? ['nice', '-n', '10', ...argv] : argv;
  return new Promise((resolve) => {
    const child = spawn(full[0] as string, full.slice(1), { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: `${full[0]}: ${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => undefined); // a child that exits without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs `work` over `items` with at most `limit` in flight; results in the items' order. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Parallelism of the gate's compiles and object reads: at most 2 (BPF_ASSOC_REALCODE_JOBS=1 for fewer). */
export const JOBS = Math.max(1, Math.min(2, Number(process.env.BPF_ASSOC_REALCODE_JOBS ?? 2) || 2));
