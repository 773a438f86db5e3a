// Loader code under `#if`: what the host build is known to compile is read as certain, what nothing
// in the workspace decides (a configure-generated config.h that is not among the sources) holds
// only under its build condition, and a workspace edit that decides it (adding the config.h) is seen.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { decidedSuffix } from '../../server/src/features/describe';
import { listCaseFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'fixtures', 'cases', 'loader-build-condition');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');

describe('loader build conditions', () => {
  before(async () => {
    await loadGrammar();
  });

  it('an undecided #if: the state and the poisoning warning say so; a config.h added to the workspace decides it', () => {
    const ws = new Workspace();
    for (const f of [...listCaseFiles(CASE), ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
    let program = ws.model().programs.find((p) => p.name === 'test_1');
    assert.equal(program?.association.state, 'poisoned');
    assert.match(program?.decidedBy?.when ?? '', /^`HAVE_BPF_FRAMEWORK` \(a build condition of main\.c that nothing in the workspace decides: /);
    assert.equal(program && decidedSuffix(program), ' when built with `HAVE_BPF_FRAMEWORK`');
    const poisoned = ws.model().findings.filter((f) => f.rule === 'poisoned-association');
    // As for a runtime condition: builds that compile the code poison the program (the other
    // branch is a stub that loads nothing), so it stays a warning, with the condition in its text.
    assert.deepEqual(poisoned.map((f) => f.severity), ['warning']);
    assert.match(poisoned[0]?.message ?? '', /on the path where `HAVE_BPF_FRAMEWORK` \(a build condition/);
    assert.match(poisoned[0]?.message ?? '', /builds that do poison it/);

    // The configure step's output, now in the workspace: the condition is decided, the warning unconditional.
    ws.setFile(join(CASE, 'build-config.h'), '#define HAVE_BPF_FRAMEWORK 1\n');
    program = ws.model().programs.find((p) => p.name === 'test_1');
    assert.equal(program?.association.state, 'poisoned');
    assert.equal(program?.decidedBy?.when, undefined);
    assert.deepEqual(ws.model().findings.filter((f) => f.rule === 'poisoned-association').map((f) => f.severity), ['warning']);

    // Decided off: the stub in #else is what the build compiles; it makes no loader call, so no
    // loader decides the state, and the poisoning is what attaching both would do (a note).
    ws.setFile(join(CASE, 'build-config.h'), '#define HAVE_BPF_FRAMEWORK 0\n');
    program = ws.model().programs.find((p) => p.name === 'test_1');
    assert.equal(program?.decidedBy?.loader, null);
    assert.deepEqual(ws.model().findings.filter((f) => f.rule === 'poisoned-association').map((f) => f.severity), ['info']);
  });

  it('a loader whose build compiles only the stub: the note says which loader and which branch, not "no loader"', () => {
    const ws = new Workspace();
    for (const f of [...listCaseFiles(CASE), ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
    ws.setFile(join(CASE, 'build-config.h'), '#define HAVE_BPF_FRAMEWORK 0\n');
    const said = (model: ReturnType<Workspace['model']>): string[] => [
      ...model.findings.filter((f) => f.rule === 'poisoned-association').map((f) => `${f.severity}: ${f.message}`),
      ...model.objects.map((o) => o.scenarios[0]?.description ?? ''),
    ];
    let model = ws.model();
    for (const text of said(model)) {
      assert.doesNotMatch(text, /No loader for this object is in the workspace|no loader found/, text);
      assert.match(text, /main\.c uses its skeleton, but the code that opens it is under `#if HAVE_BPF_FRAMEWORK` \(main\.c:\d+\), which the build of main\.c does not compile/, text);
    }
    assert.match(said(model)[0] ?? '', /^info: /);
    // The same shape inside one function: `#if` around the libbpf calls, `#else` a stub.
    ws.setFile(
      join(CASE, 'main.c'),
      '#include <errno.h>\n#include <bpf/libbpf.h>\n#include "build-config.h"\n#include "guarded.skel.h"\n\nint main(void)\n{\n#if HAVE_BPF_FRAMEWORK\n\tstruct guarded *skel = guarded__open_and_load();\n\n\treturn skel ? guarded__attach(skel) : 1;\n#else\n\treturn -EOPNOTSUPP;\n#endif\n}\n',
    );
    model = ws.model();
    assert.match(said(model)[0] ?? '', /^info: .*the code that opens it is under `#if HAVE_BPF_FRAMEWORK` \(main\.c:8\)/);
    // A loader that opens it in compiled code too: a loader, no such note.
    ws.setFile(join(CASE, 'build-config.h'), '#define HAVE_BPF_FRAMEWORK 1\n');
    model = ws.model();
    assert.deepEqual(model.findings.filter((f) => f.rule === 'poisoned-association').map((f) => f.severity), ['warning']);
    assert.doesNotMatch(model.objects[0]?.scenarios[0]?.description ?? '', /uses its skeleton/);
    // With no loader at all, the note says so as before.
    ws.removeFile(join(CASE, 'main.c'));
    assert.match(said(ws.model())[0] ?? '', /No loader for this object is in the workspace/);
    ws.dispose();
  });
});

describe('loader build conditions inside a function body', () => {
  const BODY = join(ROOT, 'test', 'fixtures', 'cases', 'loader-body-condition');
  const workspace = (main?: string): Workspace => {
    const ws = new Workspace();
    for (const f of [...listCaseFiles(BODY), ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
    if (main !== undefined) ws.setFile(join(BODY, 'main.c'), main);
    return ws;
  };

  before(async () => {
    await loadGrammar();
  });

  it('an undecided #if/#else in main() is two paths, each under its build condition; branches the host does not compile are left out', () => {
    const ws = workspace();
    const model = ws.model();
    const test1 = model.programs.find((p) => p.name === 'test_1');
    assert.equal(test1?.association.state, 'poisoned');
    assert.deepEqual(test1?.byPath?.map((b) => [b.when, b.association.state]), [
      ['the loader is built with `HAVE_SECOND_MAP` (in main() of main.c)', 'poisoned'],
      ['the loader is built without `HAVE_SECOND_MAP` (in main() of main.c)', 'auto'],
    ]);
    const test2 = model.programs.find((p) => p.name === 'test_2');
    assert.deepEqual(test2?.byPath?.map((b) => [b.when, b.association.state === 'auto' ? b.association.map : b.association.state]), [
      ['the loader is built with `HAVE_SECOND_MAP` (in main() of main.c)', 'map_b'],
      ['the loader is built without `HAVE_SECOND_MAP` (in main() of main.c)', 'map_c'],
    ]);
    const poisoned = model.findings.filter((f) => f.rule === 'poisoned-association');
    assert.deepEqual(poisoned.map((f) => [f.program, f.severity]), [['test_1', 'warning']]);
    assert.match(poisoned[0]?.message ?? '', /builds that do poison it/);
    // The arm64-only autocreate change is not compiled on this host, nor is `#else` of `#ifdef __linux__`.
    assert.equal(model.maps.find((m) => m.name === 'map_a')?.autocreate, true);
    ws.dispose();
  });

  it('a skeleton opened under an undecided #if in the body: its lifecycle holds only under that condition', () => {
    const ws = workspace(`#include <errno.h>
#include <bpf/libbpf.h>
#include "build-config.h"
#include "body.skel.h"

int main(void)
{
#if HAVE_BPF_FRAMEWORK
	struct body *skel = body__open_and_load();

	if (!skel)
		return 1;
	bpf_map__attach_struct_ops(skel->maps.map_a);
	bpf_map__attach_struct_ops(skel->maps.map_b);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}
`);
    const test1 = ws.model().programs.find((p) => p.name === 'test_1');
    assert.equal(test1?.association.state, 'poisoned');
    assert.match(test1?.decidedBy?.when ?? '', /^`HAVE_BPF_FRAMEWORK` \(a build condition of main\.c that nothing in the workspace decides: /);
    // The configure step's header decides it: compiled for certain, no condition left.
    ws.setFile(join(BODY, 'build-config.h'), '#define HAVE_BPF_FRAMEWORK 1\n#define HAVE_SECOND_MAP 1\n');
    const decided = ws.model().programs.find((p) => p.name === 'test_1');
    assert.equal(decided?.association.state, 'poisoned');
    assert.equal(decided?.decidedBy?.when, undefined);
    ws.dispose();
  });
});
