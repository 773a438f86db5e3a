// What a function body calls and passes: a body nested thousands deep (f(f(f(...))) 20,000 times,
// found by npm run fuzz) is read in linear time by a walk of the tree, which finds exactly what the
// query finds on every function body of the fixtures and examples.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyEdges, walkEdges, type BodyEdge } from '../../server/src/analysis/bpf/bodyEdges';
import { query } from '../../server/src/analysis/c/queries';
import { loadGrammar, parseC, type Node } from '../../server/src/analysis/c/parser';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.bpf.c'))
    .map((e) => join(e.parentPath, e.name));
}

const show = (edges: BodyEdge[]): string[] => edges.map((e) => `${e.kind} ${e.node.text} @${e.node.startIndex}`);

function bodies(root: Node): Node[] {
  return root.namedChildren.filter((n): n is Node => n?.type === 'function_definition').flatMap((f) => f.childForFieldName('body') ?? []);
}

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

describe('function body edges', () => {
  before(async () => {
    await loadGrammar();
  });

  it('the walk finds what the query finds, in the same order, on every fixture body', () => {
    let compared = 0;
    for (const file of [...sources(join(ROOT, 'test', 'fixtures', 'cases')), ...sources(join(ROOT, 'examples'))]) {
      const tree = parseC(readFileSync(file, 'utf8'));
      if (!tree) continue;
      try {
        for (const body of bodies(tree.rootNode)) {
          const queried = query('bodyEdges').captures(body).map((c) => ({ kind: c.name === 'callee' ? 'callee' : 'arg', node: c.node }) as BodyEdge);
          assert.deepEqual(show(walkEdges(body)), show(queried), file);
          compared += queried.length;
        }
      } finally {
        tree.delete();
      }
    }
    assert.ok(compared > 100, `${compared} edges compared`);
  });

  it('a call nested 20,000 deep is read in linear time', () => {
    const depth = 20_000;
    const text = `int deep(void) { return ${'f('.repeat(depth)}cb, &ctx, (void *)h${')'.repeat(depth)}; }\n`;
    const tree = parseC(text);
    assert.ok(tree);
    try {
      const body = bodies(tree.rootNode)[0];
      assert.ok(body);
      let edges: BodyEdge[] = [];
      assert.ok(cpuMs(() => (edges = bodyEdges(body))) < 1000);
      assert.equal(edges.filter((e) => e.kind === 'callee').length, depth);
      assert.deepEqual(edges.filter((e) => e.kind === 'arg').map((e) => e.node.text), ['cb', 'ctx', 'h']);
    } finally {
      tree.delete();
    }
  });
});
