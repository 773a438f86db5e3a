// Plans built from real models: the VM fixtures' sources, loaders and the objects and skeletons
// clang and bpftool built from them (test/vm/fixtures/build.sh).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { agentArgs, buildPlan, PlanError } from '../../remote/src/plan';
import { shippedBytes, skeletonObjectBytes } from '../../remote/src/shipped';
import { REPO } from './builtFixtures';

const FIXTURES = join(REPO, 'test/vm/fixtures');
const BUILT = join(REPO, '.build/test/vm/fixtures');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** A workspace over a fixture case, its build outputs (when `built`) and the shared header. */
function vmFixtureWorkspace(name: string, o: { built?: 'all' | 'object' | 'none' } = {}): Workspace {
  const ws = new Workspace();
  const built = o.built ?? 'all';
  const paths = [...files(join(FIXTURES, name)), ...files(join(FIXTURES, 'include'))];
  if (built !== 'none') paths.push(...files(join(BUILT, name)).filter((p) => built === 'all' || p.endsWith('.bpf.o')));
  for (const p of paths) ws.setFile(p, readFileSync(p));
  return ws;
}

const read = (p: string): Uint8Array | null => new Uint8Array(readFileSync(p));

describe('remote: plans from the model', () => {
  before(async function () {
    this.timeout(60_000);
    await loadGrammar();
    execFileSync('bash', [join(FIXTURES, 'build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  it('replays the loader\'s calls, attaches the map, ships the skeleton\'s object', () => {
    const plan = buildPlan(vmFixtureWorkspace('ca-struct-ops').model(), 'ca_struct_ops');
    assert.equal(plan.mode, 'loader');
    assert.equal(plan.shipped.kind, 'skeleton');
    assert.equal(plan.shipped.remoteName, 'ca_struct_ops.bpf.o');
    assert.deepEqual(
      plan.associations.map((a) => [a.index, a.phase, a.api, a.program, a.map, a.flags, a.predicted.result]),
      [
        [0, 'loaded', 'libbpf', 'bpfa_probe', 'bpfa_ca', 0, 0],
        [1, 'loaded', 'libbpf', 'bpfa_ssthresh', 'bpfa_ca', 0, 'EINVAL'],
      ],
    );
    assert.ok(plan.associations.every((a) => a.source.location?.file.endsWith('ca-struct-ops/loader.c')));
    assert.deepEqual(plan.attach.map((m) => m.map), ['bpfa_ca']);
    assert.deepEqual(plan.programs.map((p) => `${p.name}:${p.predicted}`).sort(), ['bpfa_cong_avoid:auto', 'bpfa_probe:explicit', 'bpfa_ssthresh:auto', 'bpfa_undo_cwnd:auto']);
    assert.equal(plan.loadFails, false);
  });

  it('a loader with two lifecycles: the plan replays the first, and says so', () => {
    const ws = vmFixtureWorkspace('ca-link');
    const loader = join(FIXTURES, 'ca-link', 'loader.c');
    // Two cases, each opening the skeleton: the second associates nothing and attaches nothing.
    const twice = `#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ca_link.skel.h"
static int first_case(void)
{
	struct ca_link *skel = ca_link__open_and_load();
	bpf_prog_assoc_struct_ops(bpf_program__fd(skel->progs.bpfa_link_probe), bpf_map__fd(skel->maps.bpfa_ca_link), NULL);
	return ca_link__attach(skel);
}
static int second_case(void)
{
	struct ca_link *skel = ca_link__open_and_load();
	bpf_program__assoc_struct_ops(skel->progs.bpfa_link_probe, skel->maps.bpfa_ca_link, NULL);
	return 0;
}
int main(void) { return first_case() || second_case(); }
`;
    ws.setFile(loader, twice);
    const model = ws.model();
    assert.deepEqual(model.objects.find((o) => o.id === 'ca_link')?.scenarios.map((s) => [s.lifecycle, s.description]), [
      [0, 'as loaded by loader.c (in first_case())'],
      [1, 'as loaded by loader.c (in second_case())'],
    ]);
    const plan = buildPlan(model, 'ca_link');
    assert.deepEqual(plan.associations.map((a) => [a.api, a.program, a.map]), [['syscall', 'bpfa_link_probe', 'bpfa_ca_link']]);
    assert.match(plan.notes.join('\n'), /opens the skeleton 2 times; this run replays the first lifecycle/);
  });

  it('attaches the maps the scenario it runs attaches, not those another lifecycle or loader attaches', () => {
    const ws = vmFixtureWorkspace('ca-link');
    const dir = join(FIXTURES, 'ca-link');
    // The first case associates and attaches nothing; the second attaches the map.
    ws.setFile(
      join(dir, 'loader.c'),
      `#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ca_link.skel.h"
static int first_case(void)
{
	struct ca_link *skel = ca_link__open_and_load();
	bpf_prog_assoc_struct_ops(bpf_program__fd(skel->progs.bpfa_link_probe), bpf_map__fd(skel->maps.bpfa_ca_link), NULL);
	ca_link__destroy(skel);
	return 0;
}
static int second_case(void)
{
	struct ca_link *skel = ca_link__open_and_load();
	return ca_link__attach(skel);
}
int main(void) { return first_case() || second_case(); }
`,
    );
    let model = ws.model();
    assert.equal(model.maps.find((m) => m.name === 'bpfa_ca_link')?.attached, true, 'some scenario attaches it');
    let plan = buildPlan(model, 'ca_link');
    assert.deepEqual(plan.associations.map((a) => [a.program, a.map]), [['bpfa_link_probe', 'bpfa_ca_link']]);
    assert.deepEqual(plan.attach, [], 'the first lifecycle, which the run replays, attaches nothing');
    assert.deepEqual(plan.programs.filter((p) => p.kind === 'struct_ops').map((p) => p.predicted), ['none', 'none', 'none']);
    // Another loader attaches it; the one the run replays does not.
    ws.setFile(join(dir, 'tool.c'), '#include "ca_link.skel.h"\nint main(void) { struct ca_link *s = ca_link__open_and_load(); return ca_link__attach(s); }\n');
    ws.setFile(join(dir, 'loader.c'), readFileSync(join(dir, 'loader.c'), 'utf8').replace(/\tif \(ca_link__attach\(skel\)\)\n\t\treturn 1;\n/, ''));
    model = ws.model();
    assert.deepEqual(model.objects.find((o) => o.id === 'ca_link')?.scenarios.map((s) => s.loader?.split('/').pop()), ['loader.c', 'tool.c']);
    plan = buildPlan(model, 'ca_link', { loader: join(dir, 'loader.c') });
    assert.equal(plan.loader, join(dir, 'loader.c'));
    assert.deepEqual(plan.attach, []);
    // The loader that does attach it: attached.
    ws.setFile(join(dir, 'loader.c'), readFileSync(join(dir, 'loader.c')));
    plan = buildPlan(ws.model(), 'ca_link', { loader: join(dir, 'loader.c') });
    assert.deepEqual(plan.attach.map((m) => m.map), ['bpfa_ca_link']);
    ws.dispose();
  });

  it('the fd-based call becomes a raw syscall step', () => {
    const plan = buildPlan(vmFixtureWorkspace('ca-link').model(), 'ca_link');
    assert.deepEqual(plan.associations.map((a) => [a.api, a.program, a.map]), [['syscall', 'bpfa_link_probe', 'bpfa_ca_link']]);
  });

  it('"associate every non-struct_ops program" as SCX_OPS_LOAD does', () => {
    const plan = buildPlan(vmFixtureWorkspace('ca-struct-ops').model(), 'ca_struct_ops', { associateAllWith: 'bpfa_ca' });
    assert.equal(plan.mode, 'associate-all');
    assert.deepEqual(plan.associations.map((a) => [a.program, a.map, a.api, a.predicted.result, a.source.api]), [['bpfa_probe', 'bpfa_ca', 'libbpf', 0, 'associate-all']]);
    assert.throws(() => buildPlan(vmFixtureWorkspace('ca-struct-ops').model(), 'ca_struct_ops', { associateAllWith: 'nope' }), PlanError);
  });

  it('without a skeleton the .bpf.o is shipped under its own name', () => {
    const plan = buildPlan(vmFixtureWorkspace('ca-link', { built: 'object' }).model(), 'ca_link');
    assert.equal(plan.shipped.kind, 'object');
    assert.equal(plan.shipped.remoteName, 'ca_link.bpf.o');
  });

  it('an object with no compiled form or an unknown id is a clear error', () => {
    assert.throws(() => buildPlan(vmFixtureWorkspace('ca-link', { built: 'none' }).model(), 'ca_link'), /no compiled form/);
    assert.throws(() => buildPlan(vmFixtureWorkspace('ca-link').model(), 'nope'), /no object nope/);
  });

  it('the skeleton embeds exactly the object clang built', () => {
    const skel = join(BUILT, 'ca-link/ca_link.skel.h');
    assert.deepEqual(Buffer.from(skeletonObjectBytes(readFileSync(skel, 'utf8'), skel)), readFileSync(join(BUILT, 'ca-link/ca_link.bpf.o')));
    const plan = buildPlan(vmFixtureWorkspace('ca-link').model(), 'ca_link');
    assert.equal(shippedBytes(plan, read).length, statSync(join(BUILT, 'ca-link/ca_link.bpf.o')).size);
  });

  it('a plan without a loader loads and attaches only, and says so', () => {
    const ws = new Workspace();
    for (const p of [join(FIXTURES, 'ca-struct-ops/ca_struct_ops.bpf.c'), join(FIXTURES, 'include/tcp_ca.h'), join(BUILT, 'ca-struct-ops/ca_struct_ops.bpf.o')]) ws.setFile(p, readFileSync(p));
    const plan = buildPlan(ws.model(), 'ca_struct_ops');
    assert.equal(plan.mode, 'none');
    assert.deepEqual(plan.associations, []);
    assert.match(plan.notes.join(' '), /No loader/);
  });

  it('agent argv: one element per value, attach only where allowed, hold for tests', () => {
    const plan = buildPlan(vmFixtureWorkspace('ca-struct-ops').model(), 'ca_struct_ops');
    const args = agentArgs(plan, '/r/x y.bpf.o', { allowAttach: false, pidfile: '/r/pid' });
    assert.deepEqual(args, ['--object', '/r/x y.bpf.o', '--pidfile', '/r/pid', '--assoc', 'loaded', 'libbpf', 'bpfa_probe', 'bpfa_ca', '0', '--assoc', 'loaded', 'libbpf', 'bpfa_ssthresh', 'bpfa_ca', '0']);
    const held = agentArgs(plan, 'o', { allowAttach: true, pidfile: 'p', hold: { stage: 'attach', seconds: 30 } });
    assert.deepEqual(held.slice(-6), ['--attach', 'bpfa_ca', '--hold', 'attach', '--hold-timeout', '30']);
  });
});
