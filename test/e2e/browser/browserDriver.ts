// The EditorDriver for a real VS Code (code-server) in a real Chromium, through playwright-core:
// keyboard, mouse and the DOM, the way a person uses the editor.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { waitFor, type EditorDriver, type Position, type Problem, type VmReport, type VmRunFrom } from '../driver';
import { ARTIFACTS } from '../workspace';
import * as vm from './vmSteps';

/** A problem row's text: message, source, code, position (`bpf-assoc` or `bpf-assoc VM`). */
const PROBLEM_ROW = /^(.*)(bpf-assoc(?: VM)?)([a-z-]+)\[Ln (\d+), Col (\d+)\]$/s;

export class BrowserDriver implements EditorDriver {
  readonly name = 'code-server + Chromium';
  /** When the page was asked to load (for measuring time to first diagnostics). */
  loadStarted = 0;

  constructor(
    readonly page: Page,
    private readonly extensionsDir: string,
  ) {}

  /** The language status entry (`{}` beside the language): its aria-label carries each item's text. */
  get languageStatusEntry(): Locator {
    return this.page.locator('[id="status.languageStatus"]');
  }

  /** Page load → the workbench shown, for telling the editor's start from ours. */
  workbenchMs: number | null = null;
  /** Page load → bpf-assoc's language status shows the counts (a C file open). */
  statusItemMs: number | null = null;

  async waitForActivation(): Promise<{ activationMs: number | null; firstDiagnosticsMs: number | null }> {
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 120_000 });
    this.workbenchMs = Date.now() - this.loadStarted;
    await this.command('View: Focus Problems');
    await this.waitForProblem('poisoned-association');
    const firstDiagnosticsMs = Date.now() - this.loadStarted;
    // The language status item shows with a C editor.
    await this.open('testmod/multi_ops.bpf.c');
    await waitFor('the language status to show the counts', async () => (/\d+ programs? ·/.test(await this.statusBarText()) ? true : undefined), 60_000);
    this.statusItemMs = Date.now() - this.loadStarted;
    return { activationMs: await this.activationTime(), firstDiagnosticsMs };
  }

  /** VS Code's own measurement, from Developer: Show Running Extensions. */
  private async activationTime(): Promise<number | null> {
    await this.command('Developer: Show Running Extensions');
    const row = this.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'bpf-assoc' }).first();
    await row.waitFor({ timeout: 30_000 });
    const text = await waitFor('the activation time of bpf-assoc', async () => {
      const t = (await row.textContent()) ?? '';
      return /\d+\s*ms/.test(t) ? t : undefined;
    });
    // Recent VS Code shows this editor as a modal; Escape closes it (Ctrl+F4 as a plain editor).
    const editor = this.page.locator('.runtime-extensions-editor');
    await waitFor('the Running Extensions editor to close', async () => {
      if (!(await editor.isVisible())) return true;
      await this.page.keyboard.press('Escape');
      if (await editor.isVisible()) await this.page.keyboard.press('Control+F4');
      return undefined;
    }, 15_000);
    const ms = /(\d+)\s*ms/.exec(text);
    return ms ? Number(ms[1]) : null;
  }

  async command(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }

  async problems(): Promise<Problem[]> {
    const rows = await this.page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
      els
        .map((e) => ({ index: Number(e.getAttribute('data-index')), file: e.querySelector('.label-name')?.textContent ?? null, text: e.textContent ?? '' }))
        .sort((a, b) => a.index - b.index),
    );
    const found: Problem[] = [];
    let file = '';
    for (const row of rows) {
      if (row.file) file = row.file;
      const m = PROBLEM_ROW.exec(row.text);
      if (m && !row.file) found.push({ file, message: m[1] ?? '', source: m[2] ?? '', code: m[3] ?? '', line: Number(m[4]), column: Number(m[5]) });
    }
    return found;
  }

  async waitForProblem(code: string, present = true, filter?: string): Promise<Problem[]> {
    if (filter !== undefined) await this.filterProblems(filter);
    try {
      return await waitFor(`the Problems panel to ${present ? 'show' : 'no longer show'} ${code}`, async () => {
        const all = await this.problems();
        return all.some((p) => p.code === code) === present ? all : undefined;
      }, 90_000);
    } finally {
      if (filter !== undefined) await this.filterProblems('');
    }
  }

  /** Types into the Problems view's filter box (the view shows only the rows that fit). */
  private async filterProblems(text: string): Promise<void> {
    await this.command('View: Focus Problems');
    const box = this.page.locator('input[aria-label="Filter Problems"]');
    await box.waitFor({ timeout: 10_000 });
    await box.fill(text);
    await waitFor('the Problems filter to apply', async () => ((await box.inputValue()) === text ? true : undefined), 10_000);
  }

  async open(file: string, at?: Position): Promise<void> {
    await this.page.keyboard.press('Control+p');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(file);
    // Click the file's own row: Enter takes the first row, which can still be the most recently
    // opened editor (say docs/rules.md) while Quick Open has not yet filtered the list by the text.
    const exact = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const dir = dirname(file);
    let row = this.page.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exact(basename(file)) }) });
    if (dir !== '.') row = row.filter({ has: this.page.locator('.label-description', { hasText: dir }) });
    row = row.first();
    await row.click({ timeout: 10_000 });
    await this.page.locator('.tab.active', { hasText: basename(file) }).waitFor({ timeout: 10_000 });
    if (at) await this.goTo(at);
  }

  private async goTo(at: Position): Promise<void> {
    await this.page.keyboard.press('Control+g');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`:${at.line}:${at.column}`);
    // Enter before the widget has read the text is lost: wait for its "go to line N" row.
    await this.page.locator('.quick-input-widget', { hasText: new RegExp(`line ${at.line}\\b`) }).waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
    await this.cursorAt(at.line, at.column);
  }

  private async cursorAt(line: number, column?: number): Promise<void> {
    const want = column === undefined ? new RegExp(`Ln ${line},`) : new RegExp(`Ln ${line}, Col ${column}\\b`);
    await this.page.locator('[id="status.editor.selection"]', { hasText: want }).waitFor({ timeout: 10_000 });
  }


  async hover(file: string, at: Position): Promise<string> {
    await this.open(file, at);
    await this.page.keyboard.press('Control+k');
    await this.page.keyboard.press('Control+i');
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content', { hasText: /\w/ }).first();
    await hover.waitFor({ timeout: 15_000 });
    return (await hover.innerText()).trim();
  }

  async codeLenses(file: string, line: number): Promise<string[]> {
    await this.open(file, { line, column: 1 });
    // Lenses render in view zones of the active editor, the lenses of one line in one decoration
    // (a link or a span each, separated by " | " spans); wait until some carry text.
    const lens = this.page.locator('.editor-group-container.active .codelens-decoration > a, .editor-group-container.active .codelens-decoration > span');
    return waitFor('code lenses', async () => {
      const texts = (await lens.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t && t !== '|');
      return texts.length ? texts : undefined;
    });
  }

  async goToDefinition(file: string, at: Position): Promise<{ file: string; line: number }> {
    await this.open(file, at);
    await this.page.keyboard.press('F12');
    await waitFor('the cursor to move', async () => {
      const c = await this.textCursor();
      return c.line !== at.line ? c : undefined;
    }, 15_000);
    return this.textCursor();
  }

  async applyQuickFix(file: string, at: Position, title: RegExp): Promise<string> {
    await this.open(file, at);
    await this.page.keyboard.press('Control+.');
    const item = this.page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    await item.waitFor({ timeout: 15_000 });
    const text = (await item.innerText()).trim();
    await item.click();
    await item.waitFor({ state: 'detached', timeout: 10_000 });
    return text;
  }

  async saveAll(): Promise<void> {
    await this.command('File: Save All Files');
    await this.page.locator('.tab.dirty').first().waitFor({ state: 'detached', timeout: 15_000 });
  }

  async treeLabels(): Promise<string[]> {
    await this.command('Focus on BPF Associations View');
    const rows = this.page.locator('.pane-body .monaco-list-row .custom-view-tree-node-item');
    await rows.first().waitFor({ timeout: 30_000 });
    await waitFor('the tree to list maps', async () => ((await rows.count()) > 3 ? true : undefined));
    return rows.evaluateAll((els) =>
      els.map((e) => [e.querySelector('.label-name'), e.querySelector('.label-description')].map((x) => x?.textContent?.trim() ?? '').filter(Boolean).join(' ')),
    );
  }

  private graphFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  async showGraph(): Promise<string[]> {
    await this.command('bpf-assoc: Show Association Graph');
    const nodes = this.graphFrame().locator('[data-node]');
    await nodes.first().waitFor({ timeout: 60_000 });
    return nodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node') ?? ''));
  }

  clickGraphNode(id: string): Promise<{ file: string; line: number }> {
    return this.revealedBy(id, () => this.graphFrame().locator(`[data-node="${id}"]`).click());
  }

  /**
   * Where the text cursor is: the status bar's line, in the text editor that has it. A click in a
   * webview leaves the webview's group marked active in the DOM for a while, or for good, although
   * the editor beside it took the cursor: then the text editor is the other group's active tab.
   */
  private async textCursor(): Promise<{ file: string; line: number }> {
    const status = (await this.page.locator('[id="status.editor.selection"]').textContent()) ?? '';
    const active = (await this.page.locator('.editor-group-container.active .tab.active').first().getAttribute('data-resource-name')) ?? '';
    const shown = await this.page
      .locator('.editor-group-container .tab.active')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-resource-name') ?? ''));
    const file = active && !active.startsWith('webview-') ? active : (shown.find((n) => n && !n.startsWith('webview-')) ?? '');
    return { file, line: Number(/Ln (\d+)/.exec(status)?.[1] ?? NaN) };
  }

  /** Performs a click in a webview and returns where the text cursor lands once it moved. */
  private async revealedBy(what: string, click: () => Promise<void>): Promise<{ file: string; line: number }> {
    const before = await this.textCursor().catch(() => ({ file: '', line: -1 }));
    await click();
    return waitFor(`the editor to reveal ${what}`, async () => {
      const c = await this.textCursor();
      return c.file && (c.line !== before.line || c.file !== before.file) ? c : undefined;
    }, 15_000);
  }

  async paletteCommands(query: string): Promise<string[]> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${query}`);
    const rows = this.page.locator('.quick-input-list .monaco-list-row .label-name');
    await rows.first().waitFor({ timeout: 10_000 });
    const titles = (await rows.allInnerTexts()).map((t) => t.trim());
    await this.page.keyboard.press('Escape');
    return titles;
  }

  /** bpf-assoc's language status text, as the entry's aria-label reads (a C editor must be active). */
  async statusBarText(): Promise<string> {
    if (!/bpf-assoc/.test((await this.languageStatusEntry.getAttribute('aria-label', { timeout: 2_000 }).catch(() => null)) ?? '')) await this.open('testmod/multi_ops.bpf.c');
    const label = (await this.languageStatusEntry.getAttribute('aria-label', { timeout: 10_000 })) ?? '';
    return /bpf-assoc: ([^,]*)/.exec(label)?.[1]?.trim() ?? '';
  }

  runOnVm(from: VmRunFrom, targets: string[]): Promise<{ clickedAt: number }> {
    return vm.runOnVm(this, from, targets);
  }

  waitForVmProgress(pattern: RegExp, timeoutMs?: number): Promise<string> {
    return vm.waitForVmProgress(this.page, pattern, timeoutMs);
  }

  cancelVmRun(): Promise<void> {
    return vm.cancelVmRun(this.page);
  }

  vmReport(ready: (r: VmReport) => boolean, timeoutMs?: number): Promise<VmReport> {
    return vm.vmReport(this.page, ready, timeoutMs);
  }

  clickVmReportRow(label: string): Promise<{ file: string; line: number }> {
    return this.revealedBy(label, () => vm.clickInVmReport(this.page, label));
  }

  async vmTranscript(): Promise<string> {
    await vm.clickInVmReport(this.page, 'Show transcript');
    return vm.outputText(this.page);
  }

  async vmTranscriptFromCommand(until: RegExp): Promise<string> {
    return waitFor(`the transcript to read ${until}`, async () => {
      await this.command('bpf-assoc: Show VM Transcript');
      const text = await vm.outputText(this.page);
      return until.test(text) ? text : undefined;
    }, 60_000);
  }

  async vmReportOpen(): Promise<boolean> {
    return vm.reportOpen(this.page);
  }

  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allTextContents();
  }

  async closeAllEditors(): Promise<void> {
    await this.command('View: Close All Editors');
    await this.page.locator('.editor-group-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 });
  }

  /** The language server of this code-server: a node process running our dist/server.js. */
  private serverPids(): number[] {
    const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => l.includes(this.extensionsDir) && l.includes('dist/server.js'))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  }

  async crashServer(): Promise<void> {
    const [pid] = this.serverPids();
    if (pid === undefined) throw new Error('no bpf-assoc language server process found');
    process.kill(pid, 'SIGKILL');
    await waitFor('a new language server process', () => {
      const pids = this.serverPids();
      return pids.length > 0 && !pids.includes(pid) ? true : undefined;
    });
    // The workbench renders the extension host's status updates a little later: the old counts can
    // still be on screen while the new server starts. Let "restarting" show first when it does,
    // then wait for the new server's counts.
    await waitFor('the language status to leave the counts', async () => (/\d+ programs? ·/.test(await this.statusBarText()) ? undefined : true), 5_000).catch(() => undefined);
    await waitFor('the language status to show the counts', async () => (/\d+ programs? ·/.test(await this.statusBarText()) ? true : undefined), 60_000);
  }

  measurements(): Record<string, number | null> {
    return { pageLoadToWorkbenchMs: this.workbenchMs, pageLoadToStatusItemMs: this.statusItemMs };
  }

  async screenshot(name: string): Promise<string | null> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}
