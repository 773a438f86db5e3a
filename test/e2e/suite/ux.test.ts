// The editor conventions of issue 13, driven in code-server as a person uses them: the language
// status item and its menu, code lenses that run commands, the graph in a narrow split, a task
// with the `$bpf-assoc` problem matcher, the walkthrough, the view's title and the palette's
// `when` clauses. Browser only (it clicks and measures the DOM); each step leaves a screenshot in
// test/.artifacts/ (ux-*.png).
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserDriver } from '../browser/browserDriver';
import * as ux from '../browser/uxSteps';
import { driver, waitFor } from '../driver';
import { POISONED, REPO, build, find } from '../workspace';

function workspace(): string {
  const dir = process.env.BPF_ASSOC_E2E_WORKSPACE;
  if (!dir) throw new Error('BPF_ASSOC_E2E_WORKSPACE is not set by the runner');
  return dir;
}

const COUNTS = /^\d+ programs · \d+ maps · 1 poisoned$/;

describe('bpf-assoc follows the editor conventions', () => {
  let d: BrowserDriver;
  before(async function () {
    this.timeout(300_000);
    const current = driver();
    if (!('page' in current)) this.skip();
    d = current as BrowserDriver;
    // The poisoned program as examples/ has it (editor.test.ts's quick fix gave a map its own copy),
    // rebuilt; then the model is in (the language status shows the counts).
    copyFileSync(join(REPO, 'examples', POISONED.file), join(workspace(), POISONED.file));
    build(workspace());
    await waitFor('the language status to count programs', async () => (COUNTS.test(await d.statusBarText()) ? true : undefined), 240_000);
  });
  // Each step from a plain editor: no hover, menu or peek left open, one editor group.
  beforeEach(async () => {
    await d.page.keyboard.press('Escape');
    await d.page.keyboard.press('Escape');
    await d.closeAllEditors();
    await d.command('View: Single Column Editor Layout');
  });

  it('shows a language status item with the counts, and a menu with restart, logs and the VM targets', async () => {
    await d.open(POISONED.file);
    assert.match(await d.statusBarText(), COUNTS);
    const hover = await ux.openLanguageStatus(d.page);
    assert.match(hover, /\d+ programs · \d+ maps · 1 poisoned/);
    assert.match(hover, /Menu…/);
    // What a screen reader says: plain text, no Markdown or codicon syntax.
    const aria = (await d.languageStatusEntry.getAttribute('aria-label')) ?? '';
    assert.match(aria, /bpf-assoc: \d+ programs · \d+ maps · 1 poisoned, \d+ BPF objects, \d+ errors?/);
    assert.doesNotMatch(aria, /\*\*|\$\(|`/, aria);
    await d.screenshot('ux-language-status');
    const menu = await ux.openStatusMenu(d.page);
    await d.screenshot('ux-language-status-menu');
    for (const want of [/Show Associations/, /Show Association Graph/, /Restart Language Server/, /Show Logs/, /(Run on|Set Up) local\b/, /Configure VM Targets/]) {
      assert.ok(menu.some((m) => want.test(m)), `menu has ${want}: ${menu.join(' | ')}`);
    }
    await ux.pick(d.page, /Show Logs/);
    // The Output view shows the extension's own channel. Its first lines ("bpf-assoc activated")
    // may have scrolled out of view behind later ones, so the test reads the channel's name and
    // any log line in view, not one particular line.
    await waitFor('the bpf-assoc log in the output panel', async () => ((await ux.outputChannel(d.page)) === 'bpf-assoc' && /\[(info|warning|error)\]/.test(await ux.outputPanelText(d.page)) ? true : undefined), 15_000);
  });

  it('says "restarting", never "stopped", while a restart the user asked for runs', async () => {
    await d.open(POISONED.file);
    const seen = new Set<string>();
    await d.command('bpf-assoc: Restart Language Server');
    let busyShot = false;
    await waitFor('the counts after the restart', async () => {
      const text = await d.statusBarText();
      seen.add(text);
      if (!busyShot && /restarting|starting|indexing/.test(text)) {
        busyShot = true;
        await ux.openLanguageStatus(d.page, /restarting|starting|indexing/).catch(() => undefined);
        await d.screenshot('ux-language-status-busy');
        await d.page.keyboard.press('Escape');
      }
      return seen.size > 1 && COUNTS.test(text) ? true : undefined;
    }, 60_000);
    assert.ok(![...seen].some((t) => /stopped/.test(t)), `status texts seen: ${[...seen].join(' | ')}`);
    assert.ok([...seen].some((t) => /restarting|starting|indexing/.test(t)), `busy while the server restarts: ${[...seen].join(' | ')}`);
  });

  it('shows a welcome text in the empty view while the server restarts, then the tree again', async () => {
    await d.treeLabels();
    const welcome = d.page.locator('.pane-body .welcome-view-content', { hasText: /Starting the bpf-assoc language server|indexing the workspace/ });
    await d.command('bpf-assoc: Restart Language Server');
    await welcome.first().waitFor({ timeout: 30_000 });
    await d.screenshot('ux-view-welcome-while-starting');
    await welcome.first().waitFor({ state: 'detached', timeout: 60_000 });
    const labels = await d.treeLabels();
    assert.ok(labels.some((l) => l.startsWith('multi_ops')), labels.join(' | '));
  });

  it("runs a program's code lens: its slots in a references peek", async () => {
    const sec = find(workspace(), POISONED.file, /SEC\("(struct_ops\/test_1)"\)/);
    await d.open(POISONED.file, { line: sec.line, column: 1 });
    await ux.clickLens(d.page, 'st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned');
    const peek = await ux.referencesPeek(d.page);
    await d.screenshot('ux-lens-program-references');
    assert.match(peek.title, /Locations \(2\)|2 references/);
    for (const map of POISONED.maps) assert.ok(peek.rows.some((r) => r.includes(`(void *)test_1`) || r.includes(map)), `peek lists the slot of ${map}: ${peek.rows.join(' | ')}`);
    await d.page.keyboard.press('Escape');
  });

  it("runs a map's code lens: the map, selected in the BPF Associations view", async () => {
    const map = find(workspace(), POISONED.file, /(st_ops_map_b) = \{/);
    await d.open(POISONED.file, { line: map.line, column: 1 });
    const lenses = await d.codeLenses(POISONED.file, map.line);
    const title = lenses.find((l) => /^\d+ programs? · 1 poisoned$/.test(l));
    assert.ok(title, lenses.join(' | '));
    // Both maps have this title: the second lens of the file is st_ops_map_b's.
    await d.page.locator('.editor-group-container.active .codelens-decoration > a', { hasText: title }).nth(1).click();
    const selected = await ux.selectedTreeRow(d.page);
    await d.screenshot('ux-lens-map-revealed-in-tree');
    assert.equal(selected, 'st_ops_map_b');
    const heading = (await d.page.locator('.part.sidebar .composite.title').innerText()).replace(/\s+/g, ' ').trim();
    assert.match(heading, /^BPF ASSOCIATIONS$/i, 'the view title is one short name, not "Bpf-Assoc: Struct_ops A…"');
  });

  it('fits or scrolls the graph in a narrow split', async () => {
    await d.open(POISONED.file);
    await d.page.setViewportSize({ width: 1000, height: 900 });
    try {
      await d.showGraph();
      const frame = await ux.webviewFrame(d.page, '#graph svg');
      const fit = await waitFor('the graph laid out for the narrow panel', async () => {
        const f = await ux.graphFit(frame);
        return f.clientWidth > 0 ? f : undefined;
      });
      await d.screenshot('ux-graph-narrow-split');
      assert.ok(fit.clientWidth < 600, `the graph's panel is narrow: ${fit.clientWidth} px`);
      assert.deepEqual(fit.unreachable, [], 'every node can be scrolled to');
      assert.deepEqual(fit.overflowing, [], 'every label inside its box');
    } finally {
      await d.page.setViewportSize({ width: 1600, height: 1000 });
    }
  });

  it('feeds Problems from a task that runs bpf-assoc check with the $bpf-assoc problem matcher', async function () {
    this.timeout(300_000);
    mkdirSync(join(workspace(), '.vscode'), { recursive: true });
    const task = { label: 'bpf-assoc check', type: 'process', command: process.execPath, args: [join(REPO, 'dist', 'cli.js'), 'check', '.'], problemMatcher: '$bpf-assoc' };
    writeFileSync(join(workspace(), '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [task] }, null, 2));
    const before = await d.waitForProblem('poisoned-association', true, 'poisoned-association');
    const fromServer = before.filter((p) => p.code === 'poisoned-association').length;
    // VS Code reads a tasks.json written while it runs when its file watcher reports it: until
    // then the picker lists only the task providers. Ask again until the task is listed.
    await waitFor('Tasks: Run Task to list the task from the new tasks.json', async () => {
      try {
        await ux.commandWithPick(d.page, 'Tasks: Run Task', /bpf-assoc check/, 10_000);
        return true;
      } catch {
        await d.page.keyboard.press('Escape');
        return undefined;
      }
    }, 120_000);
    await ux.pick(d.page, /bpf-assoc check/);
    const after = await waitFor('the task to add its problems', async () => {
      const all = await d.waitForProblem('poisoned-association', true, 'poisoned-association');
      const rows = all.filter((p) => p.code === 'poisoned-association');
      return rows.length > fromServer ? rows : undefined;
    }, 90_000);
    await d.screenshot('ux-problem-matcher-task');
    assert.deepEqual(after.map((p) => [p.file, p.line, p.column]), Array(after.length).fill([POISONED.file.split('/').pop(), after[0]?.line, after[0]?.column]));
  });

  it('shows the loader at the association call a quick fix added there, checked as the loader checks its calls', async () => {
    const LOADER = 'testmod/multi_ops.c';
    // The fix goes before the association call the loader already makes: its 5 lines and a blank one.
    const existing = find(workspace(), LOADER, /err = (bpf_program__assoc_struct_ops)\(skel->progs\.syscall_prog_a/);
    const kfunc = find(workspace(), POISONED.file, /trace_found = (bpf_kfunc_multi_st_ops_test_1_assoc)/);
    try {
      await d.applyQuickFix(POISONED.file, kfunc, /Associate trace_prog_b with st_ops_map_a in multi_ops\.c/);
      await d.page.locator('.editor-group-container.active .tab.active', { hasText: /^multi_ops\.c/ }).waitFor({ timeout: 15_000 });
      const selection = await waitFor('the added lines selected', async () => {
        const s = (await d.page.locator('[id="status.editor.selection"]').textContent()) ?? '';
        return /\(\d+ selected\)/.test(s) ? s : undefined;
      }, 15_000);
      assert.equal(Number(/Ln (\d+)/.exec(selection)?.[1]), existing.line + 4, `${selection}: the cursor at the end of the added check`);
      const shown = (await d.page.locator('.editor-group-container.active .view-lines').innerText()).replace(/\u00a0/g, ' ');
      assert.match(shown, /err = bpf_program__assoc_struct_ops\(skel->progs\.trace_prog_b, skel->maps\.st_ops_map_a, NULL\);\s*if \(err\) \{\s*fprintf\(stderr, "associating trace_prog_b with st_ops_map_a failed: %d\\n", err\);\s*goto out;/);
      await d.screenshot('ux-quick-fix-shows-loader');
    } finally {
      if (await d.page.locator('.editor-group-container.active .tab.active.dirty', { hasText: /^multi_ops\.c/ }).count()) await d.command('File: Revert File');
      copyFileSync(join(REPO, 'examples', LOADER), join(workspace(), LOADER));
    }
  });

  it('has a walkthrough: open the examples, set up the VM, run on a real kernel', async () => {
    await ux.commandWithPick(d.page, 'Welcome: Open Walkthrough...', /Get started with bpf-assoc/);
    await ux.pick(d.page, /Get started with bpf-assoc/);
    const steps = d.page.locator('.getting-started-step .step-title');
    await steps.first().waitFor({ timeout: 15_000 });
    const titles = (await steps.allInnerTexts()).map((t) => t.trim());
    await d.screenshot('ux-walkthrough');
    assert.deepEqual(titles.slice(0, 3), ['Open the examples', 'Set up the test VM', 'Run on a real kernel']);
    assert.ok(await d.page.locator('.getting-started-step a, .getting-started-step .monaco-button', { hasText: 'Open the Examples' }).first().isVisible());
  });

  it('keeps the commands that lenses and the tree run out of the palette', async () => {
    const titles = await d.paletteCommands('bpf-assoc');
    for (const hidden of ['bpf-assoc: Reveal Map in Associations View', 'bpf-assoc: Show Slots and Association Calls', 'bpf-assoc: Reveal in Editor']) assert.ok(!titles.includes(hidden), `${hidden} stays out: ${titles.join(', ')}`);
    for (const shown of ['bpf-assoc: Show Status Menu', 'bpf-assoc: Open the Examples', 'bpf-assoc: Set Up the Built-in VM']) assert.ok(titles.includes(shown), `${shown} is there: ${titles.join(', ')}`);
  });

  // Last: the opened document stays in the editor's history.
  it("opens the rule's page shipped with the extension from a diagnostic's code link", async () => {
    await d.waitForProblem('poisoned-association', true, 'poisoned-association');
    await d.page.locator('.markers-panel .monaco-list-row a', { hasText: /^poisoned-association$/ }).first().click();
    const tab = d.page.locator('.editor-group-container .tab.active', { hasText: 'rules.md' });
    await tab.waitFor({ timeout: 15_000 });
    await d.screenshot('ux-rule-link-opens-bundled-doc');
    // The installed extension's copy (the .vsix ships docs/), opened in an editor, not a web page.
    const crumbs = (await d.page.locator('.editor-group-container.active .breadcrumbs-control').innerText()).replace(/\s+/g, ' ');
    assert.match(crumbs, /docs.*rules\.md/, crumbs);
    const text = await d.page.locator('.editor-group-container.active .view-lines').innerText();
    assert.match(text.replace(/\u00a0/g, ' '), /# Rule catalogue/, 'the rule catalogue is open');
    await d.closeAllEditors();
  });
});
