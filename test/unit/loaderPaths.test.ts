// Path-sensitive loader reading on real parsed C: the wording of a poisoning that holds on some
// paths only, what decided each state, the no-loader note, and the cap on paths.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { LoaderFacts } from '../../server/src/analysis/facts';
import { MAX_PATHS } from '../../server/src/analysis/loader/paths';
import { Workspace } from '../../server/src/analysis/workspace';
import { listCaseFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASES = join(ROOT, 'test', 'fixtures', 'cases');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');

function modelOf(files: string[], extra: Record<string, string> = {}) {
  const ws = new Workspace();
  for (const f of [...files, ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
  for (const [name, text] of Object.entries(extra)) ws.setFile(name, text);
  const model = ws.model();
  return { ws, model };
}

describe('loader paths', () => {
  before(async () => {
    await loadGrammar();
  });

  it('a loop over a local array of maps: each run names its element; short-circuits skip their right side', () => {
    const { model } = modelOf(listCaseFiles(join(CASES, 'loader-short-circuit')));
    // for (i = 0; i < 2; i++) assoc(probe, maps[i]): i is 0 on the first run, 1 on the second.
    assert.deepEqual(
      model.associationCalls.map((c) => [c.program, c.map, c.predicted.result]),
      [['probe', 'arr_a', 0], ['probe', 'arr_b', 'EBUSY']],
    );
    const state = (name: string) => model.programs.find((p) => p.name === name)?.association;
    assert.deepEqual(state('probe'), { state: 'explicit', map: 'arr_a', calls: [model.associationCalls[0]?.location] });
    // `err ?: f()` with err = -1, `dry_run || f()`, `!dry_run && f()` with dry_run true: no attach.
    assert.equal(state('skipped_prog')?.state, 'none');
  });

  it('says on which path a program is poisoned, and which loader decided each state', () => {
    const { ws, model } = modelOf(listCaseFiles(join(CASES, 'loader-paths')));
    const both = model.findings.find((f) => f.rule === 'poisoned-association' && f.program === 'both_shared');
    assert.ok(both, 'both_shared is reported');
    assert.equal(both.severity, 'warning');
    assert.match(both.message, /on the path where `mode == 1 && both` \(in run_two\(\) of loader\.c\)/);
    const exit = model.programs.find((p) => p.name === 'exit_shared');
    assert.equal(exit?.decidedBy?.loader?.endsWith('loader-paths/loader.c'), true);
    assert.equal(exit?.decidedBy?.kind, 'c');
    assert.equal(exit?.decidedBy?.lifecycle, 'in run_one()');
    assert.match(exit?.decidedBy?.when ?? '', /^`cbs`/);
    assert.deepEqual(exit?.byPath?.map((b) => [b.association.state, b.association.state === 'auto' ? b.association.map : '']), [['auto', 'cb_ops'], ['auto', 'nocb_ops']]);
    ws.dispose();
  });

  it('with no loader, says what attaching would do and that no loader decided it', () => {
    const { ws, model } = modelOf(listCaseFiles(join(CASES, 'no-loader')));
    const p = model.programs.find((x) => x.name === 'ca_shared');
    assert.deepEqual(p?.decidedBy, { loader: null, kind: null, paths: 1 });
    assert.ok(model.maps.every((m) => !m.attached), 'no map is claimed attached');
    const f = model.findings.find((x) => x.rule === 'poisoned-association');
    assert.equal(f?.severity, 'info');
    assert.match(f?.message ?? '', /No loader for this object is in the workspace/);
    ws.dispose();
  });

  it('keeps a loader with many independent branches bounded, and says it was capped', () => {
    const branches = Array.from({ length: 40 }, (_, i) => `\tif (argc > ${i})\n\t\tbpf_map__attach_struct_ops(skel->maps.${i % 2 ? 'map_x' : 'map_y'});`).join('\n');
    const loader = `#include "paths.skel.h"\nint main(int argc, char **argv)\n{\n\tstruct paths *skel = paths__open_and_load();\n${branches}\n\tpaths__destroy(skel);\n\treturn 0;\n}\n`;
    const file = join(CASES, 'loader-paths', 'generated-many-branches.c');
    const bpf = listCaseFiles(join(CASES, 'loader-paths')).filter((f) => f.endsWith('.bpf.c'));
    const started = process.cpuUsage().user;
    const { ws, model } = modelOf(bpf, { [file]: loader });
    const ms = (process.cpuUsage().user - started) / 1000;
    const facts = ws.facts(file) as LoaderFacts;
    const life = facts.lifecycles?.[0];
    assert.ok(life, 'one lifecycle');
    assert.ok(life.paths.length <= MAX_PATHS, `${life.paths.length} paths`);
    assert.equal(life.truncated, true);
    assert.equal(model.programs.find((p) => p.name === 'both_shared')?.decidedBy?.truncated, true);
    assert.ok(ms < 5000, `${ms} ms`);
    ws.dispose();
  });

  it('reads deeply nested loops within its work budget, and says where loops were read as running once', () => {
    // Each loop runs its body 0, 1 or 2 times: 40 nested loops ran the innermost call 2^40 times (fuzz c-loader-20-957).
    const loops = Array.from({ length: 40 }, () => '\tfor (int i = 0; i < 2; i++)\n').join('');
    const loader = `#include "paths.skel.h"\nint main(void)\n{\n\tstruct paths *skel = paths__open_and_load();\n${loops}\t\tbpf_map__attach_struct_ops(skel->maps.map_x);\n\tpaths__destroy(skel);\n\treturn 0;\n}\n`;
    const file = join(CASES, 'loader-paths', 'generated-nested-loops.c');
    const bpf = listCaseFiles(join(CASES, 'loader-paths')).filter((f) => f.endsWith('.bpf.c'));
    const { ws } = modelOf(bpf, { [file]: loader });
    const facts = ws.facts(file) as LoaderFacts;
    const life = facts.lifecycles?.[0];
    assert.ok(life, 'one lifecycle');
    assert.equal(life.truncated, true);
    assert.ok(life.paths.some((p) => p.actions.some((a) => a.kind === 'attach_struct_ops')), 'the attach is read');
    const note = facts.problems.find((p) => p.rule === 'parse-limit');
    assert.match(note?.message ?? '', /generated-nested-loops\.c: reading the loops of this loader ran past its work budget \(200,000 steps\) at line \d+/);
    ws.dispose();
  });
});

describe('sched_ext loader macros', () => {
  before(async () => {
    await loadGrammar();
  });

  it("Linux 7.3's SCX_OPS_CID_OPEN opens the skeleton as SCX_OPS_OPEN does", () => {
    const dir = join(CASES, 'scx-ops-load');
    const files = listCaseFiles(dir).filter((f) => !f.endsWith('main.c'));
    const cid = readFileSync(join(dir, 'main.c'), 'utf8').replace('SCX_OPS_OPEN(', 'SCX_OPS_CID_OPEN(');
    assert.ok(cid.includes('SCX_OPS_CID_OPEN(minimal_ops, minimal)'));
    const { ws, model } = modelOf(files, { [join(dir, 'main.c')]: cid });
    const facts = ws.facts(join(dir, 'main.c')) as LoaderFacts;
    assert.equal(facts.actions[0]?.kind, 'open');
    const explicit = model.programs.filter((p) => p.association.state === 'explicit').map((p) => p.name);
    assert.ok(explicit.length > 0, 'SCX_OPS_LOAD associates the non-struct_ops programs');
  });
});
