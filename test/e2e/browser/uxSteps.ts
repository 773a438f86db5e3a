// What a person does with the editor conventions bpf-assoc follows, in code-server through the
// DOM: the language status item and its menu, code lenses that run commands, a webview in a
// narrow split, a task with the problem matcher, the walkthrough.
import type { Frame, Page } from 'playwright-core';
import { waitFor } from '../driver';

/** Opens the language status hover (the `{}` entry) and returns its text. */
export async function openLanguageStatus(page: Page, showing: RegExp = /programs? ·/): Promise<string> {
  await page.locator('[id="status.languageStatus"]').click();
  const hover = page.locator('.monaco-hover:not(.hidden)', { has: page.locator('.hover-language-status'), hasText: showing }).first();
  await hover.waitFor({ timeout: 10_000 });
  return (await hover.innerText()).replace(/\s+/g, ' ').trim();
}

/** Clicks the item's "Menu…" link in the open hover; returns the menu's entries. */
export async function openStatusMenu(page: Page): Promise<string[]> {
  await page.locator('a', { hasText: /^Menu…$/ }).first().click();
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ timeout: 10_000 });
  await waitFor('the menu to list the VM targets', async () => ((await rows.allInnerTexts()).some((t) => /local/.test(t)) ? true : undefined), 10_000);
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Runs a palette command that opens a quick pick of its own (the palette stays open). */
export async function commandWithPick(page: Page, title: string, next: RegExp, timeout = 30_000): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  // The row with exactly this title (Enter would take the first match, e.g. "Tasks: Restart Running Task").
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exact }) }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: next }).first().waitFor({ timeout });
}

/** Picks an entry of the open quick pick. */
export async function pick(page: Page, label: RegExp): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The text the output panel shows. */
/** The channel the Output view shows: the selected entry of its channel picker. */
export async function outputChannel(page: Page): Promise<string> {
  const picker = page.locator('.part.panel select.monaco-select-box').first();
  return (await picker.evaluate((s) => {
    const select = s as unknown as { options: ArrayLike<{ text: string }>; selectedIndex: number };
    return select.options[select.selectedIndex]?.text ?? '';
  }).catch(() => '')).trim();
}

export async function outputPanelText(page: Page): Promise<string> {
  const lines = page.locator('.part.panel .output-view .view-lines').first();
  return ((await lines.innerText().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
}

/** Clicks the code lens with this exact title in the active editor. */
export async function clickLens(page: Page, title: string): Promise<void> {
  const lens = page.locator('.editor-group-container.active .codelens-decoration > a', { hasText: title }).first();
  await lens.waitFor({ timeout: 15_000 });
  await lens.click();
}

/** The references peek: its title (file and count) and the rows it lists. */
export async function referencesPeek(page: Page): Promise<{ title: string; rows: string[] }> {
  const peek = page.locator('.peekview-widget').first();
  await peek.waitFor({ timeout: 15_000 });
  const rows = peek.locator('.ref-tree .monaco-list-row');
  await rows.first().waitFor({ timeout: 10_000 });
  const title = ((await peek.locator('.peekview-title').innerText()) ?? '').replace(/\s+/g, ' ').trim();
  return { title, rows: (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()) };
}

/** The selected row of the BPF Associations view, once there is one. */
export async function selectedTreeRow(page: Page): Promise<string> {
  const row = page.locator('.pane-body .monaco-list-row.selected .custom-view-tree-node-item .label-name').first();
  await row.waitFor({ timeout: 15_000 });
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

/** The inner frame of the webview whose document has `selector`. */
export async function webviewFrame(page: Page, selector: string): Promise<Frame> {
  return waitFor(`a webview with ${selector}`, async () => {
    for (const f of page.frames()) if (await f.$(selector).catch(() => null)) return f;
    return undefined;
  }, 30_000);
}

export interface FitReport {
  /** The scrolling box's visible and scrollable width. */
  clientWidth: number;
  scrollWidth: number;
  /** Drawn (or laid out) content that lies beyond what the box can scroll to. */
  unreachable: string[];
  /** Texts wider than the box drawn around them. */
  overflowing: string[];
}

// The two measurements run in the webview's page; they are JavaScript source (this project's
// TypeScript has no DOM types).
const GRAPH_FIT = `(() => {
  const host = document.getElementById('graph');
  const hostBox = host.getBoundingClientRect();
  const unreachable = [];
  const overflowing = [];
  for (const node of document.querySelectorAll('[data-node]')) {
    const box = node.getBoundingClientRect();
    if (box.right - hostBox.left + host.scrollLeft > host.scrollWidth + 1 || box.bottom - hostBox.top + host.scrollTop > host.scrollHeight + 1) unreachable.push(node.dataset.node);
    const rect = node.querySelector('rect')?.getBoundingClientRect();
    for (const text of node.querySelectorAll('text')) {
      const t = text.getBoundingClientRect();
      if (rect && t.right > rect.right + 0.5) overflowing.push(node.dataset.node + ': ' + text.textContent);
    }
  }
  return { clientWidth: host.clientWidth, scrollWidth: host.scrollWidth, unreachable, overflowing };
})()`;

const TABLE_FIT = `(() => {
  const scroller = document.querySelector('.table-scroll') || document.scrollingElement || document.body;
  const table = document.getElementById('vm-report');
  const unreachable = [];
  const overflowing = [];
  const left = scroller.getBoundingClientRect().left;
  for (const cell of table.querySelectorAll('th, td')) {
    const r = cell.getBoundingClientRect();
    if (r.right - left + scroller.scrollLeft > scroller.scrollWidth + 1) unreachable.push(cell.textContent.trim());
    if (cell.scrollWidth > cell.clientWidth + 1) overflowing.push(cell.textContent.trim());
  }
  return { clientWidth: scroller.clientWidth, scrollWidth: scroller.scrollWidth, unreachable, overflowing };
})()`;

/** In the graph: every node within reach of #graph's scrolling, every name inside its box. */
export function graphFit(frame: Frame): Promise<FitReport> {
  return frame.evaluate(GRAPH_FIT) as Promise<FitReport>;
}

/** In the results table: every target column within reach of its scroll box, no cell clipped. */
export function tableFit(frame: Frame): Promise<FitReport> {
  return frame.evaluate(TABLE_FIT) as Promise<FitReport>;
}
