// Loader calls whose on/off value only the run knows split the path as an `if` does, and a build
// condition reads as the build's, not as a test the loader makes at run time. Real parser, real
// fixtures (cases/loader-runtime-values, cases/loader-body-condition).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { listCaseFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASES = join(ROOT, 'test', 'fixtures', 'cases');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');

function modelOf(caseName: string) {
  const ws = new Workspace();
  for (const f of [...listCaseFiles(join(CASES, caseName)), ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
  return { ws, model: ws.model() };
}

describe('run-time on/off values and build conditions in loader paths', () => {
  before(async () => {
    await loadGrammar();
  });

  it('splits the path on set_autoload/set_autocreate values the run decides, `!x` the opposite of `x`', () => {
    const { ws, model } = modelOf('loader-runtime-values');
    const program = (name: string) => model.programs.find((p) => p.name === name);
    const states = (name: string) => (program(name)?.byPath ?? []).map((b) => [b.association.state, b.when]);
    // probe_raw is set to `!has_eth`: not loaded exactly where `has_eth`, loaded where `!has_eth`.
    assert.deepEqual(states('probe_raw'), [
      ['not-loaded', '`use_b && has_eth` or `!use_b && has_eth` (in start() of main.c)'],
      ['none', '`use_b && !has_eth` or `!use_b && !has_eth` (in start() of main.c)'],
    ]);
    assert.deepEqual(states('probe_eth').map(([s]) => s), ['none', 'not-loaded']);
    // map_b is created (and attached) only where `use_b`: the poisoning is said to hold there only.
    const f = model.findings.find((x) => x.rule === 'poisoned-association' && x.program === 'shared_prog');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.message ?? '', /on the path where `use_b && has_eth` or `use_b && !has_eth` \(in start\(\) of main\.c\)/);
    assert.deepEqual(states('shared_prog').map(([s]) => s), ['poisoned', 'auto']);
    ws.dispose();
  });

  it('a value set on both sides of an unforked branch is either, not the last side read', () => {
    // `if (argc > 1) eth = true; else eth = false;` has no loader call on either side: read in turn,
    // it left eth false and probe_eth "not loaded" for certain.
    const dir = join(CASES, 'loader-runtime-values');
    const loader = `#include <stdbool.h>\n#include <bpf/libbpf.h>\n#include "values.skel.h"\nint main(int argc, char **argv)\n{\n\tstruct values *skel = values__open();\n\tbool eth;\n\n\tif (!skel)\n\t\treturn 1;\n\tif (argc > 1)\n\t\teth = true;\n\telse\n\t\teth = false;\n\tbpf_program__set_autoload(skel->progs.probe_eth, eth);\n\tvalues__load(skel);\n\tvalues__destroy(skel);\n\treturn 0;\n}\n`;
    const ws = new Workspace();
    for (const f of [join(dir, 'values.bpf.c'), ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
    ws.setFile(join(dir, 'generated-in-turn.c'), loader);
    const model = ws.model();
    const probe = model.programs.find((p) => p.name === 'probe_eth');
    assert.deepEqual(probe?.byPath?.map((b) => [b.association.state, b.when]), [
      ['none', '`eth` (in main() of generated-in-turn.c)'],
      ['not-loaded', '`!eth` (in main() of generated-in-turn.c)'],
    ]);
    ws.dispose();
  });

  it('says a build condition as the build\'s: "the loader is built with `HAVE_SECOND_MAP`"', () => {
    const { ws, model } = modelOf('loader-body-condition');
    const p = model.programs.find((x) => x.name === 'test_1');
    assert.equal(p?.decidedBy?.when, 'the loader is built with `HAVE_SECOND_MAP` (in main() of main.c)');
    assert.deepEqual(p?.byPath?.map((b) => b.when), ['the loader is built with `HAVE_SECOND_MAP` (in main() of main.c)', 'the loader is built without `HAVE_SECOND_MAP` (in main() of main.c)']);
    ws.dispose();
  });
});
