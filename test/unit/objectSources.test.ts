// An object's facts after an edit that changes nothing they say (objectSources.ts): the same facts
// object as before, so the engine keeps the object's replays and part of the model; an edit that
// changes them gives new ones, as a fresh analysis reads them.
import { strict as assert } from 'node:assert';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { generateWorkspace } from '../../bench/generate';

function fresh(files: Map<string, string>): Workspace {
  const ws = new Workspace();
  for (const [p, t] of files) ws.setFile(p, t);
  return ws;
}

const SRC = '/bench/sched1/sched1.bpf.c';

describe('object facts kept across edits', () => {
  before(loadGrammar);

  it('a comment added at the end of a line keeps the object part of the model (the same program objects)', () => {
    const files = generateWorkspace(2);
    const ws = fresh(files);
    const before = ws.model().programs.filter((p) => p.object === 'sched1');
    assert.ok(before.length > 0);
    const lines = (files.get(SRC) as string).split('\n');
    const at = lines.findIndex((l) => l.includes('scx_bpf_dsq_insert'));
    lines[at] = `${lines[at]} /* typed */`;
    files.set(SRC, lines.join('\n'));
    ws.update(SRC, files.get(SRC) as string);
    const model = ws.model();
    const after = model.programs.filter((p) => p.object === 'sched1');
    assert.equal(after.length, before.length);
    after.forEach((p, i) => assert.equal(p, before[i], `${p.id} is the object of the last model`));
    assert.deepStrictEqual(model, fresh(files).model());
  });

  it('an edit that moves what the facts place gives new facts, as a fresh analysis reads them', () => {
    const files = generateWorkspace(2);
    const ws = fresh(files);
    const before = ws.model().programs.filter((p) => p.object === 'sched1');
    files.set(SRC, `\n${files.get(SRC) as string}`);
    ws.update(SRC, files.get(SRC) as string);
    const model = ws.model();
    const after = model.programs.filter((p) => p.object === 'sched1');
    assert.notEqual(after[0], before[0]);
    assert.equal(after[0]?.location.range.start.line, (before[0]?.location.range.start.line ?? 0) + 1);
    assert.deepStrictEqual(model, fresh(files).model());
  });
});
