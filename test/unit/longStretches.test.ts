// Runs of C the parser cannot resynchronise in are found and blanked before the parse (issue 12:
// tree-sitter's error recovery over them is quadratic); real code never has one.
import { strict as assert } from 'node:assert';
import { blankStretches, longStretches, MAX_STRETCH } from '../../server/src/analysis/c/longStretches';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';

const HEAD = 'SEC("struct_ops/a") int a(void *c) { return 0; }\n';

describe('longStretches', () => {
  it('finds a long #if line of `1\\n`, `#define F(` lines and a statement with no `;`', () => {
    const cases = [
      `${HEAD}#if ${'1\\n'.repeat(20_000)}\n#endif\n`,
      `${HEAD}${'#define F(\n'.repeat(3_000)}`,
      `${HEAD}${'#define F('.repeat(3_000)}\n`,
      `${HEAD}int a = ${'1\\n'.repeat(20_000)}\nint b;\n`,
      // Commas at file scope are no place to resynchronise (37 s for 120 KB of this).
      `${HEAD}int a = ${'1\\n,'.repeat(20_000)}\nint b;\n`,
      `${HEAD}#if ${'1\\n,'.repeat(20_000)}\n#endif\n`,
    ];
    for (const text of cases) {
      const found = longStretches(text);
      assert.equal(found.length, 1, text.slice(0, 80));
      assert.ok((found[0]?.start ?? 0) >= HEAD.indexOf('}') + 1, 'the program before it is kept');
      const blanked = blankStretches(text, found);
      assert.equal(blanked.length, text.length);
      assert.equal(blanked.split('\n').length, text.split('\n').length, 'lines stay');
    }
  });

  it('finds none in long code real files have: defines, initialisers, comments, strings, skeleton blobs', () => {
    const cases = [
      Array.from({ length: 3_000 }, (_, i) => `#define REG_${i} 0x${i.toString(16)}\n`).join(''),
      `static const unsigned char rdesc[] = {\n${'0x05, 0x01, 0x09, 0x02,\n'.repeat(3_000)}};\n`,
      `/* ${'x'.repeat(50_000)} */\nint a;\n`,
      `const char *s = "${'y'.repeat(50_000)}";\n`,
      `static const char data[] = "\\\n${'\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\\n'.repeat(2_000)}";\n`,
      `#if ${Array.from({ length: 200 }, (_, i) => `defined(CONFIG_${i})`).join(' || ')}\nint a;\n#endif\n`,
      `enum big {\n${Array.from({ length: 3_000 }, (_, i) => `  BIG_${i} = ${i},\n`).join('')}};\n`,
      `#define TABLE { ${'1, '.repeat(5_000)} }\n`,
      `int f(void)\n{\n  return g(${'a, '.repeat(5_000)} b);\n}\n`,
    ];
    for (const text of cases) assert.deepEqual(longStretches(text), [], text.slice(0, 60));
  });

  it('counts code characters only, and a run just over the limit is one', () => {
    const code = `int a = ${'1 '.repeat(MAX_STRETCH)}`;
    assert.equal(longStretches(code).length, 1);
    assert.equal(longStretches(`int a = ${'1 '.repeat(MAX_STRETCH - 20)};`).length, 0);
  });
});

describe('a long run the parser cannot resynchronise in, in a workspace', () => {
  before(() => loadGrammar());

  it('is left out within a second or so; the programs before and after it are read, and a note names its lines', function () {
    this.timeout(120_000);
    const sec = '#define SEC(n) __attribute__((section(n)))\n';
    const ws = new Workspace();
    const bytes = (s: string) => new TextEncoder().encode(s);
    ws.setFile('/ws/x.bpf.c', bytes(`${sec}SEC("struct_ops/a") int a(void *c) { return 0; }\nint v = ${'1\\n,'.repeat(30_000)}\n;\nSEC("struct_ops/b") int b(void *c) { return 0; }\n`));
    const t0 = process.cpuUsage();
    const model = ws.model();
    const t = process.cpuUsage(t0);
    const ms = (t.user + t.system) / 1000;
    assert.deepEqual(model.programs.map((p) => p.name).sort(), ['a', 'b']);
    const note = model.findings.find((f) => f.rule === 'parse-limit');
    assert.match(note?.message ?? '', /x\.bpf\.c, line 3: more than 8,192 characters of code/);
    // 37 s of CPU before (tree-sitter's recovery over 120 KB at file scope).
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms of CPU`);
  });
});
