// Runs of C the parser cannot resynchronise in are found and blanked before the parse (issue 12:
// tree-sitter's error recovery over them is quadratic); real code never has one.
import { strict as assert } from 'node:assert';
import { blankStretches, longStretches, MAX_STRETCH } from '../../server/src/analysis/c/longStretches';

const HEAD = 'SEC("struct_ops/a") int a(void *c) { return 0; }\n';

describe('longStretches', () => {
  it('finds a long #if line of `1\\n`, `#define F(` lines and a statement with no `;`', () => {
    const cases = [
      `${HEAD}#if ${'1\\n'.repeat(20_000)}\n#endif\n`,
      `${HEAD}${'#define F(\n'.repeat(3_000)}`,
      `${HEAD}${'#define F('.repeat(3_000)}\n`,
      `${HEAD}int a = ${'1\\n'.repeat(20_000)}\nint b;\n`,
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
    ];
    for (const text of cases) assert.deepEqual(longStretches(text), [], text.slice(0, 60));
  });

  it('counts code characters only, and a run just over the limit is one', () => {
    const code = `int a = ${'1 '.repeat(MAX_STRETCH)}`;
    assert.equal(longStretches(code).length, 1);
    assert.equal(longStretches(`int a = ${'1 '.repeat(MAX_STRETCH - 20)};`).length, 0);
  });
});
