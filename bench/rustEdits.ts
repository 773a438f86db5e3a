// The language server's per-keystroke work on a Rust loader, in one process without LSP (as
// bench/lspEdits.ts does for a BPF source): the workspace of a real tree loaded as the server loads
// it (Rust grammar included), then a statement typed into a libbpf-rs loader one character per
// edit and deleted the same way (findings unchanged, half-typed states included), and an attach
// line commented out and back (findings change); each edit followed by what a debounced rebuild
// does: Workspace.update, model(), the diagnostics by file. Prints CPU time per edit
// (process.cpuUsage): median and p95, by kind.
//   npx tsx bench/rustEdits.ts [DIR] [--file FILE] [--rounds N] [--only typing|attach]
//   npx tsx bench/rustEdits.ts [DIR] --profile /tmp/edits.cpuprofile   (a CPU profile of the edits only, cold model left out)
// Default tree: ${BPF_ASSOC_CACHE}/rust/scx/tree, a sched-ext/scx checkout with its Cargo.toml files,
// where an earlier session unpacked it (nothing in the repository fetches it); default file: scx_lavd's
// src/main.rs. The statement is typed on a new line before the file's first `scx_ops_load!`
// (else `.load()`); the toggled line is its first `scx_ops_attach!`/`attach_struct_ops()` line.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import { loadWorkspace } from '../server/src/node/scan';
import { loadGrammar } from '../server/src/analysis/c/parser';
import { loadRustGrammar } from '../server/src/analysis/rust/parser';
import { arg, benchCache, diagnosticsByFile } from './common';

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
  const dir = resolve(positional[0] ?? join(cache, 'rust', 'scx', 'tree'));
  const file = resolve(arg('file') ?? join(dir, 'scheds', 'rust', 'scx_lavd', 'src', 'main.rs'));
  const rounds = Number(arg('rounds') ?? 3);
  const only = arg('only');
  await loadGrammar();
  const { workspace } = loadWorkspace([dir]);
  if (!workspace.wantsRustGrammar()) throw new Error(`${dir} has no Rust loader next to BPF code and a Cargo.toml`);
  await loadRustGrammar();
  const cold = cpuMs();
  workspace.model();
  const coldMs = cpuMs() - cold;
  const lines = readFileSync(file, 'utf8').split('\n');
  const loadLine = Math.max(
    lines.findIndex((l) => /scx_ops_load!|\.load\(\)/.test(l)),
    0,
  );
  const indent = /^\s*/.exec(lines[loadLine] ?? '')?.[0] ?? '';
  const attachLine = lines.findIndex((l) => /scx_ops_attach!|attach_struct_ops\(\)/.test(l));
  const stmt = 'let spare_cnt = skel.maps.bss_data.as_ref().unwrap().nr_cpus_onln;';
  const texts: { kind: 'typing' | 'attach'; text: string }[] = [];
  const withLine = (l: string | null): string => (l === null ? lines : [...lines.slice(0, loadLine), l, ...lines.slice(loadLine)]).join('\n');
  texts.push({ kind: 'typing', text: withLine(indent) });
  for (let i = 1; i <= stmt.length; i++) texts.push({ kind: 'typing', text: withLine(`${indent}${stmt.slice(0, i)}`) });
  for (let i = stmt.length - 1; i >= 0; i--) texts.push({ kind: 'typing', text: withLine(`${indent}${stmt.slice(0, i)}`) });
  texts.push({ kind: 'typing', text: withLine(null) });
  if (attachLine >= 0) {
    const toggled = [...lines];
    toggled[attachLine] = `// ${lines[attachLine] as string}`;
    for (let t = 0; t < 4; t++) texts.push({ kind: 'attach', text: (t % 2 === 0 ? toggled : lines).join('\n') });
  }

  workspace.update(file, lines.join('\n'), { unsaved: false });
  diagnosticsByFile(workspace.model());
  const cpu = { typing: [] as number[], attach: [] as number[] };
  const profile = arg('profile');
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (let round = 0; round < rounds; round++) {
    for (const { kind, text } of texts) {
      if (only && kind !== only) continue;
      const t = cpuMs();
      workspace.update(file, text, { unsaved: true });
      diagnosticsByFile(workspace.model());
      // The first round warms the JIT up.
      if (round) cpu[kind].push(cpuMs() - t);
    }
  }
  if (session && profile) {
    const { profile: taken } = await session.post('Profiler.stop');
    writeFileSync(profile, JSON.stringify(taken));
    session.disconnect();
  }
  const f = (n: number): string => n.toFixed(1);
  const all = [...cpu.typing, ...cpu.attach];
  console.log(`${file} (${lines.length} lines), ${workspace.size} files; cold model ${f(coldMs)} ms CPU`);
  console.log(`  typing (${cpu.typing.length} edits): median ${f(percentile(cpu.typing, 50))} ms, p95 ${f(percentile(cpu.typing, 95))} ms CPU`);
  console.log(`  attach line toggles (${cpu.attach.length} edits): median ${f(percentile(cpu.attach, 50))} ms, p95 ${f(percentile(cpu.attach, 95))} ms CPU`);
  console.log(`  all: median ${f(percentile(all, 50))} ms, p95 ${f(percentile(all, 95))} ms CPU (goal: p95 <= 10 ms)`);
  workspace.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
