// A Rust loader's reading kept through an edit the walk cannot see (rust/keptReading.ts): kept only
// where a fresh reading of the edited text says the same (compared keystroke by keystroke, with the
// real grammar and reader on a fixture crate's main.rs), and read again for every edit that could
// change a path: a loader call, an exit, a `?`, a binding of a skeleton, map or result, a name the
// walk's conditions use.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar, type Tree } from '../../server/src/analysis/c/parser';
import { loadRustGrammar, parseRust } from '../../server/src/analysis/rust/parser';
import { plannedReading, type CrateSkeletons } from '../../server/src/analysis/rust/reader';
import { keptThrough, type KeptReading } from '../../server/src/analysis/rust/keptReading';
import type { LoaderFacts } from '../../server/src/analysis/facts';

const MAIN = join(resolve(__dirname, '..', '..'), 'test', 'fixtures', 'rust', 'attach-results', 'src', 'main.rs');
const SKELETONS: CrateSkeletons = new Map([['Results', { objectName: 'results', source: '/crate/src/bpf/results.bpf.c' }]]);

/** The trees the readings hold, freed after each test. */
const trees: Tree[] = [];

function reading(text: string): KeptReading {
  const tree = parseRust(text);
  assert.ok(tree && !tree.rootNode.hasError, 'a clean text');
  const planned = plannedReading(tree, text, MAIN, SKELETONS);
  const facts = planned.read();
  const plan = planned.plan;
  trees.push(tree);
  return { text, tree, facts, plan, context: '' };
}

/** The kept reading moved to `text` (null: read again), checked against a fresh reading of `text` when kept. */
function through(kept: KeptReading, text: string): LoaderFacts | null {
  const tree = parseRust(text);
  assert.ok(tree && !tree.rootNode.hasError);
  const planned = plannedReading(tree, text, MAIN, SKELETONS);
  const moved = keptThrough(kept, text, tree, planned.plan, '', MAIN);
  planned.dispose();
  tree.delete();
  if (moved) assert.deepEqual(moved, reading(text).facts, 'kept through the edit: the same as a fresh reading');
  return moved;
}

describe('a Rust reading kept through edits the walk cannot see', () => {
  const original = readFileSync(MAIN, 'utf8');
  const lines = original.split('\n');
  const at = lines.findIndex((l) => l.includes('let h = skel.maps.ops_h'));
  const withLine = (line: string): string => [...lines.slice(0, at), line, ...lines.slice(at)].join('\n');
  before(async () => {
    await loadGrammar();
    await loadRustGrammar();
    assert.ok(at > 0);
  });
  afterEach(() => {
    for (const t of trees.splice(0)) t.delete();
  });

  for (const typed of ['    let spare = vec![1, 2];', '    let n = skel.maps.bss_data.as_ref().unwrap().nr_cpus;', '    println!("attaching {}", 3);', '    // a comment', '    let mut total: u64 = 0;']) {
    it(`typed character by character, clean texts keep the reading: ${typed.trim()}`, () => {
      let kept = reading(withLine(''));
      let moved = 0;
      for (let i = 1; i <= typed.length; i++) {
        const text = withLine(typed.slice(0, i));
        const tree = parseRust(text);
        const clean = !!tree && !tree.rootNode.hasError;
        tree?.delete();
        if (!clean) continue;
        if (through(kept, text)) moved++;
        kept = reading(text);
      }
      assert.ok(through(kept, withLine('')), 'deleting the statement keeps the reading');
      assert.ok(through(reading(original), withLine(typed)), 'the statement inserted at once keeps the reading');
      assert.ok(moved > 0 || !/;$/.test(typed), 'some keystrokes kept the reading');
    });
  }

  it('an edit in a function the walk does not read keeps the reading', () => {
    const base = `${original}\nfn unrelated(x: u32) -> u32 {\n    x + 1\n}\n`;
    assert.ok(through(reading(base), base.replace('x + 1', 'x * 2 + 1')));
    assert.ok(through(reading(base), base.replace('fn unrelated', 'fn other_name')));
  });

  const readAgain: [string, string][] = [
    ['a loader call', '    let x = skel.maps.ops_a.attach_struct_ops()?;'],
    ['a `?`', '    let x = std::fs::read("f")?;'],
    ['an exit', '    if std::env::args().count() > 3 { return Ok(()); }'],
    ['an alias of a result the walk tests', '    let h2 = h;'],
    ['a result tested through a method', '    let spare = h.is_err();'],
    ['a name the walk already uses', '    let h = 1;'],
    ['a map bound by name', '    let m = &skel.maps.ops_a;'],
    ['a skeleton type named', '    let b: Option<ResultsSkelBuilder> = None;'],
  ];
  for (const [what, line] of readAgain) {
    it(`${what} is read again`, () => {
      assert.equal(through(reading(withLine('')), withLine(line)), null);
      assert.equal(through(reading(withLine(line)), withLine('')), null);
    });
  }

  it('a loader call commented out and back is read again (the comment ran on past the edit)', () => {
    const attach = lines.findIndex((l) => l.includes('let _c = skel.maps.ops_c.attach_struct_ops()'));
    const toggled = [...lines];
    toggled[attach] = `// ${lines[attach] as string}`;
    assert.equal(through(reading(toggled.join('\n')), original), null);
    assert.equal(through(reading(original), toggled.join('\n')), null);
  });

  it('an edit that changes a function the walk reads (outside a passed-over statement) is read again', () => {
    assert.equal(through(reading(original), original.replace('skel.maps.ops_c.attach_struct_ops()', 'skel.maps.ops_d.attach_struct_ops()')), null);
    assert.equal(through(reading(original), original.replace('Err(e) => return Err(e).context("attaching ops_a"),', 'Err(_) => panic!(),')), null);
  });
});
