// What the bench scripts share: their command-line options, the cache they read real trees from,
// the diagnostics publisher's per-file JSON, the longest BPF source of a tree, and for the in-process
// keystroke drivers the process's CPU clock, a percentile and the analysis of another checkout.
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { WorkspaceModel } from '../server/src/analysis/model';

/** The value after `--name` on the command line. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `${BPF_ASSOC_CACHE:-~/.cache/bpf-assoc}`. */
export function benchCache(): string {
  return process.env.BPF_ASSOC_CACHE ?? join(homedir(), '.cache', 'bpf-assoc');
}

/** What the diagnostics publisher computes per rebuild: the findings grouped by file, as JSON. */
export function diagnosticsByFile(model: WorkspaceModel): Map<string, string> {
  const byFile = new Map<string, unknown[]>();
  for (const f of model.findings) {
    const list = byFile.get(f.location.file) ?? [];
    list.push(f);
    byFile.set(f.location.file, list);
  }
  return new Map([...byFile].map(([k, v]) => [k, JSON.stringify(v)]));
}

/** The `.bpf.c` under `dir` with the most lines. */
export function longestBpfSource(dir: string): string {
  let best = '';
  let size = -1;
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.bpf.c')) continue;
    const s = readFileSync(join(dir, f), 'utf8').split('\n').length;
    if (s > size) [best, size] = [join(dir, f), s];
  }
  return best;
}

/** The process's CPU time (user + system), in ms. */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** The p-th percentile of ascending `sorted`, to one decimal. */
export function percentileOf(sorted: number[], p: number): string {
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(1);
}

/**
 * The grammar loader and the workspace scanner of the checkout at `root` (its server/src: this one,
 * or a worktree of another commit, so that two commits are measured by the same driver).
 */
export function analysisAt(root: string): {
  loadGrammar: typeof import('../server/src/analysis/c/parser').loadGrammar;
  loadWorkspace: typeof import('../server/src/node/scan').loadWorkspace;
} {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the analysis of the checkout asked for
  const { loadGrammar } = require(join(root, 'server/src/analysis/c/parser')) as typeof import('../server/src/analysis/c/parser');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same
  const { loadWorkspace } = require(join(root, 'server/src/node/scan')) as typeof import('../server/src/node/scan');
  return { loadGrammar, loadWorkspace };
}
