// The language server's per-edit work in one process, without LSP: the workspace of a real tree
// loaded as the server loads it, then the edits of bench/lspKeystrokes.ts (a statement typed and
// deleted character by character in the longest BPF source, a struct_ops slot toggled), each
// followed by what a debounced rebuild does: Workspace.update, model(), the diagnostics by file.
// Prints CPU time per edit (process.cpuUsage): median and p95, by kind. For profiling:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --require tsx/cjs bench/lspEdits.ts [DIR] [--rounds N]
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadWorkspace } from '../server/src/node/scan';
import { loadGrammar } from '../server/src/analysis/c/parser';
import { benchCache, diagnosticsByFile } from './common';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const cache = benchCache();
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const dir = resolve(positional[0] ?? join(cache, 'rust', 'scx', 'tree-nocargo'));
  const r = process.argv.indexOf('--rounds');
  const rounds = r >= 0 ? Number(process.argv[r + 1]) : 3;
  await loadGrammar();
  const { workspace } = loadWorkspace([dir]);
  workspace.model();
  let file = '';
  let most = 0;
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.bpf.c')) continue;
    const n = readFileSync(join(dir, f), 'utf8').split('\n').length;
    if (n > most) [file, most] = [join(dir, f), n];
  }
  const lines = readFileSync(file, 'utf8').split('\n');
  const slotLine = lines.findIndex((l) => /^\s*\.\w+\s*=\s*\(void \*\)\w+,/.test(l));
  const slot = /\(void \*\)(\w+)/.exec(lines[slotLine] ?? '')?.[0] as string;
  const mid = Math.floor(lines.length / 2);
  const bodyLine = lines.findIndex((l, i) => i > mid && /^\t[^\t].*;\s*$/.test(l)) + 1;
  const stmt = 'u64 spare_cnt = bpf_ktime_get_ns();';
  const texts: { kind: 'typing' | 'slot'; text: string }[] = [];
  const withLine = (l: string | null): string => (l === null ? lines : [...lines.slice(0, bodyLine), l, ...lines.slice(bodyLine)]).join('\n');
  texts.push({ kind: 'typing', text: withLine('\t') });
  for (let i = 1; i <= stmt.length; i++) texts.push({ kind: 'typing', text: withLine(`\t${stmt.slice(0, i)}`) });
  for (let i = stmt.length - 1; i >= 0; i--) texts.push({ kind: 'typing', text: withLine(`\t${stmt.slice(0, i)}`) });
  texts.push({ kind: 'typing', text: withLine(null) });
  const toggled = [...lines];
  toggled[slotLine] = (lines[slotLine] as string).replace(slot, 'NULL');
  for (let t = 0; t < 4; t++) texts.push({ kind: 'slot', text: (t % 2 === 0 ? toggled : lines).join('\n') });

  workspace.update(file, lines.join('\n'), { unsaved: false });
  let published = diagnosticsByFile(workspace.model());
  const cpu = { typing: [] as number[], slot: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const { kind, text } of texts) {
      const t = cpuMs();
      workspace.update(file, text, { unsaved: true });
      const next = diagnosticsByFile(workspace.model());
      let changed = 0;
      for (const [k, v] of next) if (published.get(k) !== v) changed++;
      published = next;
      if (round) cpu[kind].push(cpuMs() - t);
      void changed;
    }
  }
  const f = (n: number): string => n.toFixed(1);
  const all = [...cpu.typing, ...cpu.slot];
  console.log(`${file} (${lines.length} lines), ${workspace.size} files`);
  console.log(`  typing (${cpu.typing.length} edits): median ${f(percentile(cpu.typing, 50))} ms, p95 ${f(percentile(cpu.typing, 95))} ms CPU`);
  console.log(`  slot toggles (${cpu.slot.length} edits): median ${f(percentile(cpu.slot, 50))} ms, p95 ${f(percentile(cpu.slot, 95))} ms CPU`);
  console.log(`  all: median ${f(percentile(all, 50))} ms, p95 ${f(percentile(all, 95))} ms CPU`);
  workspace.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
