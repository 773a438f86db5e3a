// The editor's change ranges as the server records them for the analysis (lsp/changeRanges.ts):
// several didChange notifications, each with several changes (multi-cursor edits, CRLF text, a
// large document kept as lines), compose into one span of the text the analysis last took, and a
// whole-text change makes it unknown.
import { strict as assert } from 'node:assert';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { ChangeRanges } from '../../server/src/lsp/changeRanges';
import { LARGE_DOCUMENT_CHARS } from '../../server/src/lsp/largeDocument';
import { Rng } from '../../fuzz/rng';

/** Uniform in [0, 1), deterministic from the seed (the fuzz campaign's generator). */
function random(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next() / 4294967296;
}

const INSERTS = ['x', '\n', '\r\n', ';', '', 'int a;\n', '}'];

describe('change ranges recorded for the analysis', () => {
  for (const [label, base] of [
    ['a small document', 'int a;\nint b;\r\nvoid f(void) {\n\treturn;\n}\n'.repeat(20)],
    ['a large document (kept as lines)', 'int a;\nint b;\r\nvoid f(void) {\n\treturn;\n}\n'.repeat(Math.ceil(LARGE_DOCUMENT_CHARS / 40))],
  ] as const) {
    it(`compose into one span of the text last taken: ${label}`, () => {
      const next = random(label.length);
      const ranges = new ChangeRanges();
      const uri = 'file:///w/x.bpf.c';
      let doc = ranges.configuration.create(uri, 'c', 1, base);
      let taken = base;
      for (let round = 0; round < 30; round++) {
        // One to three notifications before the analysis takes the text, each with one to three changes.
        for (let n = 0; n < 1 + Math.floor(next() * 3); n++) {
          const changes: TextDocumentContentChangeEvent[] = [];
          for (let c = 0; c < 1 + Math.floor(next() * 3); c++) {
            const a = doc.positionAt(Math.floor(next() * doc.getText().length));
            const b = { line: a.line + Math.floor(next() * 2), character: Math.floor(next() * 6) };
            changes.push({ range: { start: a, end: b }, text: INSERTS[Math.floor(next() * INSERTS.length)] as string });
          }
          doc = ranges.configuration.update(doc, changes, doc.version + 1);
        }
        const span = ranges.take(uri);
        const now = doc.getText();
        assert.ok(span, 'a span');
        assert.equal(now.length - taken.length, span.newEnd - span.oldEnd);
        assert.equal(taken.slice(0, span.start), now.slice(0, span.start), 'before the span');
        assert.equal(taken.slice(span.oldEnd), now.slice(span.newEnd), 'after the span');
        taken = now;
      }
      assert.equal(ranges.take(uri), undefined, 'nothing pending after a take');
      doc = ranges.configuration.update(doc, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }, { text: 'int c;\n' }], doc.version + 1);
      assert.equal(ranges.take(uri), null, 'a whole-text change: unknown');
    });
  }
});
