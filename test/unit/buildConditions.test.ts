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
});
