// An edited document's expansion is kept one byte a character (c/latin1.ts): characters outside
// Latin-1 in comments become a stand-in, and nothing read from the document changes. At every
// keystroke typed into a source with an em dash and an arrow in its comments (and one in a string,
// which must stay), the document's tree and BPF facts equal a fresh parse's.
import { strict as assert } from 'node:assert';
import { CDocument, parseOnce } from '../../server/src/analysis/c/document';
import { commentsInLatin1, COMMENT_STAND_IN, isLatin1, sameVerbatim } from '../../server/src/analysis/c/latin1';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { readBpfSource } from '../../server/src/analysis/bpfSource';
import type { SpanEdit } from '../../server/src/analysis/relocate';

const SOURCE = [
  '#define SEC(n) __attribute__((section(n)))',
  '/* Called under the lock — do not nest → see below */',
  'struct sched_ext_ops { void *enqueue; };',
  'SEC("struct_ops/fifo_enqueue") void fifo_enqueue(void *p) // enqueue — the only one',
  '{',
  '\tint budget = 0; /* zero → deny */',
  '\tbpf_ktime_get_ns();',
  '}',
  'SEC(".struct_ops") struct sched_ext_ops fifo_ops = {',
  '\t.enqueue = (void *)fifo_enqueue,',
  '};',
  'char name[] = "café — ok";',
  '',
].join('\n');

describe('an edited document keeps its expansion one byte a character', function () {
  this.timeout(60_000);
  before(loadGrammar);

  it('replaces characters outside Latin-1 only in comments, keeping lengths', () => {
    const commentsOnly = SOURCE.replace('"café — ok"', '"cafe"');
    const out = commentsInLatin1(commentsOnly);
    assert.ok(out !== null && isLatin1(out));
    assert.equal(out.length, commentsOnly.length);
    for (let i = 0; i < out.length; i++) {
      if (out.charCodeAt(i) !== commentsOnly.charCodeAt(i)) assert.ok(out.charCodeAt(i) === COMMENT_STAND_IN && commentsOnly.charCodeAt(i) > 0xff, `offset ${i}`);
    }
    assert.ok(sameVerbatim(out, commentsOnly));
    // One in a string literal stays: the text is left as it is.
    assert.equal(commentsInLatin1(SOURCE), null);
    assert.equal(commentsInLatin1('int x; /* plain */'), null, 'nothing to replace');
  });

  it('gives the tree and the facts of a fresh parse at every keystroke', () => {
    const text0 = SOURCE.replace('"café — ok"', '"cafe"');
    const table = new MacroTable(collectDefines(text0, 'a.bpf.c'));
    const doc = new CDocument(table);
    let text = text0;
    doc.update(text);
    const at = text.indexOf('\tbpf_ktime_get_ns();');
    // A statement typed on a new line, then a comment with an em dash typed on a line that has one.
    const typed = '\tu64 now = bpf_ktime_get_ns(); // now — later\n';
    const inComment = text.indexOf(' /* zero → deny */') + ' /* zero'.length;
    const edits: SpanEdit[] = [];
    const texts: string[] = [];
    for (let k = 1; k <= typed.length; k++) {
      const next = text0.slice(0, at) + typed.slice(0, k) + text0.slice(at);
      texts.push(next);
      edits.push({ start: at + k - 1, oldEnd: at + k - 1, newEnd: at + k });
    }
    for (const [k, ch] of [...' — x'].entries()) {
      const pos = inComment + k;
      const prev = texts[texts.length - 1] as string;
      texts.push(prev.slice(0, pos) + ch + prev.slice(pos));
      edits.push({ start: pos, oldEnd: pos, newEnd: pos + 1 });
    }
    let oneByte = 0;
    texts.forEach((next, i) => {
      doc.noteEdit(edits[i] as SpanEdit);
      text = next;
      const parsed = doc.update(text);
      const fresh = parseOnce(text, table);
      assert.equal(parsed.tree?.rootNode.toString(), fresh.tree?.rootNode.toString(), `keystroke ${i}: tree`);
      assert.deepEqual(readBpfSource(parsed, 'a.bpf.c'), readBpfSource(fresh, 'a.bpf.c'), `keystroke ${i}: facts`);
      if (isLatin1(parsed.expansion.text)) oneByte++;
      fresh.tree?.delete();
    });
    assert.equal(oneByte, texts.length, 'the expansion is Latin-1 after every keystroke');
    doc.dispose();
  });
});
