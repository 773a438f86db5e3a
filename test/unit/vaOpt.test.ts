// C23's __VA_OPT__ in project macros (sched_ext's compat.h writes SCX_BUG with it): its content
// stays when the variadic arguments are given and goes when they are not.
import { strict as assert } from 'node:assert';
import { expandSource } from '../../server/src/analysis/c/expand';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';

function expanded(text: string): string {
  const table = new MacroTable(collectDefines(text, 'va.c'), { file: 'va.c', undefs: [] });
  const out = expandSource(text, table).text;
  return out.slice(out.indexOf('void f')).replace(/\s+/g, ' ');
}

describe('__VA_OPT__', () => {
  // A macro that makes a section, so that the file's project macros are expanded at all.
  const defs = '#define REPORT(fmt, ...) report((fmt) __VA_OPT__(,) __VA_ARGS__)\n#define PROG(n) SEC("tc") int n(void *ctx)\n';

  it('keeps its content when variadic arguments are given', () => {
    assert.match(expanded(`${defs}void f(void) { REPORT("x %d", 1); }\n`), /report\(\("x %d"\) , 1\)/);
  });

  it('drops its content when there are none', () => {
    const out = expanded(`${defs}void f(void) { REPORT("x"); }\n`);
    assert.match(out, /report\(\("x"\) \)/);
    assert.doesNotMatch(out, /__VA_OPT__/);
  });
});
