// bpf-assoc in a real VS Code, on a copy of examples/: the same tests run in code-server through
// Chromium (npm run test:e2e) and under @vscode/test-electron (test/e2e/electron/README.md).
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { driver, waitFor } from '../driver';
import { ARTIFACTS, POISONED, build, find } from '../workspace';

function workspace(): string {
  const dir = process.env.BPF_ASSOC_E2E_WORKSPACE;
  if (!dir) throw new Error('BPF_ASSOC_E2E_WORKSPACE is not set by the runner');
  return dir;
}

/**
 * The status bar's text once it matches `pattern` (or as it is after a minute): its counts follow
 * the model the extension fetches after the server's notice, a moment after the diagnostics.
 */
async function statusShowing(pattern: RegExp): Promise<string> {
  return waitFor(`the status bar to show ${pattern}`, async () => {
    const text = await driver().statusBarText();
    return pattern.test(text) ? text : undefined;
  }, 60_000).catch(async () => driver().statusBarText());
}

/** Where `test_1` is defined: `int BPF_PROG(test_1, ...)`. */
const program = () => find(workspace(), POISONED.file, /BPF_PROG\((test_1),/);

describe(`bpf-assoc in a real VS Code`, () => {
  it('activates on examples/ and shows the counts in the status bar', async () => {
    const measured = { ...(await driver().waitForActivation()), ...driver().measurements?.() };
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, `measurements-${driver().name.replace(/\W+/g, '-')}.json`), JSON.stringify(measured, null, 2));
    console.log(`      ${JSON.stringify(measured)}`);
    assert.match(await statusShowing(/1 poisoned/), /\d+ programs · \d+ maps · 1 poisoned/);
  });

  it('shows poisoned-association in Problems at the shared program', async () => {
    const problems = await driver().waitForProblem('poisoned-association');
    const poisoned = problems.filter((p) => p.code === 'poisoned-association');
    assert.deepEqual(
      poisoned.map((p) => [p.file, p.line, p.column]),
      [['multi_ops.bpf.c', program().line, program().column]],
    );
    assert.match(poisoned[0]?.message ?? '', /st_ops_map_a\.test_1.*st_ops_map_b\.test_1/);
  });

  it('explains the program in a hover', async () => {
    const text = await driver().hover(POISONED.file, program());
    assert.match(text, /poison/i);
    for (const map of POISONED.maps) assert.ok(text.includes(map), `hover names ${map}:\n${text}`);
  });

  it('shows code lenses on the program and on the maps', async () => {
    const lenses = await driver().codeLenses(POISONED.file, program().line);
    assert.ok(lenses.includes('st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned'), lenses.join('\n'));
    const mapLine = find(workspace(), POISONED.file, /(st_ops_map_b) = \{/).line;
    const mapLenses = await driver().codeLenses(POISONED.file, mapLine);
    assert.ok(mapLenses.some((l) => /^\d+ programs? · 1 poisoned$/.test(l)), mapLenses.join('\n'));
  });

  it('goes from a slot to the program with Go to Definition', async () => {
    const slotInMapB = find(workspace(), POISONED.file, /\(void \*\)(test_1)/, 1);
    const landed = await driver().goToDefinition(POISONED.file, slotInMapB);
    assert.deepEqual(landed, { file: 'multi_ops.bpf.c', line: program().line });
  });

  it('lists objects, maps, slots and programs in the association tree', async () => {
    const labels = await driver().treeLabels();
    for (const want of ['multi_ops', 'st_ops_map_a', 'st_ops_map_b', '.test_1', 'test_1', 'Poisoned programs']) {
      assert.ok(labels.some((l) => l === want || l.startsWith(`${want} `)), `tree has ${want}:\n${labels.join('\n')}`);
    }
  });

  it('draws the association graph, and a click on a node reveals it', async () => {
    const nodes = await driver().showGraph();
    for (const id of ['map:multi_ops/st_ops_map_a', 'map:multi_ops/st_ops_map_b', 'program:multi_ops/test_1', 'program:multi_ops/syscall_prog_a']) {
      assert.ok(nodes.includes(id), `graph has ${id}: ${nodes.join(', ')}`);
    }
    await driver().open(POISONED.file, { line: 1, column: 1 });
    const landed = await driver().clickGraphNode('program:multi_ops/test_1');
    assert.deepEqual(landed, { file: 'multi_ops.bpf.c', line: program().line });
  });

  it('has its commands in the palette', async () => {
    const titles = await driver().paletteCommands('bpf-assoc');
    for (const t of ['bpf-assoc: Show Association Graph', 'bpf-assoc: Refresh Associations', 'bpf-assoc: Restart Language Server']) {
      assert.ok(titles.includes(t), `palette has ${t}: ${titles.join(', ')}`);
    }
    assert.ok(!titles.includes('bpf-assoc: Reveal in Editor'), 'internal commands stay out of the palette');
  });

  it('restarts the language server after it crashes', async () => {
    await driver().crashServer();
    await driver().waitForProblem('poisoned-association');
    assert.match(await statusShowing(/1 poisoned/), /\d+ programs · \d+ maps · 1 poisoned/);
  });

  it('applies the quick fix: no stale warning while unsaved, one info once saved, nothing after a rebuild', async () => {
    const title = await driver().applyQuickFix(POISONED.file, program(), /own copy of test_1/);
    assert.match(title, /Give st_ops_map_[ab] its own copy of test_1/);
    // Unsaved: the build is the last build, nothing says the fix failed.
    await driver().waitForProblem('poisoned-association', false);
    for (const rule of ['stale-skeleton', 'stale-object', 'build-behind-sources']) assert.ok(!(await driver().waitForProblem('poisoned-association', false)).some((p) => p.code === rule), rule);
    // Saved: the build is behind its sources (an info on the source), until it is rebuilt.
    await driver().saveAll();
    const behind = (await driver().waitForProblem('build-behind-sources')).filter((p) => p.code === 'build-behind-sources');
    assert.deepEqual(behind.map((p) => p.file), ['multi_ops.bpf.c']);
    build(workspace());
    await driver().waitForProblem('build-behind-sources', false);
    await driver().waitForProblem('stale-skeleton', false);
    await driver().waitForProblem('stale-object', false);
    await driver().waitForProblem('poisoned-association', false);
  });
});
