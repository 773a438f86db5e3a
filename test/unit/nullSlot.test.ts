// A struct_ops slot initialised with NULL reads the same whether NULL is written as is or a header
// defines it (`#define NULL ((void *)0)`, as stddef.h and vmlinux-based headers do) or the source
// writes `(void *)0`: an empty slot. The source reader took only the word `NULL`, so the same map
// had an empty `.b` slot or none depending on which headers a translation unit could see. A plain
// `0` may be a data member's value (`.flags = 0`) and stays data.
import { strict as assert } from 'node:assert';
import { parseOnce } from '../../server/src/analysis/c/document';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { readBpfSource } from '../../server/src/analysis/bpfSource';

function slotsOf(prelude: string, value: string): string {
  const text = [
    '#define SEC(n) __attribute__((section(n)))',
    prelude,
    'SEC("struct_ops/a") int a_prog(void *c) { return 0; }',
    `SEC(".struct_ops.link") struct tcp_congestion_ops ops = { .a = (void *)a_prog, .b = ${value}, .flags = 0 };`,
    '',
  ].join('\n');
  const parsed = parseOnce(text, new MacroTable(collectDefines(text, '/ws/x.bpf.c')));
  try {
    const map = readBpfSource(parsed, '/ws/x.bpf.c').structOpsMaps[0];
    return (map?.slots ?? []).map((s) => `${s.member}=${s.program ?? 'NULL'}`).join(' ');
  } finally {
    parsed.tree?.delete();
  }
}

describe('a struct_ops slot set to NULL', () => {
  before(loadGrammar);

  for (const [prelude, value] of [
    ['', 'NULL'],
    ['#define NULL ((void *)0)', 'NULL'],
    ['', '(void *)0'],
    ['', '((void *)0)'],
  ]) {
    it(`${value}${prelude ? ` with ${prelude}` : ''}: an empty slot, like NULL as written`, () => {
      assert.equal(slotsOf(prelude as string, value as string), 'a=a_prog b=NULL');
    });
  }
});
