// What the bench scripts share: their command-line options, the cache they read real trees from,
// the diagnostics publisher's per-file JSON, and the longest BPF source of a tree.
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
