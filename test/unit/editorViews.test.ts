// The extension's pure views of the model: the tree outline and the graph,
// computed from the real analysis of the poisoned-shared fixture.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { associationOutline, slotOrigin, type OutlineNode } from '../../client/src/associationOutline';
import { associationGraph } from '../../client/src/graph/associationGraph';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { Workspace } from '../../server/src/analysis/workspace';

const ROOT = resolve(__dirname, '..', '..');

async function poisonedShared(): Promise<WorkspaceModel> {
  await loadGrammar();
  const ws = new Workspace();
  for (const f of [join(ROOT, 'test/fixtures/cases/poisoned-shared/shared.bpf.c'), join(ROOT, 'test/fixtures/include/st_ops.h')]) {
    ws.setFile(f, readFileSync(f));
  }
  return ws.model();
}

function find(nodes: OutlineNode[], predicate: (n: OutlineNode) => boolean): OutlineNode[] {
  return nodes.flatMap((n) => [...(predicate(n) ? [n] : []), ...find(n.children, predicate)]);
}

describe('association outline (tree view)', () => {
  let model: WorkspaceModel;
  before(async () => (model = await poisonedShared()));

  it('lists objects, then maps, slots and the programs in them', () => {
    const roots = associationOutline(model);
    assert.deepEqual(roots.map((r) => r.label), ['shared']);
    const maps = roots[0]?.children.filter((c) => c.kind === 'map') ?? [];
    assert.deepEqual(maps.map((m) => m.label), ['st_ops_map_a', 'st_ops_map_b']);
    const slotsA = maps[0]?.children ?? [];
    assert.deepEqual(slotsA.map((s) => `${s.label} ${s.description}`), ['.test_1 → test_1', '.test_2 → test_2_a']);
    assert.deepEqual(slotsA[0]?.children.map((p) => `${p.label}: ${p.description}`), ['test_1: poisoned · st_ops_map_a, st_ops_map_b']);
  });

  it("says where a slot's value was read in words, not the origin's code name", () => {
    const slot = find(associationOutline(model), (n) => n.kind === 'slot')[0];
    assert.equal(slot?.tooltip, 'st_ops_map_a.test_1 = test_1\nAs written in the source.');
    assert.deepEqual(
      (['object', 'skeleton', 'loader'] as const).map(slotOrigin),
      [
        'From the build: the compiled object (.bpf.o) says so.',
        'From the build: the object bpftool embedded in the skeleton (what libbpf loads) says so.',
        'Set by the loader before the load (it replaces the initializer in the source).',
      ],
    );
  });

  it('groups poisoned programs and marks the maps that hold them', () => {
    const roots = associationOutline(model);
    const group = find(roots, (n) => n.kind === 'group' && n.label === 'Poisoned programs');
    assert.equal(group.length, 1);
    assert.deepEqual(group[0]?.children.map((p) => p.label), ['test_1']);
    assert.ok(find(roots, (n) => n.kind === 'map').every((m) => m.problem && m.icon === 'warning'));
    assert.equal(find(roots, (n) => n.kind === 'group' && n.label === 'Unassociated programs').length, 0);
  });

  it('gives every node an id unique in the tree and a location to reveal', () => {
    const all = find(associationOutline(model), () => true);
    assert.equal(new Set(all.map((n) => n.id)).size, all.length);
    for (const n of all.filter((n) => n.kind !== 'group')) assert.ok(n.location?.file.endsWith('shared.bpf.c'), n.id);
  });
});

describe('association graph', () => {
  let model: WorkspaceModel;
  before(async () => (model = await poisonedShared()));

  it('has maps and programs as nodes and slots as edges, poisoned program marked', () => {
    const g = associationGraph(model);
    assert.deepEqual(g.nodes.map((n) => n.id).sort(), [
      'map:shared/st_ops_map_a',
      'map:shared/st_ops_map_b',
      'program:shared/test_1',
      'program:shared/test_2_a',
      'program:shared/test_2_b',
    ]);
    assert.deepEqual(g.nodes.filter((n) => n.kind === 'program' && n.poisoned).map((n) => n.label), ['test_1']);
    assert.deepEqual(
      g.edges.map((e) => `${e.source} -${e.label}-> ${e.target}${e.problem ? ' !' : ''}`),
      [
        'map:shared/st_ops_map_a -.test_1-> program:shared/test_1 !',
        'map:shared/st_ops_map_a -.test_2-> program:shared/test_2_a',
        'map:shared/st_ops_map_b -.test_1-> program:shared/test_1 !',
        'map:shared/st_ops_map_b -.test_2-> program:shared/test_2_b',
      ],
    );
  });

  it('draws explicit association calls as program → map edges with the predicted answer', () => {
    const m: WorkspaceModel = structuredClone(model);
    const program = m.programs.find((p) => p.name === 'test_2_a');
    assert.ok(program);
    m.associationCalls.push({
      object: 'shared', loader: '/x/loader.c', api: 'bpf_program__assoc_struct_ops', program: 'test_2_a', map: 'st_ops_map_b',
      flags: 0, location: program.location, phase: 'after load', predicted: { result: 'EINVAL', reason: 'struct_ops program' },
    });
    const explicit = associationGraph(m).edges.filter((e) => e.kind === 'explicit');
    assert.deepEqual(explicit.map((e) => [e.source, e.target, e.label, e.problem]), [['program:shared/test_2_a', 'map:shared/st_ops_map_b', 'assoc → EINVAL', true]]);
  });
});
