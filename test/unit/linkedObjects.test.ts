// An object linked from several sources, decided by the built object alone: the make-linked case
// without its Makefile, with what test/fixtures/build.sh built for real (each part compiled by
// clang into parts/, linked by bpftool gen object into linked.bpf.o, its skeleton generated).
// The object's .BTF.ext line info names both sources: one object, the parts' own objects are
// intermediates, the loader drives it; without the built object nothing links the two sources.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { builtPath, ensureFixturesBuilt, REPO, sourcePath } from './builtFixtures';
import { listCaseFiles, stateOf } from './expectations';

const CASE = 'make-linked';
const INCLUDE = join(REPO, 'test', 'fixtures', 'include');

function workspaceOf(files: string[]): Workspace {
  const ws = new Workspace();
  for (const f of [...files, ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
  return ws;
}

describe('an object linked from several sources, as the built object shows', () => {
  before(async () => {
    await loadGrammar();
    ensureFixturesBuilt();
  });
  const sources = ['ops.bpf.c', 'extra.bpf.c', 'main.c'].map((f) => sourcePath(CASE, f));
  const built = ['linked.bpf.o', 'linked.skel.h', 'parts/ops.bpf.o', 'parts/extra.bpf.o'].map((f) => builtPath(CASE, f));

  it('without the Makefile: the linked object and its skeleton make the two sources one object', () => {
    const ws = workspaceOf([...sources, ...built]);
    const model = ws.model();
    assert.deepEqual(
      model.objects.map((o) => [o.id, o.sources, o.objectFiles, o.skeletons, o.loaders, o.truth]),
      // (In link order: build.sh links the parts sorted, extra.bpf.o first.)
      [['linked', [sourcePath(CASE, 'extra.bpf.c'), sourcePath(CASE, 'ops.bpf.c')], [builtPath(CASE, 'linked.bpf.o')], [builtPath(CASE, 'linked.skel.h')], [sourcePath(CASE, 'main.c')], 'skeleton']],
    );
    assert.equal(stateOf(model, 'linked_enqueue'), 'auto linked_ops');
    assert.equal(stateOf(model, 'kick_all'), 'explicit linked_ops');
    assert.equal(stateOf(model, 'on_wakeup'), 'explicit linked_ops');
    assert.deepEqual(model.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => f.rule), []);
    ws.dispose();
  });

  it('from the sources alone and no Makefile, nothing says they are one object', () => {
    const ws = workspaceOf(sources);
    const model = ws.model();
    assert.deepEqual(model.objects.map((o) => o.id).sort(), ['extra', 'ops']);
    ws.dispose();
  });
});
