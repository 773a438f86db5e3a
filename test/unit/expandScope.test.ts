// Which files get their project macros expanded: those that use a macro leading to SEC outside
// comments and strings. A loader whose help text or a comment says "SEC" is read as written
// (sched_ext's scx_qmap.c prints "-i SEC"; expanding its lifecycle macros lost every loader call).
import { strict as assert } from 'node:assert';
import { expandSource } from '../../server/src/analysis/c/expand';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';

function expanded(text: string): string {
  const table = new MacroTable(collectDefines(text, 'loader.c'), { file: 'loader.c', undefs: [] });
  return expandSource(text, table).text;
}

describe('files whose project macros are expanded', () => {
  const check = '#define CHECK(c) ({ if (c) exit(1); })\n';

  it('not a loader that says SEC only in a string', () => {
    const out = expanded(`${check}static const char help[] = "usage: -i SEC";\nint main(void) { CHECK(load()); }\n`);
    assert.match(out, /CHECK\(load\(\)\)/);
  });

  it('not a file that says SEC only in a comment', () => {
    const out = expanded(`${check}/* each SEC("...") program */\nint main(void) { CHECK(load()); }\n`);
    assert.match(out, /CHECK\(load\(\)\)/);
  });

  it('a file with a program', () => {
    const out = expanded(`${check}SEC("tc") int prog(void *ctx) { CHECK(ctx); return 0; }\n`);
    assert.doesNotMatch(out, /CHECK\(ctx\)/);
    assert.match(out, /exit\(1\)/);
  });

  it('a file whose directives define a macro that makes a section', () => {
    const out = expanded(`${check}#define PROG(n) SEC("tc") int n(void *ctx)\nvoid f(void) { CHECK(x); }\n`);
    assert.match(out, /exit\(1\)/);
  });
});
