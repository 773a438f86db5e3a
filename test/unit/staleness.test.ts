// A skeleton out of date with its source: found, and the newer of the two is followed.
// (Typing, saving and rebuilding: buildStaleness.test.ts.)
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';

const ROOT = resolve(__dirname, '..', '..');
const SOURCE = join(ROOT, 'test/fixtures/cases/poisoned-shared/shared.bpf.c');
const SKELETON = join(ROOT, '.build/test/fixtures/cases/poisoned-shared/shared.skel.h');
const OBJECT = join(ROOT, '.build/test/fixtures/cases/poisoned-shared/shared.bpf.o');
const HEADER = join(ROOT, 'test/fixtures/include/st_ops.h');

/** The source after the fix: map_b gets its own test_1. */
function fixedSource(): string {
  const text = readFileSync(SOURCE, 'utf8');
  const fixed = text
    .replace('SEC("struct_ops")\nvoid BPF_PROG(test_2_a', 'SEC("struct_ops/test_1")\nint BPF_PROG(test_1_b)\n{\n\treturn 0;\n}\n\nSEC("struct_ops")\nvoid BPF_PROG(test_2_a')
    .replace('struct bpf_testmod_ops st_ops_map_b = {\n\t.test_1 = (void *)test_1,', 'struct bpf_testmod_ops st_ops_map_b = {\n\t.test_1 = (void *)test_1_b,');
  assert.notEqual(fixed, text);
  return fixed;
}

function model(sourceModified: number, builtModified: number, withObject = false): ReturnType<Workspace['model']> {
  const ws = new Workspace();
  ws.setFile(HEADER, readFileSync(HEADER));
  ws.setFile(SOURCE, fixedSource(), sourceModified);
  ws.setFile(SKELETON, readFileSync(SKELETON), builtModified);
  if (withObject) ws.setFile(OBJECT, readFileSync(OBJECT), builtModified);
  const m = ws.model();
  ws.dispose();
  return m;
}

describe('stale skeletons and objects', () => {
  before(async function () {
    assert.ok(existsSync(SKELETON) && existsSync(OBJECT), `${SKELETON} or ${OBJECT} is missing: run npm run fixtures (test/fixtures/build.sh)`);
    await loadGrammar();
  });

  it('a source saved after its build and disagreeing with it is followed; the build is behind, said once on the source', () => {
    const m = model(2_000_000, 1_000_000, true);
    const state = m.programs.find((p) => p.name === 'test_1')?.association;
    assert.deepEqual(state && state.state === 'auto' ? [state.state, state.map] : state, ['auto', 'st_ops_map_a']);
    assert.equal(m.objects[0]?.truth, 'source');
    assert.ok(!m.findings.some((f) => f.rule === 'poisoned-association'));
    assert.deepEqual(m.findings.filter((f) => f.rule === 'stale-skeleton' || f.rule === 'stale-object'), []);
    const behind = m.findings.filter((f) => f.rule === 'build-behind-sources');
    assert.equal(behind.length, 1);
    assert.equal(behind[0]?.location.file, SOURCE);
    assert.match(behind[0]?.message ?? '', /slot `st_ops_map_b.test_1` holds `test_1`, the source says `test_1_b`/);
    assert.match(behind[0]?.message ?? '', /program `test_1_b` is missing/);
    assert.match(behind[0]?.message ?? '', /The analysis follows the sources; until you rebuild, libbpf would load the last build/);
    assert.ok(behind[0]?.related.every((r) => r.location.file === SOURCE && r.location.range.start.line > 0));
  });

  it('a skeleton newer than a source it disagrees with is what libbpf loads, and is followed', () => {
    const m = model(1_000_000, 2_000_000);
    assert.equal(m.objects[0]?.truth, 'skeleton');
    assert.equal(m.programs.find((p) => p.name === 'test_1')?.association.state, 'poisoned');
    const skel = m.findings.find((f) => f.rule === 'stale-skeleton');
    assert.match(skel?.message ?? '', /libbpf loads the embedded object, so the analysis follows it/);
  });

  it('without modification times the skeleton is followed (what libbpf loads)', () => {
    const ws = new Workspace();
    ws.setFile(HEADER, readFileSync(HEADER));
    ws.setFile(SOURCE, fixedSource());
    ws.setFile(SKELETON, readFileSync(SKELETON));
    const m = ws.model();
    assert.equal(m.objects[0]?.truth, 'skeleton');
    ws.dispose();
  });
});
