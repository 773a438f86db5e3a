// Large open documents are kept as lines (server/src/lsp/largeDocument.ts): after any sequence of
// incremental edits, their text, line count, offsets and positions must be those of
// vscode-languageserver-textdocument, and an edit of a 20 MB document must not copy the document.
import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LargeDocument } from '../../server/src/lsp/largeDocument';
import { cpuStopwatch } from '../support/cpuTime';

describe('LargeDocument', () => {
  it('matches vscode-languageserver-textdocument under random edits with \\n, \\r\\n and lone \\r', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['a', 'b\n', '\r\n', '\r', '\n', 'xyz', '', 'q\r', '\nz'];
    const some = (n: number): string => Array.from({ length: rnd(n) }, () => pieces[rnd(pieces.length)]).join('');
    for (let trial = 0; trial < 300; trial++) {
      const text = some(20);
      const ref = TextDocument.create('file:///t.c', 'c', 1, text);
      const doc = new LargeDocument('file:///t.c', 'c', 1, text);
      for (let e = 0; e < 30; e++) {
        const at = (): { line: number; character: number } => ({ line: rnd(ref.lineCount + 1), character: rnd(6) });
        let [a, b] = [at(), at()];
        if (ref.offsetAt(b) < ref.offsetAt(a)) [a, b] = [b, a];
        const change = { range: { start: a, end: b }, text: some(3) };
        TextDocument.update(ref, [change], e + 2);
        doc.update([change], e + 2);
        assert.equal(doc.getText(), ref.getText(), `trial ${trial}, edit ${e}`);
        assert.equal(doc.lineCount, ref.lineCount);
        for (let k = 0; k < 5; k++) {
          const q = at();
          assert.equal(doc.offsetAt(q), ref.offsetAt(q));
          const o = rnd(ref.getText().length + 2);
          assert.deepEqual(doc.positionAt(o), ref.positionAt(o));
        }
      }
    }
  });

  it('an edit of a 20 MB document costs little CPU (no copy of the whole text per keystroke)', () => {
    const line = '/* filler filler filler filler filler filler filler filler */ int filler_var;\n';
    const doc = new LargeDocument('file:///big.c', 'c', 1, line.repeat(Math.ceil((20 << 20) / line.length)));
    doc.update([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }], 2);
    const cpu = cpuStopwatch();
    for (let i = 0; i < 40; i++) doc.update([{ range: { start: { line: 1 + i, character: 0 }, end: { line: 1 + i, character: 0 } }, text: 'x' }], 3 + i);
    const ms = cpu();
    process.stdout.write(`      40 edits of a 20 MB document: ${ms.toFixed(0)} ms CPU\n`);
    assert.ok(ms < 400, `${ms.toFixed(0)} ms CPU`);
    assert.ok(doc.getText().startsWith(`x${line}x${line}`));
  });
});
