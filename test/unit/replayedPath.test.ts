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
    assert.deepEqual(model.objects[0]?.scenarios[0]?.replays, { when: '`use_b && has_eth` (in start() of main.c)', attaches: ['map_a', 'map_b'], notLoaded: ['probe_raw'], notCreated: [] });
    assert.deepEqual(buildPlan(model, 'values').attach.map((a) => a.map), ['map_a', 'map_b']);
    ws.dispose();
  });

  it("sets autoload as the path it follows does, not as the model's first path", () => {
    // map_b is attached only where `!has_eth`: the first path (`use_b && has_eth`) poisons nothing,
    // the run follows `use_b && !has_eth`, where probe_eth is not loaded and probe_raw is.
    const loader = readFileSync(join(REPO, 'test/fixtures/cases/loader-runtime-values/main.c'), 'utf8').replace('if (use_b)', 'if (!has_eth)');
    const ws = new Workspace();
    for (const f of [...listCaseFiles(join(REPO, 'test/fixtures/cases', 'loader-runtime-values')).filter((f) => !f.endsWith('main.c')), ...listCaseFiles(join(REPO, 'test/fixtures/include'))]) ws.setFile(f, readFileSync(f));
    for (const f of ['values.bpf.o', 'values.skel.h']) ws.setFile(builtPath('loader-runtime-values', f), readFileSync(builtPath('loader-runtime-values', f)));
    ws.setFile(join(REPO, 'test/fixtures/cases/loader-runtime-values/generated-eth.c'), loader);
    const model = ws.model();
    assert.equal(model.programs.find((p) => p.name === 'probe_eth')?.autoload, true, "loaded on the model's first path");
    const plan = buildPlan(model, 'values');
    assert.deepEqual(plan.attach.map((a) => a.map), ['map_a', 'map_b']);
    assert.ok(plan.notes.some((n) => n.includes('this run follows the path where `use_b && !has_eth`')), plan.notes.join('\n'));
    assert.deepEqual(plan.autoload, [{ program: 'probe_eth', value: false }]);
    ws.dispose();
  });
});
