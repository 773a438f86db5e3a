#!/usr/bin/env node
// Builds the extension, packages bpf-assoc.vsix and opens examples/ in a real VS Code:
//   - the desktop `code` when it is on the PATH (the .vsix is installed into it);
//   - otherwise code-server (set up by test/e2e/setup.sh, with Node 24) on 127.0.0.1, with the
//     URL printed; Ctrl+C stops it. Its profile lives in ~/.cache/bpf-assoc-e2e/start-profile.
// Options: --port N (code-server port, default 8080 or a free one), --code-server (ignore `code`),
//          --check (start code-server, check it serves the workbench, stop: a smoke test for CI).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = join(REPO, 'examples');
const VSIX = join(REPO, 'bpf-assoc.vsix');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const say = (text) => console.log(`\x1b[1mbpf-assoc:\x1b[0m ${text}`);

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: REPO, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status ?? r.signal})`);
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

function portFree(port) {
  return new Promise((res) => {
    const s = createServer().once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

async function choosePort() {
  const wanted = Number(option('--port') ?? 8080);
  if (await portFree(wanted)) return wanted;
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitForHttp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000} s`);
}

say('building and packaging the extension (bpf-assoc.vsix)');
run('npm', ['run', '--silent', 'package'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (onPath('clang') && onPath('bpftool') && existsSync(join(EXAMPLES, 'Makefile'))) {
  say('building examples/ (clang -target bpf, bpftool gen skeleton)');
  const made = spawnSync('make', ['-s', '-C', EXAMPLES], { stdio: 'inherit' });
  if (made.status !== 0) say('make in examples/ failed; the editor still analyses the sources');
}

if (onPath('code') && !flag('--code-server') && !flag('--check')) {
  say('installing the extension into VS Code and opening examples/');
  run('code', ['--install-extension', VSIX, '--force']);
  run('code', [EXAMPLES]);
  process.exit(0);
}

say('no `code` on the PATH: using code-server (set up once in ~/.cache/bpf-assoc-e2e)');
const toolsDir = execFileSync('bash', [join(REPO, 'test/e2e/setup.sh'), '--no-browser'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim()
  .split('\n')
  .pop();
const tools = JSON.parse(readFileSync(join(toolsDir, 'env.json'), 'utf8'));
const profile = join(process.env.BPF_ASSOC_E2E_TOOLS ?? join(homedir(), '.cache', 'bpf-assoc-e2e'), 'start-profile');
const userData = join(profile, 'user-data');
const extensions = join(profile, 'extensions');
mkdirSync(join(userData, 'User'), { recursive: true });
const settings = join(userData, 'User', 'settings.json');
if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' }, null, 2));
writeFileSync(join(profile, 'config.yaml'), 'auth: none\ncert: false\n');
// The extension gallery stays on loopback: nothing is fetched from outside the machine.
// code-server lets a PORT in the environment override --bind-addr: the port chosen here is the one used.
const { PORT: _ignoredPort, ...inherited } = process.env;
const env = { ...inherited, EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }) };
execFileSync(tools.node, [tools.codeServer, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', VSIX, '--force'], { stdio: 'ignore', env });

const port = await choosePort();
const child = spawn(
  tools.node,
  [tools.codeServer, '--config', join(profile, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', extensions, EXAMPLES],
  { stdio: ['ignore', flag('--check') ? 'ignore' : 'inherit', 'inherit'], env, detached: true },
);
const stop = () => {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(EXAMPLES)}`;
try {
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, 60_000);
  await waitForHttp(url, child, 30_000);
} catch (err) {
  stop();
  throw err;
}
if (flag('--check')) {
  say(`code-server served the workbench at ${url}; stopping (--check)`);
  stop();
  process.exit(0);
}
say(`open ${url}  (Ctrl+C stops code-server)`);
child.on('exit', (code) => process.exit(code ?? 0));
