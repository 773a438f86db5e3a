// Runs code-server (installed by test/e2e/setup.sh, with Node 24) on 127.0.0.1 with its own
// user-data and extensions folders, the packaged extension installed and workspace trust off.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../driver';

export interface Tools {
  node: string;
  codeServer: string;
  chromium: string;
}

export function tools(): Tools {
  const dir = process.env.BPF_ASSOC_E2E_TOOLS ?? join(homedir(), '.cache', 'bpf-assoc-e2e');
  try {
    return JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as Tools;
  } catch {
    throw new Error(`code-server is not set up in ${dir}: run bash test/e2e/setup.sh`);
  }
}

/** Settings for a quiet, reproducible editor: no welcome page, no trust prompt, no updates. */
export const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 200,
  'files.autoSave': 'off',
  'window.zoomLevel': 0,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Keeps code-server's extension gallery on loopback: the tests never reach out of the machine. */
const OFFLINE_ENV = { EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }) };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServer {
  url: string;
  process: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

/** Installs a .vsix into `extensionsDir` (code-server's own CLI). */
export function installExtension(t: Tools, vsix: string, extensionsDir: string, userDataDir: string): void {
  execFileSync(t.node, [t.codeServer, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
    env: { ...process.env, ...OFFLINE_ENV },
  });
}

export async function startCodeServer(t: Tools, opts: { profileDir: string; extensionsDir: string; folder: string; port?: number; settings?: object }): Promise<CodeServer> {
  const userDataDir = join(opts.profileDir, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(opts.settings ?? SETTINGS, null, 2));
  const config = join(opts.profileDir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const port = opts.port ?? (await freePort());
  const args = [
    t.codeServer,
    '--config', config,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', opts.extensionsDir,
    opts.folder,
  ];
  // Its own process group, so stopping it also stops the extension host and the language server.
  const child = spawn(t.node, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...OFFLINE_ENV, XDG_CONFIG_HOME: opts.profileDir } });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(opts.folder)}`;
  await waitFor(
    'code-server to listen',
    async () => {
      if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${log}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    60_000,
  );
  return {
    url,
    process: child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const group = -child.pid;
      process.kill(group, 'SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(group, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
