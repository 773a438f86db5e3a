// After a keystroke the language server starts from the editor's change range (issue 11): the
// whole-text scans resume near the edit (longStretches, recovery's top-level items), the document
// re-parses from that range, and the readings of a text whose directives an edit left alone are
// kept. Each must give what a scan of the whole new text gives; here on real sources and fixtures,
// edited at random places with the characters that change the scans' states.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CDocument, parseOnce } from '../../server/src/analysis/c/document';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { collectUndefs } from '../../server/src/analysis/c/macroTimeline';
import { scanStretches, stretchesAfterEdit } from '../../server/src/analysis/c/longStretches';
import { LineIndex } from '../../server/src/analysis/c/lineIndex';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { composeEdits, leavesDirectivesAlone } from '../../server/src/analysis/c/textEdit';
import { topLevelItems, topLevelItemsAfterEdit } from '../../server/src/analysis/c/topLevel';
import { scanKfuncDecls } from '../../server/src/analysis/kfuncs';
import { angleIncludes, quotedIncludes } from '../../server/src/analysis/fragments';
import type { SpanEdit } from '../../server/src/analysis/relocate';
import { Rng } from '../../fuzz/rng';

const ROOT = join(__dirname, '..', '..');

function sources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'build' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && /\.(bpf\.c|c|h)$/.test(e.name) && !e.name.endsWith('.skel.h') && !e.name.startsWith('vmlinux')) out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(ROOT, 'examples'));
  walk(join(ROOT, 'test', 'fixtures', 'cases'));
  return out.filter((s) => s.text.length < 200_000);
}

/** Uniform in [0, 1), deterministic from the seed (the fuzz campaign's generator). */
function random(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next() / 4294967296;
}

const SNIPPETS = [';', '}', '{', '(', ')', '= {', ',', '\n', '#if X\n', '#endif\n', '/*', '*/', '"', 'x', 'int a', ' ', 'SEC("s") ', 'void f(void) {', '[', ']', '\\\n'];

/** A random edit of `text`: an insertion, a deletion or a replacement of up to 12 characters. */
function randomEdit(text: string, next: () => number): { text: string; edit: SpanEdit } {
  const start = Math.floor(next() * (text.length + 1));
  const removed = next() < 0.5 ? Math.min(text.length - start, Math.floor(next() * 12)) : 0;
  const inserted = next() < 0.7 ? (SNIPPETS[Math.floor(next() * SNIPPETS.length)] as string) : '';
  return { text: text.slice(0, start) + inserted + text.slice(start + removed), edit: { start, oldEnd: start + removed, newEnd: start + inserted.length } };
}

describe('scans after an edit give what a whole scan gives', function () {
  this.timeout(120_000);
  it('longStretches, resumed near the edit (real sources, random edits, a low length limit so that runs are found)', () => {
    const next = random(11);
    let edits = 0;
    for (const { path, text: original } of sources()) {
      for (const max of [40, 8 * 1024]) {
        let text = original;
        let scan = scanStretches(text, max);
        for (let i = 0; i < 12; i++) {
          const e = randomEdit(text, next);
          scan = stretchesAfterEdit(scan, e.text, e.edit);
          text = e.text;
          const whole = scanStretches(text, max);
          assert.deepEqual(scan.stretches, whole.stretches, `${path} edit ${i} (max ${max})`);
          assert.deepEqual(scan.resumes, whole.resumes, `${path} edit ${i} (max ${max}): resume points`);
          edits++;
        }
      }
    }
    assert.ok(edits > 500, `${edits} edits`);
  });

  it('top-level items, scanned again from the item before the edit', () => {
    const next = random(12);
    for (const { path, text: original } of sources()) {
      let text = original;
      let items = topLevelItems(text);
      for (let i = 0; i < 12; i++) {
        const e = randomEdit(text, next);
        items = topLevelItemsAfterEdit(items, e.text, e.edit);
        text = e.text;
        const whole = topLevelItems(text);
        assert.deepEqual(items.items, whole.items, `${path} edit ${i}`);
        assert.deepEqual([...items.definitions].sort((a, b) => a - b), [...whole.definitions].sort((a, b) => a - b), `${path} edit ${i}: definitions`);
        assert.deepEqual([...items.bodyAfter].sort((a, b) => a - b), [...whole.bodyAfter].sort((a, b) => a - b), `${path} edit ${i}: open bodies`);
      }
    }
  });

  it('line indexes, moved by the edit', () => {
    const next = random(16);
    for (const { path, text: original } of sources().slice(0, 40)) {
      let text = original;
      let lines = new LineIndex(text);
      for (let i = 0; i < 20; i++) {
        const e = randomEdit(text, next);
        lines = LineIndex.afterEdit(lines, e.text, e.edit);
        text = e.text;
        const whole = new LineIndex(text);
        assert.equal(lines.lineCount, whole.lineCount, `${path} edit ${i}`);
        for (let o = 0; o <= text.length; o += 37) assert.deepEqual(lines.position(o), whole.position(o), `${path} edit ${i} offset ${o}`);
      }
    }
  });

  it('composed change ranges cover every change, in the offsets of the first text and the last', () => {
    const next = random(13);
    for (let round = 0; round < 300; round++) {
      const first = 'abcdefghij'.repeat(5);
      let text = first;
      let span: SpanEdit | null = null;
      for (let i = 0; i < 1 + Math.floor(next() * 4); i++) {
        const e = randomEdit(text, next);
        span = composeEdits(span, e.edit);
        text = e.text;
      }
      const s = span as SpanEdit;
      assert.equal(text.length - first.length, s.newEnd - s.oldEnd);
      assert.equal(first.slice(0, s.start), text.slice(0, s.start), 'the text before the span is the same');
      assert.equal(first.slice(s.oldEnd), text.slice(s.newEnd), 'the text after the span is the same');
    }
  });

  it('an edit that leaves directives alone leaves every directive, macro, include and kfunc declaration as it was', () => {
    const next = random(14);
    let quiet = 0;
    for (const { path, text: original } of sources()) {
      for (let i = 0; i < 40; i++) {
        const e = randomEdit(original, next);
        if (!leavesDirectivesAlone(original, e.text, e.edit)) continue;
        quiet++;
        const delta = e.edit.newEnd - e.edit.oldEnd;
        const moved = (offset: number | undefined): number | undefined => (offset === undefined || offset < e.edit.oldEnd ? offset : offset + delta);
        const before = collectDefines(original, path).map((d) => ({ ...d, offset: moved(d.offset) }));
        assert.deepEqual(collectDefines(e.text, path), before, `${path}: defines`);
        assert.deepEqual(collectUndefs(e.text), collectUndefs(original).map((u) => ({ ...u, offset: moved(u.offset) as number })), `${path}: undefs`);
        assert.deepEqual(scanKfuncDecls(e.text, path), scanKfuncDecls(original, path), `${path}: kfunc declarations`);
        assert.deepEqual(quotedIncludes(path, e.text), quotedIncludes(path, original), `${path}: includes`);
        assert.deepEqual(angleIncludes(e.text), angleIncludes(original), `${path}: angle includes`);
      }
    }
    assert.ok(quiet > 100, `${quiet} quiet edits`);
  });

  it('a document given the change ranges parses as a fresh parse does', async function () {
    this.timeout(300_000);
    await loadGrammar();
    const next = random(15);
    for (const { path, text: original } of sources().filter((s) => s.path.endsWith('.bpf.c')).slice(0, 12)) {
      const table = new MacroTable(collectDefines(original, path));
      const doc = new CDocument(table);
      let text = original;
      doc.update(text);
      for (let i = 0; i < 10; i++) {
        // Sometimes two keystrokes before the document is asked again (one debounced rebuild).
        let span: SpanEdit | null = null;
        for (let k = 0; k < (next() < 0.3 ? 2 : 1); k++) {
          const e = randomEdit(text, next);
          doc.noteEdit(e.edit);
          span = composeEdits(span, e.edit);
          text = e.text;
        }
        const parsed = doc.update(text);
        const fresh = parseOnce(text, table);
        assert.equal(parsed.tree?.rootNode.toString(), fresh.tree?.rootNode.toString(), `${path} edit ${i}`);
        assert.deepEqual(parsed.unread, fresh.unread, `${path} edit ${i}: unread items`);
        assert.deepEqual(parsed.tooLong, fresh.tooLong, `${path} edit ${i}: long runs`);
        assert.deepEqual(parsed.lines.position(text.length), fresh.lines.position(text.length), `${path} edit ${i}: lines`);
        fresh.tree?.delete();
      }
      doc.dispose();
    }
  });
});
