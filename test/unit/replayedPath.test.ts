// A VM plan replays one feasible path of its scenario, never the union of the paths' maps: with
// the union, loader-body-condition's run would attach map_a, map_b and map_c together and test_2
// would read poisoned, which no build of its loader does. Real parser, real clang objects and
// bpftool skeletons (test/fixtures/build.sh).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { buildPlan } from '../../remote/src/plan';
import { builtPath, ensureFixturesBuilt, REPO } from './builtFixtures';
import { listCaseFiles } from './expectations';

function modelOf(caseName: string, built: string[]) {
  const ws = new Workspace();
  const files = [...listCaseFiles(join(REPO, 'test/fixtures/cases', caseName)), ...listCaseFiles(join(REPO, 'test/fixtures/include')), ...built.map((f) => builtPath(caseName, f))];
  for (const f of files) ws.setFile(f, readFileSync(f));
  return { ws, model: ws.model() };
}

describe('remote: a plan follows one loader path', () => {
  before(async function () {
    this.timeout(120_000);
    ensureFixturesBuilt();
    await loadGrammar();
  });

  it('attaches the maps of the path it says it replays (the poisoning one), not every path\'s', () => {
    const { ws, model } = modelOf('loader-body-condition', ['body.bpf.o', 'body.skel.h']);
    assert.deepEqual(
      model.maps.filter((m) => m.attached).map((m) => m.name),
      ['map_a', 'map_b', 'map_c'],
      'some path attaches each map',
    );
    const plan = buildPlan(model, 'body');
    assert.deepEqual(plan.attach.map((a) => a.map), ['map_a', 'map_b']);
    assert.ok(
      plan.notes.includes("main.c's paths attach different maps: this run follows the path where the loader is built with `HAVE_SECOND_MAP` (in main() of main.c), which attaches map_a, map_b."),
      plan.notes.join('\n'),
    );
    ws.dispose();
  });

  it('a map created only on some paths (set_autocreate with a run-time value): the run follows the path where it is', () => {
    const { ws, model } = modelOf('loader-runtime-values', ['values.bpf.o', 'values.skel.h']);
    assert.deepEqual(model.objects[0]?.scenarios[0]?.replays, { when: '`use_b && has_eth` (in start() of main.c)', attaches: ['map_a', 'map_b'] });
    assert.deepEqual(buildPlan(model, 'values').attach.map((a) => a.map), ['map_a', 'map_b']);
    ws.dispose();
  });
});
