// The VM run through code-server's UI, as a person does it: click the "Run on test VM" code
// lens (or the tree view's context menu), tick targets in the quick pick, watch the progress
// notification (and press its Cancel), and read the "predicted vs observed" webview.
import type { Frame, Page } from 'playwright-core';
import { waitFor, type VmReport, type VmRunFrom } from '../driver';

interface Steps {
  readonly page: Page;
  command(title: string): Promise<void>;
  open(file: string, at?: { line: number; column: number }): Promise<void>;
}

const RUN_TITLE = 'Run Association on Test VM';

export async function runOnVm(d: Steps, from: VmRunFrom, targets: string[]): Promise<{ clickedAt: number }> {
  // A quick pick lists the targets configured when it opened: a settings file written just now may
  // not be read yet, so close it and start again until every target is offered.
  // A try that fails leaves no quick input open behind it: the next one starts from the editor
  // (an object pick left open took every later F1 and right-click of the retries).
  let clickedAt = 0;
  await waitFor(`the quick pick to offer ${targets.join(', ')}`, async () => {
    try {
      clickedAt = await start(d, from);
    } catch (err) {
      await closeQuickInput(d.page);
      throw err;
    }
    if (await offers(d.page, targets)) return true;
    await closeQuickInput(d.page);
    return undefined;
  }, 60_000);
  await pickTargets(d.page, targets);
  return { clickedAt };
}

/** Clicks the lens or the tree's menu item; returns when it clicked, once the quick pick shows. */
async function start(d: Steps, from: VmRunFrom): Promise<number> {
  const page = d.page;
  let clicked: number;
  if ('codeLens' in from) {
    await d.open(from.codeLens.file, { line: from.codeLens.line, column: 1 });
    const lens = page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Run on test VM' }).first();
    await lens.waitFor({ timeout: 30_000 });
    clicked = Date.now();
    await lens.click();
  } else {
    await d.command('Focus on BPF Associations View');
    const row = page.locator('.pane-body .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${from.treeObject}$`) }) }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click({ button: 'right' });
    const item = page.locator('.context-view .action-item', { hasText: RUN_TITLE }).first();
    await item.waitFor({ timeout: 10_000 });
    clicked = Date.now();
    await item.click();
  }
  // The run asks for targets (checkboxes). A pick without checkboxes is the object pick: the
  // command got no object from the row (it was not the object's row, or the tree was refreshing).
  const widget = page.locator('.quick-input-widget');
  const boxes = widget.locator('.quick-input-list .monaco-checkbox');
  const objectPick = widget.locator('.quick-input-title', { hasText: /which BPF object\?/ });
  const gotTargets = await waitFor('the target pick', async () => ((await boxes.count()) > 0 ? true : (await objectPick.isVisible()) ? false : undefined), 15_000);
  if (!gotTargets) throw new Error(`the run asked which object to run instead of which targets: the command got no object from ${'codeLens' in from ? 'the code lens' : `the tree row ${from.treeObject}`}`);
  return clicked;
}

/** Closes a quick input left open (Escape) and waits until it is gone. */
async function closeQuickInput(page: Page): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  if (!(await widget.isVisible())) return;
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
}

async function offers(page: Page, targets: string[]): Promise<boolean> {
  const offered = await page.locator('.quick-input-widget .quick-input-list .monaco-checkbox[role="checkbox"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  return targets.every((t) => offered.includes(t));
}

/** Ticks exactly `targets`, then OK. */
async function pickTargets(page: Page, targets: string[]): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const boxes = widget.locator('.quick-input-list .monaco-checkbox[role="checkbox"]');
  for (const box of await boxes.all()) {
    const name = (await box.getAttribute('aria-label')) ?? '';
    const checked = (await box.getAttribute('aria-checked')) === 'true';
    if (checked !== targets.includes(name)) await box.click();
  }
  await waitFor('the quick pick to tick the targets', async () => {
    const ticked = await widget.locator('.quick-input-list .monaco-checkbox[aria-checked="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    return ticked.sort().join('\n') === [...targets].sort().join('\n') ? true : undefined;
  }, 10_000);
  await widget.locator('.quick-input-action .monaco-button', { hasText: 'OK' }).click();
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
}

function progressToast(page: Page) {
  return page.locator('.notification-toast', { has: page.locator('.notification-list-item-message', { hasText: /^bpf-assoc: .+ on / }) }).last();
}

export async function waitForVmProgress(page: Page, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  return waitFor(`the run's progress to read ${pattern}`, async () => {
    const texts = await page.locator('.notification-toast .notification-list-item-message').allTextContents();
    return texts.find((t) => /^bpf-assoc: .+ on /.test(t) && pattern.test(t));
  }, timeoutMs);
}

export async function cancelVmRun(page: Page): Promise<void> {
  const toast = progressToast(page);
  await toast.hover();
  await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
}

/** Clicks a link in the results view (a row's label, "Show transcript"). */
export async function clickInVmReport(page: Page, text: string): Promise<void> {
  const frame = await waitFor('the VM results view', () => reportFrame(page), 30_000);
  await frame.locator('a', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first().click();
}

/** The output view's visible lines, once it shows the "bpf-assoc VM" channel. */
export async function outputText(page: Page): Promise<string> {
  const lines = page.locator('.part.panel .output-view .view-lines');
  const filter = page.locator('.part.panel .viewpane-filter input:visible');
  return waitFor('the transcript in the output view', async () => {
    // The output view may take over an earlier filter of the Problems view: clear it.
    for (const box of await filter.all()) if (await box.inputValue()) await box.fill('');
    // Monaco renders spaces as no-break spaces.
    const text = (await lines.first().innerText().catch(() => '')).replace(/\u00a0/g, ' ').trim();
    return /^\[[^\]]+\] |^bpf-assoc: |^command to results: /m.test(text) ? text : undefined;
  }, 15_000);
}

/** Whether a results webview is open (its frame exists). */
export async function reportOpen(page: Page): Promise<boolean> {
  return (await reportFrame(page)) !== undefined;
}

/** The results webview's inner frame (the one that holds the report table). */
async function reportFrame(page: Page): Promise<Frame | undefined> {
  for (const f of page.frames()) if (await f.$('#vm-report').catch(() => null)) return f;
  return undefined;
}

export async function vmReport(page: Page, ready: (r: VmReport) => boolean, timeoutMs = 240_000): Promise<VmReport> {
  return waitFor('the VM results view', async () => {
    const frame = await reportFrame(page);
    if (!frame) return undefined;
    const clean = (t: string): string => t.replace(/\s+/g, ' ').trim();
    const report: VmReport | undefined = await Promise.all([
      frame.locator('#vm-report thead th[data-target]').allTextContents(),
      frame.locator('#vm-report tbody tr[data-row]').evaluateAll((trs) =>
        trs.map((tr) => ({
          key: tr.getAttribute('data-row') ?? '',
          label: (tr.querySelector('th a') ?? tr.querySelector('th'))?.textContent ?? '',
          predicted: tr.querySelector('td.predicted')?.textContent ?? '',
          observed: [...tr.querySelectorAll('td.observed')].map((td) => td.textContent ?? ''),
        })),
      ),
      frame.locator('section.target').allTextContents(),
      frame.locator('header p.plan').textContent(),
    ]).then(
      ([columns, rows, targets, plan]) => ({
        plan: clean(plan ?? ''),
        columns: columns.map(clean),
        rows: rows.map((r) => ({ key: r.key, label: clean(r.label), predicted: clean(r.predicted), observed: r.observed.map(clean) })),
        targets: targets.map(clean),
      }),
      () => undefined,
    );
    return report && ready(report) ? report : undefined;
  }, timeoutMs);
}
