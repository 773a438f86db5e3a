// The same workspace gives the same findings with the machine idle and with both cores busy
// (issue 11: budgets count work, never wall-clock time). Runs the language server over a real LSP
// connection and the CLI on one workspace, first as the machine is, then with one busy loop per
// core (niced, like the analysis), and compares the model and every published diagnostic.
//   npx tsx bench/lspLoaded.ts [--server dist/server.js] [--cli dist/cli.js] [--workspace DIR] [--file EXTRA.bpf.c]
// Default workspace: the scx tree of bench/lspKeystrokes.ts; `--file` adds a large source
// (e.g. the fuzz cache's 5,000-section file, whose parse takes seconds) to a copy of it.
// Exit status 1 when anything differs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { spawned } from '../test/server/client';
import { arg, benchCache } from './common';

const ROOT = resolve(__dirname, '..');

interface Run {
  wallMs: number;
  model: string;
  diagnostics: string;
  cli: string;
}

async function serverRun(server: string, dir: string): Promise<{ model: string; diagnostics: string }> {
  const { client } = spawned(server);
  await client.initialize([dir]);
  await client.waitFor('indexing', () => client.received.some((m) => m.method === 'bpfAssoc/modelChanged' && !(m.params as { indexing: boolean }).indexing), 600000);
  const { model } = await client.request<{ model: unknown }>('bpfAssoc/model', {});
  // Diagnostics go out after the model notification: wait until no publication came for a while.
  let seen = -1;
  while (seen !== client.count('textDocument/publishDiagnostics')) {
    seen = client.count('textDocument/publishDiagnostics');
    await new Promise((r) => setTimeout(r, 1000));
  }
  const diagnostics = [...client.diagnostics].filter(([, d]) => d.length).sort(([a], [b]) => a.localeCompare(b));
  await client.shutdown();
  await client.connection.sendNotification('exit');
  client.dispose();
  return { model: JSON.stringify(model), diagnostics: JSON.stringify(diagnostics) };
}

async function run(server: string, cli: string, dir: string): Promise<Run> {
  const start = performance.now();
  const { model, diagnostics } = await serverRun(server, dir);
  const out = spawnSync(process.execPath, [cli, 'check', '--format', 'json', dir], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { wallMs: performance.now() - start, model, diagnostics, cli: out.stdout };
}

/** One niced busy loop per core; stopped by their ids. */
function busyLoops(): ChildProcess[] {
  return cpus().map(() => spawn('nice', ['-n', '19', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

async function main(): Promise<void> {
  const server = resolve(arg('server') ?? join(ROOT, 'dist', 'server.js'));
  const cli = resolve(arg('cli') ?? join(ROOT, 'dist', 'cli.js'));
  const cache = benchCache();
  const source = resolve(arg('workspace') ?? join(cache, 'rust', 'scx', 'tree-nocargo'));
  for (const p of [server, cli, source]) if (!existsSync(p)) throw new Error(`${p} is missing`);
  const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-loaded-'));
  const loops: ChildProcess[] = [];
  try {
    cpSync(source, dir, { recursive: true });
    const extra = arg('file');
    if (extra) cpSync(resolve(extra), join(dir, basename(extra)));
    const idle = await run(server, cli, dir);
    const idleLoad = loadavg()[0] ?? 0;
    loops.push(...busyLoops());
    const busy = await run(server, cli, dir);
    const busyLoad = loadavg()[0] ?? 0;
    for (const l of loops) l.kill();
    const same = { model: idle.model === busy.model, diagnostics: idle.diagnostics === busy.diagnostics, cli: idle.cli === busy.cli && idle.cli.length > 0 };
    const programs = (JSON.parse(idle.model) as { programs: unknown[] }).programs.length;
    const findings = (JSON.parse(idle.model) as { findings: unknown[] }).findings.length;
    console.log(`${source}${extra ? ` + ${basename(extra)}` : ''}: ${programs} programs, ${findings} findings`);
    console.log(`  as the machine is: ${(idle.wallMs / 1000).toFixed(1)} s wall, load average ${idleLoad.toFixed(2)}`);
    console.log(`  with ${loops.length} busy loops (one per core): ${(busy.wallMs / 1000).toFixed(1)} s wall, load average ${busyLoad.toFixed(2)}`);
    console.log(`  same model: ${same.model}; same published diagnostics: ${same.diagnostics}; same CLI JSON: ${same.cli}`);
    if (!same.model || !same.diagnostics || !same.cli) process.exitCode = 1;
  } finally {
    for (const l of loops) if (l.exitCode === null) l.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
