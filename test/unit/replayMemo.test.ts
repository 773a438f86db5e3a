// The model after edits equals the model of a workspace given the edited files at once: replays
// kept for objects an edit did not touch (engine/replayMemo.ts) never leave a stale state behind.
import { strict as assert } from 'node:assert';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { generateWorkspace } from '../../bench/generate';

function fresh(files: Map<string, string>): Workspace {
  const ws = new Workspace();
  for (const [p, t] of files) ws.setFile(p, t);
  return ws;
}

describe('replays kept across edits', () => {
  before(async () => {
    await loadGrammar();
  });

  it('an edit in one object leaves the others as a fresh analysis reads them', () => {
    const files = generateWorkspace(3);
    const ws = fresh(files);
    const before = ws.model();
    assert.ok(before.associationCalls.length > 0, 'the generated loaders associate programs');
    // A comment in sched1's BPF source: sched0's and sched2's replays are kept.
    const src = '/bench/sched1/sched1.bpf.c';
    files.set(src, `${files.get(src) as string}\n/* edited */\n`);
    ws.update(src, files.get(src) as string);
    assert.deepStrictEqual(ws.model(), fresh(files).model());
  });

  it("a loader's edit changes its object's states, as a fresh analysis reads them", () => {
    const files = generateWorkspace(3);
    const ws = fresh(files);
    const before = ws.model();
    const loader = '/bench/sched2/sched2.c';
    // The loader no longer associates its program explicitly.
    const edited = (files.get(loader) as string).replace(/err = bpf_program__assoc_struct_ops\([^;]*;/, 'err = 0;');
    assert.notEqual(edited, files.get(loader));
    files.set(loader, edited);
    ws.update(loader, edited);
    const after = ws.model();
    assert.deepStrictEqual(after, fresh(files).model());
    assert.notDeepStrictEqual(after.associationCalls, before.associationCalls);
  });
});
