// A keystroke that changes a file's macro table (a `#define` typed, a definition's body edited)
// keeps the file's expansion only where the new table expands the text alike: the kept expansion
// and the tree re-parsed from it must equal a fresh expansion and parse of the text with the new
// table, at every step of the typing.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CDocument, parseOnce, type ParsedC } from '../../server/src/analysis/c/document';
import { expandSource, type Expansion } from '../../server/src/analysis/c/expand';
import { collectDefines, MacroTable, type MacroDef } from '../../server/src/analysis/c/macros';
import { collectUndefs } from '../../server/src/analysis/c/macroTimeline';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { expandsAlike } from '../../server/src/analysis/c/tableChange';

const CASES = join(__dirname, '..', 'fixtures', 'cases');

/** The BPF sources of the fixtures, with their case's header definitions. */
function sources(): { file: string; text: string; headers: MacroDef[] }[] {
  const out: { file: string; text: string; headers: MacroDef[] }[] = [];
  for (const c of readdirSync(CASES)) {
    const dir = join(CASES, c);
    const files = readdirSync(dir).filter((f) => /\.(c|h)$/.test(f));
    const headers = files.filter((f) => f.endsWith('.h')).flatMap((f) => collectDefines(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
    for (const f of files.filter((x) => x.endsWith('.bpf.c'))) out.push({ file: `${c}/${f}`, text: readFileSync(join(dir, f), 'utf8'), headers });
  }
  return out;
}

/** The table the workspace gives a BPF source: its own definitions first, then the headers'. */
function tableOf(text: string, file: string, headers: readonly MacroDef[]): MacroTable {
  return new MacroTable([...collectDefines(text, file), ...headers], { file, undefs: collectUndefs(text) });
}

function sameExpansion(got: Expansion, want: Expansion, what: string): void {
  assert.equal(got.text, want.text, `${what}: text`);
  assert.deepEqual(got.sections, want.sections, `${what}: sections`);
  assert.deepEqual(got.invocations, want.invocations, `${what}: invocations`);
  assert.deepEqual(got.costs, want.costs, `${what}: costs`);
  assert.equal(got.truncated, want.truncated, `${what}: truncated`);
  for (let i = 0; i <= want.text.length; i++) {
    if (got.map.toSource(i) !== want.map.toSource(i) || got.map.toSource(i, true) !== want.map.toSource(i, true)) assert.fail(`${what}: source map differs at expanded offset ${i}`);
  }
}

function sameParse(got: ParsedC, want: ParsedC, what: string): void {
  sameExpansion(got.expansion, want.expansion, what);
  assert.equal(got.tree?.rootNode.toString(), want.tree?.rootNode.toString(), `${what}: tree`);
  assert.deepEqual(got.unread?.map((u) => [u.start, u.end]), want.unread?.map((u) => [u.start, u.end]), `${what}: unread items`);
}

/** A line typed one character at a time at `at`, each step a text. */
function typed(text: string, at: number, line: string): string[] {
  return Array.from({ length: line.length + 1 }, (_, n) => `${text.slice(0, at)}${line.slice(0, n)}\n${text.slice(at)}`);
}

/** Where a new line can go at file scope: before the first line that starts a top-level item after the includes. */
function fileScopeLine(text: string): number {
  const m = /\n(?=(?:struct|SEC|static|int|void|char|u32|__u32|long)\b)/.exec(text);
  return m ? m.index + 1 : text.length;
}

describe('macro table changes while typing', () => {
  before(async () => {
    await loadGrammar();
  });
  const files = sources();
  // Unused names, names the files use (a program's macro, a map type, a helper), a name leading to SEC.
  const lines = [
    '#define SPARE_LIMIT (MAX_ENTRIES * 2)',
    '#define BPF_MAP_TYPE_ARRAY 2',
    '#define bpf_printk(fmt, ...) 0',
    '#define MY_OPS(name) SEC("struct_ops/" #name) name',
    '#define __always_inline inline',
  ];

  it('keeps the expansion only when the new table expands the text alike (a sixth of the fixture sources, each line typed)', () => {
    let alike = 0;
    let steps = 0;
    // (The runaway expansion's source is left out: it runs out of budget, which is never kept, at 30 ms a step.)
    for (const f of files.filter((x, i) => i % 6 === 0 && !x.file.startsWith('expansion-budget/'))) {
      const at = fileScopeLine(f.text);
      for (const line of lines) {
        let prevText = f.text;
        let prevTable = tableOf(prevText, f.file, f.headers);
        let prev = expandSource(prevText, prevTable);
        for (const text of typed(f.text, at, line)) {
          const table = tableOf(text, f.file, f.headers);
          // The property the document relies on: alike means a fresh expansion with the new table gives the same.
          if (expandsAlike(prevText, prev, prevTable, table)) {
            alike++;
            sameExpansion(expandSource(prevText, table), prev, `${f.file} + '${text.slice(at, text.indexOf('\n', at))}'`);
          }
          steps++;
          prevText = text;
          prevTable = table;
          prev = expandSource(text, table);
        }
      }
    }
    // Most steps of a half-typed #define change nothing the files expand: the kept path must be taken.
    assert.ok(alike > steps / 3, `${alike} of ${steps} table changes kept the expansion`);
    assert.ok(alike < steps, 'some table changes must expand again');
  });

  it('a document given a new table on each keystroke parses as a fresh document would', () => {
    let checked = 0;
    // A plain source, one that redefines a macro, one whose programs come from a project macro, kfunc calls.
    const some = ['poisoned-shared/shared.bpf.c', 'macro-redefined/redefined.bpf.c', 'section-attr-xmacro/hooks.bpf.c'];
    for (const [k, f] of files.filter((x) => some.includes(x.file)).entries()) {
      const at = fileScopeLine(f.text);
      // An unused name, one the file uses, one leading to SEC; and one more per file.
      for (const line of [lines[0], lines[1], lines[3], lines[k === 0 ? 2 : 4]] as string[]) {
        const doc = new CDocument(tableOf(f.text, f.file, f.headers));
        doc.update(f.text);
        const steps = typed(f.text, at, line);
        // Typed, then deleted again, as an editor does.
        for (const text of [...steps, ...steps.slice(0, -1).reverse(), f.text]) {
          const table = tableOf(text, f.file, f.headers);
          if (doc.macros !== table) doc.setMacros(table);
          const got = doc.update(text);
          const want = parseOnce(text, table);
          sameParse(got, want, `${f.file} + '${text.slice(at, text.indexOf('\n', at))}'`);
          want.tree?.delete();
          checked++;
        }
        doc.dispose();
      }
    }
    assert.ok(checked > 200, `${checked} keystrokes checked`);
  });

  it('a definition changed under its uses expands again, one nothing uses keeps the expansion', () => {
    const head = '#define SEC(n) __attribute__((section(n)))\n#define KIND "tc"\n#define UNUSED 1\n';
    const body = 'SEC(KIND) int prog(void *ctx) { return 0; }\n';
    const text = head + body;
    const before = tableOf(text, 'k.bpf.c', []);
    const exp = expandSource(text, before);
    const kind = head.replace('"tc"', '"xdp"') + body;
    const unused = head.replace('UNUSED 1', 'UNUSED 2') + body;
    assert.equal(expandsAlike(text, exp, before, tableOf(text.replace('"tc"', '"xdp"'), 'k.bpf.c', [])), false, 'KIND is looked up by SEC(KIND)');
    assert.equal(expandsAlike(text, exp, before, tableOf(unused, 'k.bpf.c', [])), true, 'UNUSED is not used');
    assert.equal(expandSource(kind, tableOf(kind, 'k.bpf.c', [])).sections[0]?.section, 'xdp');
  });
});
