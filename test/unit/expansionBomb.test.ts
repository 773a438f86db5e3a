// Function-like macro bombs whose arguments hold invocations of the next smaller bomb
// (F(n) = F(n-1)(F(n-1)(a)), found by npm run fuzz): argument pre-expansion nested 57 deep must
// stay inside the item's budget. The item is reported over budget, the file is not truncated, the
// items after it expand, and the work stays small (it used to copy every produced token once per
// nesting level: seconds of CPU).
import { strict as assert } from 'node:assert';
import { parseOnce } from '../../server/src/analysis/c/document';
import { expandSource } from '../../server/src/analysis/c/expand';
import { ITEM_BUDGET, ITEM_BUDGET_PER_BYTE } from '../../server/src/analysis/c/expansionBudget';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { readBpfSource } from '../../server/src/analysis/bpfSource';

function bomb(depth: number): string {
  let text = '#define SEC(n) __attribute__((section(n)))\n#define F0(a) a a\n';
  for (let k = 1; k <= depth; k++) text += `#define F${k}(a) F${k - 1}(F${k - 1}(a))\n`;
  text += `SEC(F${depth}("tc")) int bomb(void *c) { return 0; }\n`;
  return text + 'SEC("struct_ops/after") int after(void *c) { return 0; }\n';
}

const table = (text: string): MacroTable => new MacroTable(collectDefines(text, 'bomb.bpf.c'));

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

describe('macro bombs in nested arguments', () => {
  before(async () => {
    await loadGrammar();
  });

  it('stop at the item budget: reported over budget, the file is not truncated', () => {
    const text = bomb(20);
    const e = expandSource(text, table(text));
    assert.equal(e.truncated, false);
    assert.equal(e.overBudget?.length, 1);
    assert.match(text.slice(e.overBudget?.[0]?.start), /^SEC\(F20/);
    // What the item spent stays near its own budget (a few bodies past it, not a multiple of it).
    const item = text.split('\n').find((l) => l.startsWith('SEC(F20')) ?? '';
    assert.ok((e.spent ?? 0) <= ITEM_BUDGET + ITEM_BUDGET_PER_BYTE * item.length + 1000, `spent ${e.spent}`);
  });

  it('cost little CPU even 57 deep, and the next program is still read', () => {
    const text = bomb(57);
    const t = table(text);
    assert.ok(cpuMs(() => expandSource(text, t)) < 1000);
    const parsed = parseOnce(text, t);
    try {
      const facts = readBpfSource(parsed, '/ws/bomb.bpf.c');
      assert.ok(facts.programs.some((p) => p.name === 'after' && p.section === 'struct_ops/after'));
      assert.ok(facts.problems.some((p) => /exceeded its budget/.test(p.message)));
    } finally {
      parsed.tree?.delete();
    }
  });
});
