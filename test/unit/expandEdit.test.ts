// Re-expansion after an edit must give what expanding the edited file from scratch gives: the
// same text, section markers and invocations, and a source map that answers every offset alike.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandSource, type Expansion } from '../../server/src/analysis/c/expand';
import { reexpandEdit } from '../../server/src/analysis/c/expandEdit';
import { ITEM_BUDGET } from '../../server/src/analysis/c/expansionBudget';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { collectUndefs } from '../../server/src/analysis/c/macroTimeline';

const CASES = join(__dirname, '..', 'fixtures', 'cases');

/** Every C file and header of the fixtures, each with a table of its own and its case's defines. */
function corpus(): { file: string; text: string; table: MacroTable }[] {
  const out: { file: string; text: string; table: MacroTable }[] = [];
  for (const c of readdirSync(CASES)) {
    const dir = join(CASES, c);
    const files = readdirSync(dir).filter((f) => /\.(c|h)$/.test(f));
    const headerDefs = files.filter((f) => f.endsWith('.h')).flatMap((f) => collectDefines(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      // Its own #undefs too: a macro redefined along the file expands with the body in force.
      out.push({ file: `${c}/${f}`, text, table: new MacroTable([...collectDefines(text, f), ...headerDefs], { file: f, undefs: collectUndefs(text) }) });
    }
  }
  return out;
}

/** A small deterministic generator, so a failure names its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const INSERTS = [' x', ' /* note */', '/*', '*/', '"', "'", '\\', '\n', '\n#define FOO 1\n', '#', '//', ' SEC', 'SEC("tc")', ';', '\n\n', ' int y = 2;', 'BPF_PROG', '(', ')', '{', '}'];

function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const r = next();
  if (r < 0.6) return text.slice(0, at) + (INSERTS[Math.floor(next() * INSERTS.length)] as string) + text.slice(at);
  const len = 1 + Math.floor(next() * (r < 0.9 ? 3 : 40));
  return text.slice(0, at) + text.slice(at + len);
}

function sameExpansion(got: Expansion, want: Expansion, what: string): void {
  assert.equal(got.text, want.text, `${what}: text`);
  assert.deepEqual(got.sections, want.sections, `${what}: sections`);
  assert.deepEqual(got.invocations, want.invocations, `${what}: invocations`);
  assert.equal(got.truncated, want.truncated, `${what}: truncated`);
  for (let i = 0; i <= want.text.length; i++) {
    if (got.map.toSource(i) !== want.map.toSource(i) || got.map.toSource(i, true) !== want.map.toSource(i, true) || got.map.isSynthetic(i) !== want.map.isSynthetic(i)) {
      assert.fail(`${what}: source map differs at expanded offset ${i}`);
    }
  }
}

describe('re-expansion after an edit', () => {
  const files = corpus();

  it('equals a full expansion of the edited file, over random edit sequences', () => {
    let incremental = 0;
    let edits = 0;
    for (const [n, f] of files.entries()) {
      const next = rng(1000 + n);
      let text = f.text;
      let exp = expandSource(text, f.table);
      for (let k = 0; k < 40; k++) {
        const after = edit(text, next);
        const want = expandSource(after, f.table);
        const got = reexpandEdit(text, exp, after, f.table);
        edits++;
        if (got) {
          incremental++;
          sameExpansion(got, want, `${f.file}, edit ${k} (seed ${1000 + n})`);
        }
        text = after;
        exp = got ?? want;
      }
    }
    // Most random edits land in ordinary code; the fast path must actually be taken.
    assert.ok(incremental > edits / 4, `${incremental} of ${edits} edits re-expanded incrementally`);
  });

  it('takes the fast path for a comment typed at the end of a line, and not for one left open', () => {
    const f = files.find((x) => x.file === 'poisoned-shared/shared.bpf.c');
    assert.ok(f);
    const exp = expandSource(f.text, f.table);
    const line = f.text.indexOf('\n', f.text.indexOf('return'));
    const closed = `${f.text.slice(0, line)} /* ok */${f.text.slice(line)}`;
    const open = `${f.text.slice(0, line)} /* open${f.text.slice(line)}`;
    const fast = reexpandEdit(f.text, exp, closed, f.table);
    assert.ok(fast, 'a closed comment keeps the lexical state');
    sameExpansion(fast, expandSource(closed, f.table), 'closed comment');
    assert.equal(reexpandEdit(f.text, exp, open, f.table), null, 'an open comment changes what follows');
    const sec = f.text.indexOf('SEC(');
    const inInvocation = `${f.text.slice(0, sec + 5)}x${f.text.slice(sec + 5)}`;
    assert.equal(reexpandEdit(f.text, exp, inInvocation, f.table), null, 'an edit inside SEC(...) expands again');
  });

  it('in a file that redefines a macro: an edit after the last redefinition splices, one before it expands again', () => {
    const f = files.find((x) => x.file === 'macro-redefined/redefined.bpf.c');
    assert.ok(f);
    const exp = expandSource(f.text, f.table);
    assert.ok(exp.text.includes('second_x') && exp.text.includes('first_x') && exp.text.includes('third_z'), 'each use expands with the body in force');
    const after = `${f.text}int late;\n`;
    const fast = reexpandEdit(f.text, exp, after, f.table);
    assert.ok(fast, 'an edit past every #undef keeps the expansion');
    sameExpansion(fast, expandSource(after, f.table), 'edit after the redefinitions');
    const before = `int early;\n${f.text}`;
    assert.equal(reexpandEdit(f.text, exp, before, f.table), null, 'an edit before a redefinition moves it');
  });

  it('in a long file, scanned from the marks an earlier splice kept: equals a full expansion over chained random edits', () => {
    // Long enough for many marks (a line starting in code every 4,096 characters, c/expandEdit.ts),
    // with block comments across lines, strings holding comment openers and directives between.
    const head = '#define SEC(n) __attribute__((section(n)))\n#define TWICE(x) ((x) + (x))\n';
    const fn = (i: number): string =>
      `/* helper ${i}\n * spans lines, has // and "quotes" */\nSEC("tc") int f${i}(void *ctx)\n{\n\tconst char *s = "/* not a comment ${i}";\n\tint v = TWICE(${i}); // trailing /*\n#if ${i % 3}\n\tv++;\n#endif\n\treturn v;\n}\n`;
    let text = head + Array.from({ length: 600 }, (_, i) => fn(i)).join('');
    assert.ok(text.length > 20 * 4096);
    const table = new MacroTable(collectDefines(text, 'long.c'), { file: 'long.c', undefs: [] });
    let exp = expandSource(text, table);
    const next = rng(4242);
    let incremental = 0;
    for (let k = 0; k < 100; k++) {
      const after = edit(text, next);
      const want = expandSource(after, table);
      const got = reexpandEdit(text, exp, after, table);
      if (got) {
        incremental++;
        sameExpansion(got, want, `long file, edit ${k}`);
      }
      text = after;
      exp = got ?? want;
    }
    assert.ok(incremental > 20, `${incremental} of 100 edits re-expanded incrementally`);
  });

  it('splices a whole line opened or removed between two lines with macro invocations', () => {
    const text = [
      '#define __uint(name, val) int (*name)[val]',
      '#define __type(name, val) typeof(val) *name',
      '#define SEC(n) __attribute__((section(n)))',
      'struct {',
      '\t__uint(type, 2);',
      '\t__type(key, int);',
      '\t__uint(max_entries, 1);',
      '} counters SEC(".maps");',
      'SEC("tc") int f(void *ctx)',
      '{',
      '\tint a = __uint_ok(1);',
      '\treturn SEC_ok(a);',
      '}',
      '',
    ].join('\n');
    const table = new MacroTable(collectDefines(text, 'lines.c'), { file: 'lines.c', undefs: [] });
    const exp = expandSource(text, table);
    const lineAt = (n: number): number => text.split('\n').slice(0, n).join('\n').length + 1;
    const spare = `${text.slice(0, lineAt(6))}\tint spare;\n${text.slice(lineAt(6))}`;
    const edits: [string, string, string][] = [
      ['an empty line opened inside the map', text, `${text.slice(0, lineAt(5))}\t\n${text.slice(lineAt(5))}`],
      ['a declaration typed as a new line inside the map', text, spare],
      ['that line removed again', spare, text],
      ['an empty line opened after the SEC line', text, `${text.slice(0, lineAt(9))}\n${text.slice(lineAt(9))}`],
    ];
    for (const [what, before, after] of edits) {
      const fast = reexpandEdit(before, expandSource(before, table), after, table);
      assert.ok(fast, `${what}: spliced`);
      sameExpansion(fast, expandSource(after, table), what);
    }
    // A line whose own text holds an invocation still expands again.
    const withCall = `${text.slice(0, lineAt(5))}\t__uint(extra, 3);\n${text.slice(lineAt(5))}`;
    assert.equal(reexpandEdit(text, exp, withCall, table), null, 'a new line with an invocation');
  });

  describe('in a file whose macros spend more than one item may, in all', () => {
    // Each H(...) produces about 5,900 tokens; five of them are more than ITEM_BUDGET (20,000).
    const head = '#define SEC(n) __attribute__((section(n)))\n#define A(x) x x x x x x x x x x\n#define H(x) SEC("x") A(A(A(x)))\n';
    const fn = (i: number, filler: number): string => `int f${i}(void)\n{\n${'\tint pad = 1;\n'.repeat(filler)}\treturn H(${i});\n}\n`;
    const file = (filler: number): { text: string; table: MacroTable } => {
      const text = head + Array.from({ length: 5 }, (_, i) => fn(i, filler)).join('');
      return { text, table: new MacroTable(collectDefines(text, 'heavy.c'), { file: 'heavy.c', undefs: [] }) };
    };

    it('expands again when deleting a `}` would join items past their budget', () => {
      const { text, table } = file(0);
      const exp = expandSource(text, table);
      assert.ok((exp.spent ?? 0) > ITEM_BUDGET && !exp.overBudget);
      const brace = text.indexOf('}\n');
      const joined = text.slice(0, brace) + text.slice(brace + 1);
      assert.ok(expandSource(joined, table).overBudget, 'the joined item runs out');
      assert.equal(reexpandEdit(text, exp, joined, table), null);
    });

    it('splices an edit when no cutting into items runs out, and equals a full expansion over random edits', () => {
      const { text, table } = file(12);
      const exp = expandSource(text, table);
      assert.ok((exp.spent ?? 0) > ITEM_BUDGET && !exp.overBudget);
      const at = text.indexOf('\tint pad');
      const typed = `${text.slice(0, at)}\tu64 spare = 0;\n${text.slice(at)}`;
      const fast = reexpandEdit(text, exp, typed, table);
      assert.ok(fast, 'a statement typed in a body keeps the expansion');
      sameExpansion(fast, expandSource(typed, table), 'typed statement');
      const next = rng(77);
      let now = text;
      let cur = exp;
      let incremental = 0;
      for (let k = 0; k < 200; k++) {
        const after = edit(now, next);
        const want = expandSource(after, table);
        const got = reexpandEdit(now, cur, after, table);
        if (got) {
          incremental++;
          sameExpansion(got, want, `heavy file, edit ${k}`);
        }
        now = after;
        cur = got ?? want;
      }
      assert.ok(incremental > 20, `${incremental} of 200 edits re-expanded incrementally`);
    });
  });
});

