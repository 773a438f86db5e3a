// An expression that a `;` shows is never closed (issue 12, fuzz regression c-source-100-8962):
// tree-sitter cannot resynchronise inside it, on `;`, `,`, braces or directive lines, so long code
// after it cost seconds of CPU. c/longStretches.ts follows the open brackets and treats the code
// from there as one run; real code (calls with many arguments, `for` headers, struct bodies in
// `sizeof`, function bodies after an initialiser the user has not closed yet, conditionals whose
// branches each open a brace) is untouched.
import { strict as assert } from 'node:assert';
import { brokenExpression, SHAPES } from '../../fuzz/brokenExpressions';
import { longStretches } from '../../server/src/analysis/c/longStretches';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';

describe('longStretches: broken expressions', () => {
  it('finds every shape of the family as a run inside the expression, named by where it opens', () => {
    for (const shape of Object.keys(SHAPES)) {
      const text = brokenExpression(shape, 100);
      const found = longStretches(text);
      assert.ok(found.length >= 1, shape);
      const opened = found[0]?.openedAt ?? -1;
      assert.ok(opened > 0, `${shape}: opened at ${opened}`);
      assert.ok('({'.includes(text[opened] ?? ''), `${shape}: ${text.slice(opened, opened + 20)}`);
      assert.ok((found[0]?.start ?? 0) > text.indexOf('return 0; }'), `${shape}: program a is kept`);
    }
  });

  it('finds none in real shapes: long calls, for headers, struct bodies in sizeof, bodies after an unclosed initialiser, conditional braces', () => {
    const body = `{\n${'  x = g(x) + 1;\n'.repeat(2_000)}}\n`;
    const cases = [
      `int f(void)\n{\n  return g(${'a, '.repeat(5_000)} b);\n}\n`,
      `int f(void)\n{\n${'  for (i = 0; i < n; i++) x++;\n'.repeat(1_000)}}\n`,
      `static const struct d rdesc = {\n${'  sizeof(struct { _Static_assert(1, "x"); int a; }), 0x05,\n'.repeat(500)}};\n`,
      // An initialiser the user has not closed yet, then functions and declarations with commas.
      `int a = {\n${`void f${'x'}(int p, int q)\n${body}`.repeat(3)}`,
      `#ifdef A\nstatic int t[] = {\n#else\nstatic int t[] = {\n#endif\n 1, 2 };\n${`void g(void)\n${body}`}int z;\n${'int y;\n'.repeat(2_000)}`,
      `int f(void)\n{\n  return ({ ${'x++; '.repeat(3_000)} x; });\n}\n`,
    ];
    for (const text of cases) assert.deepEqual(longStretches(text), [], text.slice(0, 60));
  });
});

describe('a broken expression in a workspace', () => {
  before(() => loadGrammar());

  it('is left out within a second or so; the program before it is read and a note names where it opens', function () {
    this.timeout(120_000);
    const ws = new Workspace();
    // 613 KiB: 8.6 s of CPU before (tree-sitter's recovery inside the unclosed `(void`), 0.5 s now.
    ws.setFile('/ws/x.bpf.c', new TextEncoder().encode(brokenExpression('fuzzed', 400)));
    const t0 = process.cpuUsage();
    const model = ws.model();
    const t = process.cpuUsage(t0);
    const ms = (t.user + t.system) / 1000;
    assert.ok(model.programs.some((p) => p.name === 'a'));
    const note = model.findings.find((f) => f.rule === 'parse-limit');
    assert.match(note?.message ?? '', /x\.bpf\.c, lines 34–\d+: inside the parenthesis, bracket or initialiser brace opened at line 3,/);
    assert.ok(ms < 3000, `${ms.toFixed(0)} ms of CPU`);
  });
});
