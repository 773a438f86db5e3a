// Staleness follows builds, not keystrokes: a build older than the saved sources is one info on the
// source; a build made after the sources were saved that still disagrees is a warning on the
// source; while the sources have unsaved edits, the build is the last build and nothing is claimed.
// Nothing ever lands on the generated files. Real objects and skeletons (test/fixtures/build.sh),
// the real "own copy" quick fix, and a real rebuild with clang and bpftool.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TextEdit } from 'vscode-languageserver-protocol/node';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { Finding, WorkspaceModel } from '../../server/src/analysis/model';
import { Workspace } from '../../server/src/analysis/workspace';
import { programCopyActions } from '../../server/src/features/programCopy';
import type { AnalysisView } from '../../server/src/lsp/session';
import { applyEdits, compileBpf, generateSkeleton } from '../server/helpers';

const ROOT = resolve(__dirname, '..', '..');
const SOURCE = join(ROOT, 'test/fixtures/cases/poisoned-shared/shared.bpf.c');
const BUILD = join(ROOT, '.build/test/fixtures/cases/poisoned-shared');
const SKELETON = join(BUILD, 'shared.skel.h');
const OBJECT = join(BUILD, 'shared.bpf.o');
const HEADER = join(ROOT, 'test/fixtures/include/st_ops.h');
const BUILT_AT = 2_000_000;

const stale = (m: WorkspaceModel): Finding[] => m.findings.filter((f) => f.rule === 'stale-object' || f.rule === 'stale-skeleton');
const behind = (m: WorkspaceModel): Finding[] => m.findings.filter((f) => f.rule === 'build-behind-sources');
const rules = (m: WorkspaceModel): string[] => m.findings.map((f) => f.rule).sort();

/** The workspace as the editor has it: the source's buffer and its saved state, the build from disk. */
function editor(buffer: string, saved: { modified: number; unsaved: boolean }, built: { object: string; skeleton: string; at: number } = { object: OBJECT, skeleton: SKELETON, at: BUILT_AT }): Workspace {
  const ws = new Workspace();
  ws.setFile(HEADER, readFileSync(HEADER), 1);
  ws.update(SOURCE, buffer, saved);
  ws.setFile(join(BUILD, 'shared.bpf.o'), readFileSync(built.object), built.at);
  ws.setFile(join(BUILD, 'shared.skel.h'), readFileSync(built.skeleton), built.at + 1);
  return ws;
}

function modelOf(ws: Workspace): WorkspaceModel {
  return ws.model();
}

/** Nothing on a generated file: every finding's location is a source. */
function onSourcesOnly(m: WorkspaceModel): void {
  for (const f of m.findings) assert.ok(!f.location.file.startsWith(`${BUILD}/`) && !/\.(o|skel\.h)$/.test(f.location.file), `${f.rule} lands on ${f.location.file}`);
}

const original = (): string => readFileSync(SOURCE, 'utf8');
/** A new program being typed at the end of the file: the SEC line, the signature, an open brace. */
const typing = (): string => `${original()}\nSEC("struct_ops/test_1")\nint BPF_PROG(spare)\n{\n`;

describe('staleness follows builds, not keystrokes', () => {
  const workspaces: Workspace[] = [];
  const open = (ws: Workspace): Workspace => (workspaces.push(ws), ws);

  before(async function () {
    assert.ok(existsSync(SKELETON) && existsSync(OBJECT), `${SKELETON} or ${OBJECT} is missing: run npm run fixtures (test/fixtures/build.sh)`);
    await loadGrammar();
  });
  after(() => workspaces.forEach((w) => w.dispose()));

  it('typing in a source after a build: no warning, and the build is the last build', () => {
    for (const buffer of [typing(), original().replace('.test_1 = (void *)test_1,\n\t.test_2 = test_2_b', '.test_1 = (void *)test_2_b,\n\t.test_2 = test_2_b')]) {
      const m = modelOf(open(editor(buffer, { modified: 1_000_000, unsaved: true })));
      assert.deepEqual(stale(m), [], 'no stale warning while typing');
      assert.deepEqual(behind(m), [], 'the saved source is older than the build: nothing is behind');
      assert.equal(m.objects[0]?.build?.state, 'editing');
      assert.deepEqual(m.objects[0]?.build?.unsaved, [SOURCE]);
      onSourcesOnly(m);
    }
  });

  it('typing in a source saved after the build: one info "behind its sources" on the source, no warning', () => {
    const m = modelOf(open(editor(typing(), { modified: 3_000_000, unsaved: true })));
    assert.deepEqual(stale(m), []);
    const [info, ...more] = behind(m);
    assert.equal(more.length, 0, 'one per object, not one per output');
    assert.equal(info?.severity, 'info');
    assert.equal(info?.location.file, SOURCE);
    assert.match(info?.message ?? '', /The build is behind its sources: `shared.skel.h` and `shared.bpf.o` are older than the saved `shared.bpf.c`/);
    assert.equal(m.objects[0]?.build?.state, 'behind');
    onSourcesOnly(m);
  });

  it('a saved source that agrees with its older build: the info alone, saying it agrees', () => {
    const m = modelOf(open(editor(original(), { modified: 3_000_000, unsaved: false })));
    assert.deepEqual(rules(m).filter((r) => r.startsWith('stale-') || r === 'build-behind-sources'), ['build-behind-sources']);
    assert.match(behind(m)[0]?.message ?? '', /still agrees with the sources/);
  });

  it('a build made after the source was saved that still disagrees: a warning on the source, at the difference', () => {
    const fixed = original().replace('.test_1 = (void *)test_1,\n\t.test_2 = test_2_b', '.test_1 = (void *)test_2_b,\n\t.test_2 = test_2_b');
    assert.notEqual(fixed, original());
    const m = modelOf(open(editor(fixed, { modified: 1_000_000, unsaved: false })));
    assert.deepEqual(stale(m).map((f) => f.rule).sort(), ['stale-object', 'stale-skeleton']);
    for (const f of stale(m)) {
      assert.equal(f.severity, 'warning');
      assert.equal(f.location.file, SOURCE);
      assert.equal(fixed.split('\n')[f.location.range.start.line]?.trim(), '.test_1 = (void *)test_2_b,', 'on the slot the build disagrees about');
      assert.match(f.message, /was not built before the source was last saved: slot `st_ops_map_b.test_1` holds `test_1`, the source says `test_2_b`/);
    }
    assert.deepEqual(behind(m), []);
    // libbpf loads the build: the analysis follows it.
    assert.equal(m.objects[0]?.truth, 'skeleton');
    assert.equal(m.objects[0]?.build?.state, 'disagrees');
    onSourcesOnly(m);
  });

  it('the CLI (files from disk) gives what the editor gives after saving', () => {
    const cli = new Workspace();
    cli.setFile(HEADER, readFileSync(HEADER), 1);
    cli.setFile(SOURCE, readFileSync(SOURCE), 3_000_000);
    cli.setFile(join(BUILD, 'shared.bpf.o'), readFileSync(OBJECT), BUILT_AT);
    cli.setFile(join(BUILD, 'shared.skel.h'), readFileSync(SKELETON), BUILT_AT + 1);
    const saved = open(editor(original(), { modified: 3_000_000, unsaved: false }));
    const strip = (m: WorkspaceModel): unknown => m.findings.map((f) => [f.rule, f.severity, f.location, f.message]);
    const fromDisk = modelOf(open(cli));
    assert.deepEqual(strip(fromDisk), strip(modelOf(saved)));
    assert.deepEqual(rules(fromDisk).filter((r) => r.startsWith('stale-') || r === 'build-behind-sources'), ['build-behind-sources']);
  });

  it('after the "own copy" quick fix: no stale warning until the rebuild, then nothing at all', function () {
    this.timeout(60_000);
    const ws = open(editor(original(), { modified: 1_000_000, unsaved: false }));
    let m = modelOf(ws);
    assert.ok(m.findings.some((f) => f.rule === 'poisoned-association'));
    assert.deepEqual(stale(m), []);
    // The real quick fix, as the editor applies it (unsaved).
    const poisoned = m.findings.find((f) => f.rule === 'poisoned-association') as Finding;
    const view: AnalysisView = { model: m, version: 1, indexing: false, facts: (p) => ws.facts(p), text: (p) => ws.text(p), readErrors: new Map() };
    const action = programCopyActions(view, poisoned, (p) => pathToFileURL(p).href)[0];
    assert.ok(action, 'the own-copy quick fix is offered');
    const edits = Object.entries(action.edit?.changes ?? {}) as [string, TextEdit[]][];
    assert.deepEqual(edits.map(([u]) => fileURLToPath(u)), [SOURCE]);
    const fixed = applyEdits(original(), edits[0]?.[1] ?? []);
    ws.update(SOURCE, fixed, { modified: 1_000_000, unsaved: true });
    m = modelOf(ws);
    assert.deepEqual(stale(m), [], 'Problems has no stale warning after the fix');
    assert.deepEqual(behind(m), []);
    assert.ok(!m.findings.some((f) => f.rule === 'poisoned-association'), 'the fix is taken: the analysis follows the edited source');
    assert.equal(m.objects[0]?.build?.state, 'editing');
    // Saved: the build is now behind (an info), still no warning.
    ws.update(SOURCE, fixed, { modified: 3_000_000, unsaved: false });
    m = modelOf(ws);
    assert.deepEqual(stale(m), []);
    assert.equal(behind(m).length, 1);
    assert.match(behind(m)[0]?.message ?? '', /The last build differs: .*The analysis follows the sources/);
    // Rebuilt from the saved source with clang and bpftool: it agrees, so nothing at all.
    const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-rebuild-'));
    try {
      const src = join(dir, 'shared.bpf.c');
      writeFileSync(src, fixed);
      const built = compileBpf(src, dir);
      assert.ok(built.ok, built.output);
      const skeleton = generateSkeleton(built.object, 'shared', dir);
      ws.setFile(join(BUILD, 'shared.bpf.o'), readFileSync(built.object), 4_000_000);
      ws.setFile(join(BUILD, 'shared.skel.h'), readFileSync(skeleton), 4_000_001);
      m = modelOf(ws);
      assert.deepEqual(stale(m), []);
      assert.deepEqual(behind(m), []);
      assert.ok(!m.findings.some((f) => f.rule === 'poisoned-association'));
      assert.equal(m.objects[0]?.build?.state, 'current');
      assert.equal(m.objects[0]?.truth, 'skeleton');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
