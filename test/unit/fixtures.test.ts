// Data-driven: every directory under test/fixtures/cases is one case. Its sources carry their
// expectations inline (see expectations.ts). Each case runs twice: from the sources alone, and
// with the objects and skeletons that clang and bpftool built from them (test/fixtures/build.sh),
// where the compiled object is the ground truth and must lead to the same answers.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { Workspace } from '../../server/src/analysis/workspace';
import { callResultsAt, expectedKeys, findingKeys, listCaseFiles, readExpectations, stateOf, type ExpectedCall } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASES = join(ROOT, 'test', 'fixtures', 'cases');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');
const BUILD = join(ROOT, '.build');

function workspaceOf(files: string[], built: string[] = []): Workspace {
  const ws = new Workspace();
  for (const f of [...files, ...built]) ws.setFile(f, readFileSync(f));
  for (const f of listCaseFiles(INCLUDE)) ws.setFile(f, readFileSync(f));
  return ws;
}

/** The objects and skeletons test/fixtures/build.sh made for a case, subdirectories included. */
function builtFiles(caseDir: string): string[] {
  const dir = join(BUILD, relative(ROOT, caseDir));
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((n) => n.endsWith('.bpf.o') || n.endsWith('.skel.h'))
    .map((n) => join(dir, n));
}

function assertCalls(model: WorkspaceModel, calls: ExpectedCall[]): void {
  for (const c of calls) {
    const where = `${c.file.split('/').slice(-2).join('/')}:${c.line + 1}`;
    const got = callResultsAt(model, c);
    assert.ok(got.length, `no association call starts at ${where}`);
    assert.deepEqual(got, got.map(() => c.result), `predicted result of the call at ${where}`);
  }
}

function compiles(files: string[]): boolean {
  return files.some((f) => f.endsWith('.bpf.c') && !readFileSync(f, 'utf8').startsWith('// fixture: no-compile'));
}

describe('fixtures', () => {
  before(async () => {
    await loadGrammar();
  });

  for (const name of readdirSync(CASES).sort()) {
    const dir = join(CASES, name);
    const files = listCaseFiles(dir);
    const expected = readExpectations(files);
    const caseFiles = new Set(files);

    describe(name, () => {
      it('from source: findings and states as marked', () => {
        const ws = workspaceOf(files);
        const model = ws.model();
        assert.deepEqual(findingKeys(model, caseFiles), expectedKeys(expected.findings), 'findings');
        for (const s of expected.states) {
          assert.equal(stateOf(model, s.program), [s.state, ...s.maps].join(' '), `state of ${s.program}`);
        }
        assertCalls(model, expected.calls);
        ws.dispose();
      });

      if (compiles(files)) {
        it('with its compiled object and skeleton: the same answers, nothing stale', () => {
          const built = builtFiles(dir);
          assert.ok(built.length, `no objects or skeletons for ${name} in .build/: run npm run fixtures (test/fixtures/build.sh)`);
          const ws = workspaceOf(files, built);
          const model = ws.model();
          const outside = model.findings.filter((f) => !caseFiles.has(f.location.file));
          assert.deepEqual(outside.map((f) => `${f.rule} ${f.location.file}: ${f.message}`), [], 'findings in build outputs');
          assert.deepEqual(findingKeys(model, caseFiles), expectedKeys(expected.findings), 'findings');
          for (const s of expected.states) {
            assert.equal(stateOf(model, s.program), [s.state, ...s.maps].join(' '), `state of ${s.program}`);
          }
          assertCalls(model, expected.calls);
          for (const o of model.objects) if (o.skeletons.length) assert.equal(o.truth, 'skeleton', `${o.id} follows its skeleton`);
          ws.dispose();
        });
      }
    });
  }
});
