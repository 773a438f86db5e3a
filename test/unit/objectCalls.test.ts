// kfunc calls made in an inline function of a header: the source follows them into the header
// (fragments.ts), and the compiled object shows the same call.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';

const ROOT = resolve(__dirname, '..', '..');
const DIR = join(ROOT, 'test/fixtures/standalone/inline-kfunc');
const SOURCE = join(DIR, 'inline.bpf.c');

describe('kfunc calls only the object shows', () => {
  let object = '';
  before(async function () {
    this.timeout(60_000);
    await loadGrammar();
    object = join(mkdtempSync(join(tmpdir(), 'bpf-assoc-')), 'inline.bpf.o');
    execFileSync('clang', ['-target', 'bpf', '-g', '-O2', '-D__TARGET_ARCH_x86', '-I', join(ROOT, 'test/fixtures/include'), '-I', DIR, '-c', SOURCE, '-o', object]);
  });

  function model(withObject: boolean): ReturnType<Workspace['model']> {
    const ws = new Workspace();
    ws.setFile(SOURCE, readFileSync(SOURCE), 1);
    ws.setFile(join(DIR, 'wrap.h'), readFileSync(join(DIR, 'wrap.h')));
    if (withObject) ws.setFile(object, readFileSync(object), 2);
    const m = ws.model();
    ws.dispose();
    return m;
  }

  it('the source alone follows the call into the inline function of the header', () => {
    const m = model(false);
    assert.deepEqual(m.findings.map((f) => `${f.rule} ${f.location.file.split('/').pop()}:${f.location.range.start.line + 1}`), ['unassociated-kfunc-caller wrap.h:8']);
    assert.match(m.findings[0]?.message ?? '', /through `wrapped_assoc_call`/);
  });

  it('with the object, the same call is found', () => {
    const m = model(true);
    const f = m.findings.filter((x) => x.rule === 'unassociated-kfunc-caller');
    assert.equal(f.length, 1, m.findings.map((x) => x.rule).join());
    assert.deepEqual(m.programs.find((p) => p.name === 'through_wrapper')?.kfuncCalls.map((c) => c.name), ['bpf_kfunc_multi_st_ops_test_1_assoc']);
  });
});
