// Reading C that tree-sitter cannot read at file scope, or whose macros run away: a broken or
// runaway item never changes the facts of the items outside it (issue 11's rule), and after an
// edit the document gives what a fresh parse gives.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CDocument, parseOnce } from '../../server/src/analysis/c/document';
import { expandSource } from '../../server/src/analysis/c/expand';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { readBpfSource } from '../../server/src/analysis/bpfSource';
import type { BpfObjectFacts } from '../../server/src/analysis/facts';

const CASES = join(__dirname, '..', 'fixtures', 'cases');
const CHECKED = join(CASES, 'parse-recovery', 'checked.bpf.c');
const RUNAWAY = join(CASES, 'expansion-budget', 'runaway.bpf.c');

function tableOf(text: string): MacroTable {
  return new MacroTable(collectDefines(text, 'x.bpf.c'));
}

/** What the model takes from a source: programs, maps and slots, with their lines. */
function summary(f: BpfObjectFacts): string[] {
  return [
    ...f.programs.map((p) => `prog ${p.name} ${p.section} @${p.location.range.start.line}`),
    ...f.structOpsMaps.flatMap((m) => [`map ${m.name} ${m.structType} @${m.location.range.start.line}`, ...m.slots.map((s) => `slot ${m.name}.${s.member}=${s.program} @${s.location.range.start.line}`)]),
  ].sort();
}

function factsOf(text: string, file = '/ws/x.bpf.c'): BpfObjectFacts {
  const parsed = parseOnce(text, tableOf(text));
  try {
    return readBpfSource(parsed, file);
  } finally {
    parsed.tree?.delete();
  }
}

/** `text` with the lines holding `marker` turned into empty lines (lines keep their numbers). */
function without(text: string, marker: string): string {
  return text.split('\n').map((l) => (l.includes(marker) ? '' : l)).join('\n');
}

describe('broken and runaway items stay on their own', () => {
  before(async () => {
    await loadGrammar();
  });

  it('items outside a region the parser cannot read give the facts they give without it', () => {
    const text = readFileSync(CHECKED, 'utf8');
    const broken = factsOf(text);
    const clean = factsOf(without(without(text, '_Static_assert(in_range'), 'limits[] ='));
    assert.deepEqual(summary(broken), summary(clean));
    assert.equal(broken.programs.length, 2);
    assert.equal(broken.structOpsMaps[0]?.slots.length, 2);
    // Skipped data is not reported; a skipped program would be.
    assert.deepEqual(broken.problems, []);
  });

  it('a skipped item that had a SEC(...) is reported with its lines, and its section marks nothing else', () => {
    const text = `${readFileSync(CHECKED, 'utf8')}\nSEC("syscall") int lost_prog(void *ctx) { return sizeof(struct { _Static_assert(sizeof(struct { _Static_assert(1, "a"); int q; }) == 4, "b"); int ok; }); }\nstatic const int after_it = 1;\n`;
    const f = factsOf(text);
    assert.ok(!f.programs.some((p) => p.name === 'lost_prog'));
    assert.equal(f.problems.length, 1);
    const line = text.split('\n').findIndex((l) => l.includes('lost_prog'));
    assert.equal(f.problems[0]?.location.range.start.line, line);
    assert.match(f.problems[0]?.message ?? '', new RegExp(`, line ${line + 1} \\(\`lost_prog\`\\): the C parser could not read this code.*a program, map or slot defined there may be missing`));
    // Its section marks nothing else, and everything else reads as before.
    assert.ok(!f.programs.some((p) => p.section === 'syscall'));
    assert.deepEqual(summary(f), summary(factsOf(readFileSync(CHECKED, 'utf8'))));
  });

  it('a runaway item stops alone: every other item expands as in a file without it', () => {
    const text = readFileSync(RUNAWAY, 'utf8');
    const table = tableOf(text);
    const runaway = expandSource(text, table);
    assert.equal(runaway.truncated, false);
    assert.equal(runaway.overBudget?.length, 1);
    const line = text.slice(0, runaway.overBudget?.[0]?.start).split('\n').length;
    assert.match(text.split('\n')[line - 1] ?? '', /weights\[\] = \{ W5 \}/);
    const calmText = without(text, 'weights[] =');
    const calm = expandSource(calmText, table);
    const after = (t: string, e: typeof calm): string => e.text.slice(e.map.toExpanded(t.indexOf('\treturn weights[0];')));
    assert.equal(after(text, runaway), after(calmText, calm));
    const f = factsOf(text);
    assert.deepEqual(summary(f), summary(factsOf(without(text, 'weights[] ='))));
    assert.match(f.problems[0]?.message ?? '', /macro expansion in `weights` \(line \d+\) exceeded its budget/);
  });

  it('after edits that break and mend a region, the document equals a fresh parse', () => {
    const text = readFileSync(CHECKED, 'utf8');
    const calm = without(without(text, '_Static_assert(in_range'), 'limits[] =');
    const doc = new CDocument(tableOf(text));
    for (const step of [calm, text, calm.replace('return limits[0];', 'return 1;'), text, text.replace('checked_test_2', 'checked_test_two')]) {
      const viaEdit = readBpfSource(doc.update(step), '/ws/x.bpf.c');
      assert.deepEqual(summary(viaEdit), summary(factsOf(step)));
      assert.deepEqual(viaEdit.problems, factsOf(step).problems);
    }
    doc.dispose();
  });
});
