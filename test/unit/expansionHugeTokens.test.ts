// Huge tokens and macro bombs together (fuzz/regressions/c-loader-100-973-dba59101): a 100 KB
// string literal in an item used to buy that item 32 tokens of expansion per byte of the literal
// (3.2 million tokens, 5.9 MB of text for tree-sitter, 5 s of CPU), and a huge literal in a macro
// body, copied once per invocation, cost one token per copy (59 MB of text on a 20,000-token
// budget). The work must not grow with the literal's size (budgetLength.ts).
import { strict as assert } from 'node:assert';
import { expandSource, type Expansion } from '../../server/src/analysis/c/expand';
import { budgetLength, budgetOffsets, LINE_BYTES, TOKEN_CHARS, tokenCost } from '../../server/src/analysis/c/budgetLength';
import { ITEM_BUDGET, ITEM_BUDGET_PER_BYTE } from '../../server/src/analysis/c/expansionBudget';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';

const SEC = '#define SEC(n) __attribute__((section(n)))\n';

/** Doubling macros W1..W`depth` over W0 (each W_k(n) is two W_{k-1}, names pasted apart). */
function doubling(depth: number): string {
  let text = '';
  for (let k = 1; k <= depth; k++) text += `#define W${k}(n) W${k - 1}(n##a) W${k - 1}(n##b)\n`;
  return text;
}

/** The regression's shape: main() with a `kb` KB literal in SEC(...) and, further down, W`depth`(p). */
function literalThenBomb(kb: number, depth: number): string {
  return (
    SEC +
    'int main(void)\n{\n\tint err = 0;\n' +
    `\tif (err) { SEC("${'x'.repeat(kb * 1024)}") goto out; }\n` +
    '#define W0(n) SEC("struct_ops/" #n) int n(void *c) { return 0; }\n' +
    doubling(depth) +
    `W${depth}(p)\nout:\n\treturn err;\n}\n`
  );
}

/** A bomb whose every leaf copies a `kb` KB literal. */
function copiedLiteral(kb: number, depth: number): string {
  return SEC + `#define W0(n) SEC("s") char *n(void *c) { return "${'x'.repeat(kb * 1024)}"; }\n` + doubling(depth) + `W${depth}(p)\n`;
}

function expand(text: string): Expansion {
  return expandSource(text, new MacroTable(collectDefines(text, 'huge.bpf.c')));
}

describe('expansion budget with huge tokens', () => {
  it('a line counts at most LINE_BYTES, additively over ranges', () => {
    const text = `ab\n${'x'.repeat(3000)}\ncd`;
    assert.equal(budgetLength(text, 0, text.length), 3 + LINE_BYTES + 2);
    assert.equal(budgetLength(text, 0, 3), 3);
    for (const cut of [1, 3, 500, 1026, 1027, 2000, 3003, 3004, text.length]) {
      assert.equal(budgetLength(text, 0, cut) + budgetLength(text, cut, text.length), budgetLength(text, 0, text.length), `cut at ${cut}`);
    }
    assert.deepEqual(budgetOffsets(text, [0, 3, 1000, 2000, text.length]), [0, 3, 1000, 3 + LINE_BYTES, 3 + LINE_BYTES + 2]);
    assert.equal(tokenCost('x'), 1);
    assert.equal(tokenCost('x'.repeat(TOKEN_CHARS)), 1);
    assert.equal(tokenCost('x'.repeat(TOKEN_CHARS + 1)), 2);
  });

  it('a huge literal in an item does not buy a macro bomb in it more tokens', () => {
    const small = expand(literalThenBomb(1, 30));
    for (const kb of [100, 400]) {
      const text = literalThenBomb(kb, 30);
      const e = expand(text);
      assert.equal(e.overBudget?.length, 1, `${kb} KB: the bomb's item runs out`);
      assert.equal(e.truncated, false);
      const codeBytes = text.length - kb * 1024;
      assert.ok((e.spent ?? 0) <= ITEM_BUDGET + ITEM_BUDGET_PER_BYTE * (codeBytes + LINE_BYTES) + 100, `${kb} KB: spent ${e.spent}`);
      // Past the literal itself, the expanded text does not grow with it.
      assert.ok(e.text.length - kb * 1024 <= small.text.length + 64 * LINE_BYTES, `${kb} KB: ${e.text.length} characters`);
    }
  });

  it('a huge literal copied by every leaf of a bomb costs by its length', () => {
    for (const kb of [16, 100]) {
      const e = expand(copiedLiteral(kb, 14));
      assert.equal(e.overBudget?.length, 1, `${kb} KB: the bomb's item runs out`);
      // Each unit of the budget pays for at most TOKEN_CHARS characters (plus a space between tokens).
      const bound = (TOKEN_CHARS + 1) * (ITEM_BUDGET + ITEM_BUDGET_PER_BYTE * 64) + kb * 1024;
      assert.ok(e.text.length <= bound, `${kb} KB: ${e.text.length} characters > ${bound}`);
    }
  });
});
