// Issue 12, defect 2: one bad file must not blank the workspace. A real bpftool skeleton rewritten
// into the older format (`*sz = N; return (const void *)"...";`) with an absurd declared size made
// the whole model build throw (RangeError: Invalid typed array length). The size is now bounded by
// the file, and any failure left in one file's analysis is a finding on that file.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { readSkeleton } from '../../server/src/analysis/skeleton';
import { Workspace } from '../../server/src/analysis/workspace';
import { builtText, ensureFixturesBuilt, REPO } from './builtFixtures';

const CASE = join(REPO, 'test/fixtures/cases/poisoned-shared');
const BAD = join(CASE, 'build/calls.skel.h');

/** bpftool before v7.3: `*sz = N; return (const void *)"...";`, here with the size given. */
function olderFormat(text: string, size: string): string {
  const older = text
    .replace(/static const char data\[\] __attribute__\(\(__aligned__\(8\)\)\) = "/, `*sz = ${size};\n\treturn (const void *)"`)
    .replace(/\n\n\t\*sz = sizeof\(data\) - 1;\n\treturn \(const void \*\)data;/, '');
  assert.ok(older !== text && !older.includes('sizeof(data)'));
  return older;
}

function caseModel(extra?: [string, string]): WorkspaceModel {
  const ws = new Workspace();
  for (const name of readdirSync(CASE).sort()) ws.setFile(join(CASE, name), readFileSync(join(CASE, name)), 1);
  if (extra) ws.setFile(extra[0], extra[1], 2);
  const model = ws.model();
  ws.dispose();
  return model;
}

const elsewhere = (m: WorkspaceModel): string[] =>
  m.findings.filter((f) => f.location.file !== BAD).map((f) => `${f.rule} ${f.location.file.split('/').pop()}:${f.location.range.start.line + 1} ${f.message}`);

describe('one bad file does not blank the workspace (issue 12, defect 2)', () => {
  let huge = '';
  before(async () => {
    ensureFixturesBuilt();
    await loadGrammar();
    huge = olderFormat(builtText('elf-calls', 'calls.skel.h'), '99999999999999999999');
  });

  it('a skeleton declaring *sz = 99999999999999999999 is a malformed-skeleton finding, not a RangeError', () => {
    const facts = readSkeleton(huge, BAD);
    assert.equal(facts.embedded, null);
    assert.deepEqual(facts.problems.map((p) => p.rule), ['malformed-skeleton']);
    assert.match(facts.problems[0]?.message ?? '', /99999999999999999999/);
    assert.match(facts.problems[0]?.message ?? '', /bytes/);
  });

  it('every other file is analysed as before, and the bad skeleton gets a finding of its own', () => {
    const clean = caseModel();
    const withBad = caseModel([BAD, huge]);
    assert.ok(clean.programs.length > 0);
    assert.deepEqual(withBad.programs.map((p) => `${p.id} ${p.association.state}`), clean.programs.map((p) => `${p.id} ${p.association.state}`));
    assert.deepEqual(elsewhere(withBad), elsewhere(clean));
    assert.deepEqual(withBad.findings.filter((f) => f.location.file === BAD).map((f) => f.rule), ['malformed-skeleton']);
  });
});
