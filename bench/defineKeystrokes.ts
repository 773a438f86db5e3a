// The analysis's CPU per keystroke that changes the edited file's macro table: a `#define` line
// typed at file scope one character per edit, then deleted the same way, each edit followed by a
// model build (as bench/lspEditsInProcess.ts does for a statement). Two lines: one defining a name
// nothing uses (`SPARE_LIMIT`), one defining a name the file uses (`MAX_LAYERS` in scx_layered).
//   npx tsx bench/defineKeystrokes.ts [--workspace DIR] [--file FILE] [--rounds N] [--root DIR]
// Default: the sched-ext/scx tree of bench/lspKeystrokes.ts and its longest .bpf.c (scx_layered's
// main.bpf.c). --root DIR takes the analysis from DIR/server/src (a worktree of another commit).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { SCX_TREE } from './lspKeystrokes';
import { analysisAt, arg, cpuMs, longestBpfSource, percentileOf } from './common';

async function main(): Promise<void> {
  const root = resolve(arg('root') ?? join(__dirname, '..'));
  const workspaceDir = resolve(arg('workspace') ?? SCX_TREE);
  const file = resolve(arg('file') ?? longestBpfSource(workspaceDir));
  const rounds = Number(arg('rounds') ?? 2);
  const { loadGrammar, loadWorkspace } = analysisAt(root);
  await loadGrammar();
  const { workspace } = loadWorkspace([workspaceDir]);
  workspace.model();
  const text = readFileSync(file, 'utf8');
  workspace.update(file, text);
  workspace.model();
  const lines = text.split('\n');
  // At file scope: before the first top-level item after line 200 that follows an empty line.
  const blank = lines.findIndex((l, i) => i > 200 && l === '' && /^(static|s32|u32|int|void|struct)\b/.test(lines[i + 1] ?? ''));
  const at = lines.slice(0, blank + 1).join('\n').length + 1;
  const edit = (t: string): number => {
    const c0 = cpuMs();
    workspace.update(file, t);
    workspace.model();
    return cpuMs() - c0;
  };
  const load = loadavg()[0] ?? 0;
  console.log(`${file} (${lines.length} lines), #define lines typed before line ${blank + 2}; analysis of ${root}`);
  for (const [what, line] of [
    ['unused name', '#define SPARE_LIMIT (MAX_LAYERS * 2)'],
    ['used name', '#define MAX_LAYERS 16'],
  ] as const) {
    const typed = (n: number): string => `${text.slice(0, at)}${line.slice(0, n)}\n${text.slice(at)}`;
    const session = [typed(0), ...Array.from(line, (_, i) => typed(i + 1)), ...Array.from(line, (_, i) => typed(line.length - 1 - i)), text];
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = session.map(edit);
      // The first round warms the JIT up.
      if (r > 0 || rounds === 1) times.push(...t);
    }
    times.sort((a, b) => a - b);
    console.log(`  ${what} (\`${line}\`, ${times.length} edits): median ${percentileOf(times, 50)} ms, p95 ${percentileOf(times, 95)} ms CPU`);
  }
  console.log(`  load average ${load.toFixed(2)} -> ${(loadavg()[0] ?? 0).toFixed(2)}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
