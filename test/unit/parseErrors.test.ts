// After an incremental re-parse, a document's parse errors are worked out from the previous
// tree's and the ranges tree-sitter reports as changed (c/parseErrors.ts): they must be what a
// walk of the whole new tree finds, keystroke by keystroke, through edits that break and mend.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CDocument } from '../../server/src/analysis/c/document';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { collectUndefs } from '../../server/src/analysis/c/macroTimeline';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { treeErrors } from '../../server/src/analysis/c/parseErrors';

const CASES = join(__dirname, '..', 'fixtures', 'cases');
const INSERTS = ['{', '}', '(', ')', ';', 'if (err)', ' x', '\n', 'int y = ', '/*', '*/', '"', ',', 'SEC("tc")', '.init = ', '#define Q 1\n', '\n}\n'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A keystroke-like edit: a short insertion or deletion, often near the previous one. */
function edit(text: string, near: number, next: () => number): { text: string; at: number } {
  const at = next() < 0.7 ? Math.min(text.length, Math.max(0, near + Math.floor(next() * 40) - 20)) : Math.floor(next() * (text.length + 1));
  if (next() < 0.6) return { text: text.slice(0, at) + (INSERTS[Math.floor(next() * INSERTS.length)] as string) + text.slice(at), at };
  return { text: text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 4)), at };
}

describe('parse errors after an incremental re-parse', () => {
  before(async () => {
    await loadGrammar();
  });

  it('equal a walk of the whole tree, over random edit sequences', () => {
    let compared = 0;
    let withErrors = 0;
    for (const [n, c] of readdirSync(CASES).sort().entries()) {
      const dir = join(CASES, c);
      const file = readdirSync(dir).find((f) => f.endsWith('.bpf.c'));
      if (!file) continue;
      const text0 = readFileSync(join(dir, file), 'utf8');
      const table = new MacroTable(collectDefines(text0, file), { file, undefs: collectUndefs(text0) });
      const doc = new CDocument(table);
      const next = rng(500 + n);
      let text = text0;
      let at = Math.floor(text.length / 2);
      for (let k = 0; k < 25; k++) {
        ({ text, at } = edit(text, at, next));
        const parsed = doc.update(text);
        if (!parsed.tree) continue;
        const got = parsed.treeErrors ? parsed.treeErrors() : treeErrors(parsed.tree);
        assert.deepEqual(got, treeErrors(parsed.tree), `${c}/${file}, edit ${k} (seed ${500 + n})`);
        compared++;
        if (got.length) withErrors++;
      }
      doc.dispose();
    }
    assert.ok(compared > 150 && withErrors > compared / 3, `${withErrors} of ${compared} re-parses had errors`);
  });
});
