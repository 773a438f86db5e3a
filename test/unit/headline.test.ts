// An object with several loaders (pcp's PMDA and bcc's tool): the headline state and the loader it
// holds for, named so that two loaders of the same file name are told apart.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { decidedSuffix } from '../../server/src/features/describe';
import { programHover } from '../../server/src/features/hoverText';
import { view } from './hostileNames';
import { listCaseFiles } from './expectations';
import { headlineOf } from '../../server/src/analysis/engine/headline';
import type { ReplayOutcome } from '../../server/src/analysis/engine/pathReplay';
import type { AssociationState } from '../../server/src/analysis/model';

const ROOT = resolve(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'fixtures', 'cases', 'two-loaders');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');

function workspace(rename: (f: string) => string = (f) => f): Workspace {
  const ws = new Workspace();
  for (const f of [...listCaseFiles(CASE), ...listCaseFiles(INCLUDE)]) ws.setFile(rename(f), readFileSync(f));
  return ws;
}

describe('headline state over several loaders', () => {
  before(async () => {
    await loadGrammar();
  });

  it('poisoned when one loader attaches both maps, said to hold when loaded by it; each loader kept', () => {
    const ws = workspace();
    const p = ws.model().programs.find((x) => x.name === 'test_1');
    assert.equal(p?.association.state, 'poisoned');
    assert.equal(p?.decidedBy?.when, 'loaded by pmda.c');
    assert.equal(p?.decidedBy?.scenario, 1);
    assert.equal(p && decidedSuffix(p), ' when loaded by pmda.c');
    assert.deepEqual(p?.byScenario.map((s) => [s.scenario.loader?.split('/').slice(-2).join('/'), s.association.state]), [['bcc/tool.c', 'auto'], ['pcp/pmda.c', 'poisoned']]);
    const model = ws.model();
    const hover = programHover(view(ws, model), model.programs.find((x) => x.name === 'test_1') ?? assert.fail('no test_1'));
    assert.match(hover, /Only when loaded by pmda\.c \(each loader's state is under \*\*By loader\*\* below\)\./);
    assert.match(hover, /\*\*By loader:\*\*\n- as loaded by tool\.c[^\n]*: .*map_a/);
    ws.dispose();
  });

  it('two loaders of one file name are told apart by their directories', () => {
    const ws = workspace((f) => f.replace(/\/(?:tool|pmda)\.c$/, '/biosnoop.c'));
    const p = ws.model().programs.find((x) => x.name === 'test_1');
    assert.equal(p?.association.state, 'poisoned');
    assert.equal(p?.decidedBy?.when, 'loaded by pcp/biosnoop.c');
    ws.dispose();
  });
});

describe('headline state when a scenario lacks the program', () => {
  const auto = (map: string): AssociationState => ({ state: 'auto', map, slots: [] });
  const outcome = (loader: string, programs: [string, AssociationState][]): ReplayOutcome => ({
    scenario: { loader, description: `as loaded by ${loader}` },
    programs: new Map(programs.map(([n, association]) => [n, { autoload: true, association }])),
    maps: new Map(),
    calls: [],
    findings: [],
    loadFails: false,
    attachedBy: new Map(),
    decidedBy: new Map(programs.map(([n]) => [n, { loader, kind: 'c', paths: 1 }])),
    byPath: new Map(),
  });

  it('takes the first scenario that has it, not the first scenario', () => {
    const outcomes = [outcome('a.c', [['p', auto('map_a')]]), outcome('b.c', [['p', auto('map_a')], ['q', auto('map_b')]]), outcome('c.c', [['q', auto('map_c')]])];
    const q = headlineOf(outcomes, 'q');
    assert.ok(q, 'q has a headline');
    assert.deepEqual(q.association, auto('map_b'));
    assert.equal(q.decided.decidedBy?.loader, 'b.c');
    assert.equal(q.decided.decidedBy?.scenario, 1);
    // c.c disagrees (map_c): the headline says which loader it holds for; a.c, which lacks q, is no disagreement.
    assert.equal(q.decided.decidedBy?.when, 'loaded by b.c');
    const p = headlineOf(outcomes, 'p');
    assert.equal(p?.decided.decidedBy?.scenario, 0);
    assert.equal(p?.decided.decidedBy?.when, undefined, 'b.c agrees, c.c lacks p');
    assert.equal(headlineOf(outcomes, 'r'), null);
  });
});
