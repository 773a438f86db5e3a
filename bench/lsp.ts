// Language-server figures, measured on the built server (`node dist/server.js --stdio`) driven by
// a real LSP client: time from `initialize` to the first diagnostics, hover latency (median and
// p95 over 200 requests) and re-diagnosis latency after a one-line edit (debounce included); then,
// when the scx tree is cached, the server's CPU per keystroke and edit -> diagnostics latency in a
// 4,770-line source (bench/lspKeystrokes.ts).
//   npm run bench:lsp [-- DIR]   (default: examples/ when it has BPF sources, else the server
//                                 test workspace; plus a generated workspace of 200 objects)
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Hover } from 'vscode-languageserver-protocol/node';
import { spawned, uri, type TestClient } from '../test/server/client';
import { measureKeystrokes, SCX_TREE } from './lspKeystrokes';

const ROOT = resolve(__dirname, '..');
const SERVER_JS = join(ROOT, 'dist', 'server.js');
const WORKSPACE = join(ROOT, 'test', 'server', 'workspace');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function hasBpf(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.bpf.c'));
}

/** N copies of the test workspace's objects, each under its own name, in a temporary folder. */
function generated(copies: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-bench-'));
  for (let i = 0; i < copies; i++) {
    for (const f of readdirSync(WORKSPACE)) {
      const stem = f.replace(/\.(bpf\.c|c)$/, '');
      const text = readFileSync(join(WORKSPACE, f), 'utf8').replaceAll(`${stem}.skel.h`, `${stem}_${i}.skel.h`).replace(new RegExp(`\\b${stem}__`, 'g'), `${stem}_${i}__`).replace(new RegExp(`struct ${stem} \\*`, 'g'), `struct ${stem}_${i} *`);
      writeFileSync(join(dir, f.replace(stem, `${stem}_${i}`)), text);
    }
  }
  return dir;
}

async function firstDiagnostics(dir: string): Promise<{ client: TestClient; ms: number }> {
  const { client } = spawned(SERVER_JS);
  const start = performance.now();
  await client.initialize([dir]);
  await client.waitFor('first diagnostics', () => client.count('textDocument/publishDiagnostics') > 0, 120000);
  return { client, ms: performance.now() - start };
}

async function hoverLatency(client: TestClient, dir: string): Promise<number[]> {
  const { model } = await client.request<{ model: { programs: { location: { file: string; range: { start: { line: number; character: number } } } }[] } }>('bpfAssoc/model', {});
  const targets = model.programs.filter((p) => p.location.file.startsWith(dir) && p.location.file.endsWith('.c'));
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = targets[i % targets.length];
    if (!t) throw new Error('no programs to hover on');
    const start = performance.now();
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uri(t.location.file) }, position: t.location.range.start });
    times.push(performance.now() - start);
    if (!h) throw new Error(`no hover at ${t.location.file}`);
  }
  return times;
}

/** Toggles one slot initializer of a poisoned program and waits for the diagnostics to follow. */
async function rediagnosis(client: TestClient, file: string, rounds = 20): Promise<number[]> {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const line = lines.findIndex((l, i) => l.includes('.test_1 = (void *)test_1') && i > lines.findIndex((x) => x.includes('st_ops_map_b')));
  const column = (lines[line] ?? '').indexOf('test_1,');
  await client.open(file, text);
  await client.waitFor('diagnostics of the opened file', () => client.diagnostics.get(uri(file))?.some((d) => d.code === 'poisoned-association'));
  const times: number[] = [];
  let poisoned = true;
  for (let i = 0; i < rounds; i++) {
    const [from, to] = poisoned ? ['test_1', 'NULL'] : ['NULL', 'test_1'];
    const start = performance.now();
    await client.change(file, [{ range: { start: { line, character: column }, end: { line, character: column + from.length } }, text: to }]);
    poisoned = !poisoned;
    const want = poisoned;
    await client.waitFor('re-diagnosis', () => (client.diagnostics.get(uri(file))?.some((d) => d.code === 'poisoned-association') ?? false) === want);
    times.push(performance.now() - start);
  }
  return times;
}

async function measure(label: string, dir: string, editFile: string): Promise<void> {
  const { client, ms } = await firstDiagnostics(dir);
  const hovers = await hoverLatency(client, dir);
  const edits = await rediagnosis(client, editFile);
  const { model } = await client.request<{ model: { stats: { files: number }; programs: unknown[] } }>('bpfAssoc/model', {});
  const f = (n: number): string => n.toFixed(1);
  console.log(`${label}: ${model.stats.files} files, ${model.programs.length} programs`);
  console.log(`  initialize -> first diagnostics: ${f(ms)} ms`);
  console.log(`  hover (200 requests): median ${f(percentile(hovers, 50))} ms, p95 ${f(percentile(hovers, 95))} ms, max ${f(Math.max(...hovers))} ms`);
  console.log(`  re-diagnosis after a one-line edit (150 ms debounce included, ${edits.length} edits): median ${f(percentile(edits, 50))} ms, p95 ${f(percentile(edits, 95))} ms`);
  await client.shutdown();
  await client.connection.sendNotification('exit');
  client.dispose();
}

async function main(): Promise<void> {
  if (!existsSync(SERVER_JS)) throw new Error('dist/server.js is missing: run `node esbuild.mjs`');
  const requested = process.argv[2];
  const examples = join(ROOT, 'examples');
  const small = requested ? resolve(requested) : hasBpf(examples) ? examples : null;
  const scratch = mkdtempSync(join(tmpdir(), 'bpf-assoc-bench-ws-'));
  cpSync(WORKSPACE, scratch, { recursive: true });
  try {
    if (small) console.log(`(${small}: first diagnostics only; edits run on the test workspace)`);
    if (small) {
      const { client, ms } = await firstDiagnostics(small);
      console.log(`${small}: initialize -> first diagnostics: ${ms.toFixed(1)} ms`);
      const hovers = await hoverLatency(client, small).catch(() => []);
      if (hovers.length) console.log(`  hover (200 requests): median ${percentile(hovers, 50).toFixed(1)} ms, p95 ${percentile(hovers, 95).toFixed(1)} ms`);
      await client.shutdown();
      client.dispose();
    }
    await measure('test/server/workspace', scratch, join(scratch, 'poisoned.bpf.c'));
    const big = generated(50);
    try {
      await measure('generated (50 copies)', big, join(big, 'poisoned_0.bpf.c'));
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (existsSync(SCX_TREE)) await measureKeystrokes({ server: SERVER_JS, workspace: SCX_TREE });
  else console.log(`(${SCX_TREE} is not there: no keystroke figures; \`npx tsx bench/lspKeystrokes.ts --workspace DIR\` measures them on another tree)`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
