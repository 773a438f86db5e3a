// The language server's per-edit work without the LSP connection: the workspace of a real tree
// is loaded, the longest BPF source is given as an editor buffer, and each edit is followed by a
// model build, as the server's debounced rebuild does. CPU time of this process per edit
// (process.cpuUsage), so other processes on a shared machine count little:
//   - typing (in the longest .bpf.c by lines, as bench/lspKeystrokes.ts): a statement typed into a function body one character per edit, then deleted;
//   - slot toggles: a struct_ops slot set to NULL and back (findings change).
// For profiles (node --cpu-prof --import tsx bench/lspEditsInProcess.ts) and for comparing two
// checkouts: --root DIR takes the analysis from DIR/server/src (a git worktree of another commit).
//   npx tsx bench/lspEditsInProcess.ts [--workspace DIR] [--file FILE] [--rounds N] [--root DIR]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { SCX_TREE } from './lspKeystrokes';
import { analysisAt, arg, cpuMs, longestBpfSource, percentileOf } from './common';

async function main(): Promise<void> {
  const root = resolve(arg('root') ?? join(__dirname, '..'));
  const workspaceDir = resolve(arg('workspace') ?? SCX_TREE);
  const file = resolve(arg('file') ?? longestBpfSource(workspaceDir));
  const rounds = Number(arg('rounds') ?? 3);
  const { loadGrammar, loadWorkspace } = analysisAt(root);
  await loadGrammar();
  const { workspace } = loadWorkspace([workspaceDir]);
  workspace.model();
  const text = readFileSync(file, 'utf8');
  workspace.update(file, text);
  workspace.model();
  const lines = text.split('\n');
  // Each edit comes with its change range, as the server's incremental sync gives it (worked out
  // here before the clock starts: an editor sends it).
  let current = text;
  const spanTo = (t: string): { start: number; oldEnd: number; newEnd: number } => {
    let p = 0;
    while (p < current.length && p < t.length && current.charCodeAt(p) === t.charCodeAt(p)) p++;
    let q = 0;
    while (q < current.length - p && q < t.length - p && current.charCodeAt(current.length - 1 - q) === t.charCodeAt(t.length - 1 - q)) q++;
    return { start: p, oldEnd: current.length - q, newEnd: t.length - q };
  };
  const edit = (t: string): number => {
    const span = spanTo(t);
    current = t;
    const c0 = cpuMs();
    workspace.update(file, t, undefined, span);
    workspace.model();
    return cpuMs() - c0;
  };
  const load = loadavg()[0] ?? 0;
  // Typing, as bench/lspKeystrokes.ts types: after a statement near the middle of the file.
  const mid = Math.floor(lines.length / 2);
  const bodyLine = lines.findIndex((l, i) => i > mid && /^\t[^\t].*;\s*$/.test(l)) + 1;
  const at = lines.slice(0, bodyLine).join('\n').length + 1;
  // As an editor does it: a new line opened, the statement typed on it and deleted, the line removed.
  const stmt = 'u64 spare_cnt = bpf_ktime_get_ns();';
  const typed = (n: number): string => `${text.slice(0, at)}\t${stmt.slice(0, n)}\n${text.slice(at)}`;
  const session = [typed(0), ...stmt.split('').map((_, i) => typed(i + 1)), ...stmt.split('').map((_, i) => typed(stmt.length - 1 - i)), text];
  const typing: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const times = session.map(edit);
    // The first round warms the JIT up.
    if (r > 0 || rounds === 1) typing.push(...times);
  }
  // Slot toggles.
  const slotLine = lines.findIndex((l) => /^\s*\.\w+\s*=\s*\(void \*\)\w+,/.test(l));
  const slot = /\(void \*\)(\w+)/.exec(lines[slotLine] ?? '');
  const toggles: number[] = [];
  if (slot) {
    const s = lines.slice(0, slotLine).join('\n').length + 1 + (lines[slotLine] as string).indexOf(slot[0]);
    const nulled = text.slice(0, s) + 'NULL' + text.slice(s + slot[0].length);
    for (let r = 0; r < 10; r++) for (const t of [nulled, text]) toggles.push(edit(t));
  }
  typing.sort((a, b) => a - b);
  toggles.sort((a, b) => a - b);
  console.log(`${file} (${lines.length} lines), analysis of ${root}; load average ${load.toFixed(2)} -> ${(loadavg()[0] ?? 0).toFixed(2)}`);
  console.log(`  typing (${typing.length} edits): median ${percentileOf(typing, 50)} ms, p95 ${percentileOf(typing, 95)} ms CPU`);
  if (toggles.length) console.log(`  slot toggles (${toggles.length} edits): median ${percentileOf(toggles, 50)} ms, p95 ${percentileOf(toggles, 95)} ms CPU`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
