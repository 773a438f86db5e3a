// The diagnostics publisher's index of the program each finding is about gives what
// targets.ts programOfFinding gives, for every finding of the examples and of every fixture case
// (findings of an object, and findings about a file, which have none).
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadWorkspace } from '../../server/src/node/scan';
import { FindingPrograms } from '../../server/src/features/findingPrograms';
import { programOfFinding } from '../../server/src/features/targets';

const ROOT = join(__dirname, '..', '..');

describe('the program of a finding, from an index per model', function () {
  this.timeout(120_000);
  before(loadGrammar);

  it('equals programOfFinding for every finding of the examples and the fixture cases', () => {
    const cases = join(ROOT, 'test/fixtures/cases');
    const dirs = [join(ROOT, 'examples'), ...readdirSync(cases).map((c) => join(cases, c))];
    const index = new FindingPrograms();
    let withProgram = 0;
    let withoutObject = 0;
    for (const dir of dirs) {
      const { workspace } = loadWorkspace([dir]);
      const model = workspace.model();
      for (const f of model.findings) {
        const want = programOfFinding(model, f);
        assert.equal(index.programOf(model, f), want, `${dir}: ${f.rule} at ${f.location.file}:${f.location.range.start.line}`);
        if (want) withProgram++;
        if (f.object === undefined) withoutObject++;
      }
      workspace.dispose();
    }
    assert.ok(withProgram > 20 && withoutObject > 0, `${withProgram} findings with a program, ${withoutObject} without an object`);
  });
});
