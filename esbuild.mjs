// One build for everything: the language server, the CLI, the VS Code client and the benchmark.
// esbuild does not type-check; `npm run typecheck` does.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const entries = [
  { in: 'cli/src/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'server/src/server.ts', out: 'server' },
  { in: 'client/src/extension.ts', out: 'extension', external: ['vscode'] },
  // The VM run's engine, loaded by the extension on the first run (client/src/vmRun/engine.ts).
  { in: 'remote/src/index.ts', out: 'vm' },
  // The association graph's webview page (runs in the browser, lays out with elkjs).
  { in: 'client/webview/graph.ts', out: 'graph', platform: 'browser' },
  { in: 'bench/bench.ts', out: 'bench' },
].filter((e) => existsSync(e.in));

mkdirSync('dist', { recursive: true });
// The grammar and the tree-sitter runtime ship beside the bundles (pinned in package.json).
copyFileSync(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), 'dist/tree-sitter-c.wasm');
// Rust (libbpf-rs loaders): loaded only in workspaces with a Cargo.toml and BPF code (analysis/rust/parser.ts).
copyFileSync(require.resolve('tree-sitter-rust/tree-sitter-rust.wasm'), 'dist/tree-sitter-rust.wasm');
copyFileSync(join(dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'), 'dist/tree-sitter.wasm');
if (existsSync('server/queries')) {
  mkdirSync('dist/queries', { recursive: true });
  for (const f of readdirSync('server/queries')) copyFileSync(join('server/queries', f), join('dist/queries', f));
}

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      entryPoints: { [e.out]: e.in },
      bundle: true,
      outdir: 'dist',
      sourcemap: !production,
      minify: production,
      external: e.external ?? [],
      logLevel: 'warning',
      ...(e.platform === 'browser'
        ? { platform: 'browser', target: 'es2022', format: 'iife' }
        : {
            platform: 'node',
            target: 'node20',
            format: 'cjs',
            // web-tree-sitter's runtime asks for import.meta.url; give the CommonJS bundle its own.
            define: { 'import.meta.url': '__bpfAssocImportMetaUrl' },
            banner: {
              js: `${e.banner ? e.banner + '\n' : ''}const __bpfAssocImportMetaUrl = require('node:url').pathToFileURL(__filename).href;`,
            },
          }),
    }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
