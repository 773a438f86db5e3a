// Data-driven: every directory under test/fixtures/cases is one case, and so is every VM fixture
// (test/vm/fixtures/NAME) whose sources mark expectations. Its sources carry their
// expectations inline (see expectations.ts). Each case runs twice: from the sources alone, and
// with the objects and skeletons that clang and bpftool built from them (test/fixtures/build.sh),
// where the compiled object is the ground truth and must lead to the same answers.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { Workspace } from '../../server/src/analysis/workspace';
import { callResultsAt, expectedKeys, findingKeys, listCaseFiles, readExpectations, stateOf, type ExpectedCall } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASES = join(ROOT, 'test', 'fixtures', 'cases');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');
const VM_FIXTURES = join(ROOT, 'test', 'vm', 'fixtures');
const BUILD = join(ROOT, '.build');

/** The cases: name, directory and the shared headers its sources include. */
function cases(): { name: string; dir: string; include: string }[] {
  const analysis = readdirSync(CASES).sort().map((name) => ({ name, dir: join(CASES, name), include: INCLUDE }));
  const vm = readdirSync(VM_FIXTURES)
    .sort()
    .filter((name) => name !== 'include' && statSync(join(VM_FIXTURES, name)).isDirectory() && listCaseFiles(join(VM_FIXTURES, name)).some((f) => /\/\/\s*(expect-state:|<-|\^)/.test(readFileSync(f, 'utf8'))))
    .map((name) => ({ name: `vm/${name}`, dir: join(VM_FIXTURES, name), include: join(VM_FIXTURES, 'include') }));
  return [...analysis, ...vm];
}

function workspaceOf(include: string, files: string[], built: string[] = []): Workspace {
  const ws = new Workspace();
  for (const f of [...files, ...built]) ws.setFile(f, readFileSync(f));
  for (const f of listCaseFiles(include)) ws.setFile(f, readFileSync(f));
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
    // The VM fixtures' objects and skeletons (test/vm/fixtures/build.sh skips what is current).
    execFileSync('bash', [join(VM_FIXTURES, 'build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  for (const { name, dir, include } of cases()) {
    const files = listCaseFiles(dir);
    const expected = readExpectations(files);
    const caseFiles = new Set(files);

    describe(name, () => {
      it('from source: findings and states as marked', () => {
        const ws = workspaceOf(include, files);
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
          const ws = workspaceOf(include, files, built);
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
