// Mocha root hooks for the browser run: package the extension (npm run package made
// bpf-assoc.vsix), install it into a fresh code-server profile, open a copy of examples/ in
// Chromium, and hand the suite a BrowserDriver. Every test leaves a screenshot in test/.artifacts/.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { setDriver } from '../driver';
import { ARTIFACTS, REPO, copyExamples, removeWorkspace } from '../workspace';
import { BrowserDriver } from './browserDriver';
import { installExtension, startCodeServer, tools, type CodeServer } from './codeServer';

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser | undefined;
let codeServer: CodeServer | undefined;
let profile = '';
let workspace = '';
let driver: BrowserDriver | undefined;
/** Errors the page and its webviews print (a content-security-policy violation shows up here). */
const consoleErrors: string[] = [];

/** Keeps the extension's "bpf-assoc" output channel (its timings and server messages) in the artifacts. */
function keepOutputChannel(logs: string): void {
  if (!existsSync(logs)) return;
  for (const entry of readdirSync(logs, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /bpf-assoc\.log$/.test(entry.name)) copyFileSync(join(entry.parentPath, entry.name), join(ARTIFACTS, 'bpf-assoc-output.log'));
  }
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(300_000);
    const vsix = process.env.BPF_ASSOC_VSIX ?? join(REPO, 'bpf-assoc.vsix');
    if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first (npm run test:e2e does)`);
    const t = tools();
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'bpf-assoc-code-server-'));
    const extensionsDir = join(profile, 'extensions');
    installExtension(t, vsix, extensionsDir, join(profile, 'user-data'));
    workspace = copyExamples();
    process.env.BPF_ASSOC_E2E_WORKSPACE = workspace;
    codeServer = await startCodeServer(t, { profileDir: profile, extensionsDir, folder: workspace });
    browser = await chromium.launch({ executablePath: t.chromium, args: CHROMIUM_FLAGS });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.location().url}: ${m.text()}`);
    });
    driver = new BrowserDriver(page, extensionsDir);
    driver.loadStarted = Date.now();
    await page.goto(codeServer.url);
    setDriver(driver);
  },
  async afterEach(this: Mocha.Context) {
    const title = this.currentTest?.fullTitle() ?? 'test';
    await driver?.screenshot(`${this.currentTest?.state === 'failed' ? 'FAILED ' : ''}${title}`).catch(() => undefined);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    setDriver(undefined);
    await browser?.close().catch(() => undefined);
    if (codeServer) {
      writeFileSync(join(ARTIFACTS, 'code-server.log'), codeServer.log());
      await codeServer.stop();
    }
    keepOutputChannel(join(profile, 'user-data', 'logs'));
    writeFileSync(join(ARTIFACTS, 'browser-console-errors.log'), consoleErrors.join('\n'));
    if (workspace) removeWorkspace(workspace);
    if (profile) rmSync(profile, { recursive: true, force: true });
  },
};
