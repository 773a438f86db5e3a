// The loader reader's fast path (loader/straightLine.ts) against the general path walker
// (loader/flow.ts): on every user-space C file of the fixtures and the examples, and on the bench's
// generated loaders, the reading is the same whichever reads it, and the fast path does read the
// loaders it is meant for (the bench's, error checks with returns and gotos to a cleanup label).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateWorkspace } from '../../bench/generate';
import { parseOnce } from '../../server/src/analysis/c/document';
import { MacroTable } from '../../server/src/analysis/c/macros';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { LoaderReader } from '../../server/src/analysis/loader/loader';
import { listCaseFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');

/** The reading of `text` by the fast path where it applies, and by the walker alone. */
function bothReadings(file: string, text: string) {
  const parsed = parseOnce(text, new MacroTable());
  try {
    const any = new LoaderReader(parsed, file);
    const fast = any.read();
    const walked = new LoaderReader(parsed, file, undefined, 'walker').read();
    return { fast, walked, straightLine: any.straightLine };
  } finally {
    parsed.tree?.delete();
  }
}

const userSpace = (f: string) => f.endsWith('.c') && !f.endsWith('.bpf.c');

describe('loader reading: fast path and walker', () => {
  before(async () => {
    await loadGrammar();
  });

  it('read every fixture and example loader alike', () => {
    const files = [...listCaseFiles(join(ROOT, 'test', 'fixtures', 'cases')), ...listCaseFiles(join(ROOT, 'examples'))].filter(userSpace);
    assert.ok(files.length >= 30, `${files.length} files`);
    const fast: string[] = [];
    for (const f of files) {
      const r = bothReadings(f, readFileSync(f, 'utf8'));
      assert.deepStrictEqual(r.fast, r.walked, f);
      if (r.straightLine) fast.push(f.slice(ROOT.length + 1));
    }
    // Loaders of that shape take the fast path; those with loops, switch, else branches or short-circuits do not.
    assert.ok(fast.includes('examples/testmod/multi_ops.c') && fast.includes('test/fixtures/cases/loader-repoint/loader.c'), fast.join(' '));
    assert.ok(!fast.includes('examples/sched/fifo.c'));
    assert.ok(!fast.includes('test/fixtures/cases/loader-paths/loader.c'));
    assert.ok(!fast.includes('test/fixtures/cases/loader-short-circuit/loader.c'));
  });

  it('read the bench loaders alike, all of them by the fast path', () => {
    const loaders = [...generateWorkspace(100)].filter(([p]) => userSpace(p));
    assert.equal(loaders.length, 100);
    for (const [p, text] of loaders) {
      const r = bothReadings(p, text);
      assert.deepStrictEqual(r.fast, r.walked, p);
      assert.ok(r.straightLine, p);
      // Error checks fork: the path that gets through, and one that gives up at each check.
      assert.ok((r.fast.lifecycles?.[0]?.paths.length ?? 0) > 1, p);
    }
  });

  it('leave loops, switch, short-circuits with loader calls, statement expressions and backward gotos to the walker', () => {
    const head = '#include "s.skel.h"\nint main(void) {\n struct s *skel = s__open();\n';
    const tail = ' s__attach(skel);\n s__destroy(skel);\n return 0;\n}\n';
    const shapes = [
      ' for (int i = 0; i < 2; i++) s__load(skel);\n',
      ' switch (mode) { case 1: s__load(skel); break; }\n',
      ' err = mode || s__load(skel);\n',
      ' err = ({ if (mode) exit(1); s__load(skel); });\n',
      ' again: s__load(skel);\n if (err) goto again;\n',
    ];
    for (const shape of shapes) {
      const r = bothReadings('/x/main.c', `${head}${shape}${tail}`);
      assert.equal(r.straightLine, false, shape);
      assert.deepStrictEqual(r.fast, r.walked, shape);
    }
    // Error checks, checks whose side only prints, if/else with loader calls on either side, a cleanup label.
    const straight = [
      ' if (!skel) return 1;\n err = s__load(skel);\n if (err) goto out;\n if (err) fprintf(stderr, "x");\n',
      ' if (mode) s__load(skel); else if (other) return 1; else { bpf_map__set_autoattach(skel->maps.a, false); s__load(skel); }\n',
      ' if (!ASSERT_OK(s__load(skel), "load")) goto out;\n if (mode) { err = 1; goto out; }\n',
    ];
    for (const shape of straight) {
      const r = bothReadings('/x/main.c', `${head}${shape}${tail.replace(' s__destroy', 'out:\n if (skel) s__destroy')}`);
      assert.equal(r.straightLine, true, shape);
      assert.deepStrictEqual(r.fast, r.walked, shape);
      assert.ok((r.fast.lifecycles?.[0]?.paths.length ?? 0) > 1, shape);
    }
  });
});
