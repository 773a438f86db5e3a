// Error tolerance while typing (lastGoodFacts.ts): an editor's buffer with a broken region keeps
// the facts it had outside it (moved by the edit) and the last good ones inside it; a file read
// from disk (the CLI) is read as it is. On the examples workspace, with the real parser.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CDocument } from '../../server/src/analysis/c/document';
import { MacroTable } from '../../server/src/analysis/c/macros';
import { misleadingBody } from '../../server/src/analysis/c/misleadingBody';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { LineIndex } from '../../server/src/analysis/c/lineIndex';
import { brokenByEdit } from '../../server/src/analysis/lastGoodFacts';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { appendEdit, moveThrough, relocateFacts, spanEdit, type SpanEdit } from '../../server/src/analysis/relocate';
import { Workspace } from '../../server/src/analysis/workspace';

const EXAMPLES = resolve(__dirname, '..', '..', 'examples');
const FIFO = join(EXAMPLES, 'sched', 'fifo.bpf.c');
const MULTI = join(EXAMPLES, 'testmod', 'multi_ops.bpf.c');
const MULTI_LOADER = join(EXAMPLES, 'testmod', 'multi_ops.c');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.name === 'build' ? [] : e.isDirectory() ? sources(join(dir, e.name)) : [join(dir, e.name)]));
}

function examples(): Workspace {
  const ws = new Workspace();
  for (const f of sources(EXAMPLES)) ws.setFile(f, readFileSync(f));
  return ws;
}

/** Programs (name, line, state) and findings (rule, file, line), the way an editor shows them. */
function shown(model: WorkspaceModel): { programs: string[]; findings: string[] } {
  return {
    programs: model.programs.map((p) => `${p.location.file.split('/').pop()}:${p.location.range.start.line} ${p.name} ${p.association.state}`).sort(),
    findings: model.findings.map((f) => `${f.location.file.split('/').pop()}:${f.location.range.start.line} ${f.rule}`).sort(),
  };
}

/** `text` with `insert` put before `needle`. */
function insertBefore(text: string, needle: string, insert: string): string {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  return text.slice(0, at) + insert + text.slice(at);
}

/** What `shown` said, with the lines of `file` at or after `from` moved by `by`. */
function moved(s: { programs: string[]; findings: string[] }, file: string, from: number, by: number): { programs: string[]; findings: string[] } {
  const name = file.split('/').pop() as string;
  const move = (x: string): string => x.replace(/^([^:]+):(\d+)/, (all, f: string, n: string) => (f === name && Number(n) >= from ? `${f}:${Number(n) + by}` : all));
  return { programs: s.programs.map(move).sort(), findings: s.findings.map(move).sort() };
}

describe('facts kept while a region is broken (lastGoodFacts.ts)', () => {
  before(async () => {
    await loadGrammar();
  });

  it('a half-typed function in an edited buffer changes no program, state or finding outside it', () => {
    const ws = examples();
    const text = readFileSync(FIFO, 'utf8');
    ws.update(FIFO, text);
    const start = shown(ws.model());
    const line = text.slice(0, text.indexOf('/* Associated')).split('\n').length - 1;
    for (const typed of ['void BPF_STRUCT_OPS(fifo_spare, struct task_struct *p)\n', 'void BPF_STRUCT_OPS(fifo_spare, struct task_struct *p)\n{\n']) {
      ws.update(FIFO, insertBefore(text, '/* Associated', typed));
      assert.deepEqual(shown(ws.model()), moved(start, FIFO, line, typed.split('\n').length - 1), JSON.stringify(typed));
    }
    // Finished: the new program is there, unreferenced, and nothing else changed.
    const done = 'void BPF_STRUCT_OPS(fifo_spare, struct task_struct *p)\n{\n}\n\n';
    ws.update(FIFO, insertBefore(text, '/* Associated', done));
    const after = shown(ws.model());
    // An unreferenced struct_ops program with autoload on fails the whole load: not-loaded is the truth here.
    assert.ok(after.programs.includes(`fifo.bpf.c:${line} fifo_spare not-loaded`), after.programs.join());
    assert.deepEqual(after.findings.filter((f) => f.includes('unreferenced')), [`fifo.bpf.c:${line} unreferenced-struct-ops-program`]);
  });

  it('a deleted closing brace keeps every program and the poisoned warning', () => {
    const ws = examples();
    const text = readFileSync(MULTI, 'utf8');
    ws.update(MULTI, text);
    const start = shown(ws.model());
    assert.ok(start.findings.some((f) => f.startsWith('multi_ops.bpf.c:') && f.endsWith(' poisoned-association')), start.findings.join());
    const at = text.indexOf('}', text.indexOf('return TEST_1_RET;'));
    ws.update(MULTI, text.slice(0, at) + text.slice(at + 1));
    assert.deepEqual(shown(ws.model()), start);
  });

  it('a file read from disk, as the CLI reads it, is read as it is (its parse gaps show)', () => {
    const text = readFileSync(MULTI, 'utf8');
    const at = text.indexOf('}', text.indexOf('return TEST_1_RET;'));
    const broken = text.slice(0, at) + text.slice(at + 1);
    const ws = examples();
    ws.setFile(MULTI, readFileSync(MULTI));
    const start = shown(ws.model());
    ws.setFile(MULTI, broken);
    const cli = shown(ws.model());
    assert.notDeepEqual(cli, start, 'the broken text read as it is');
    const again = examples();
    again.setFile(MULTI, broken);
    assert.deepEqual(shown(again.model()), cli, 'the same as a workspace that only ever saw the broken text');
  });

  it("a loader's half-typed call and its unfinished `if (err)` do not change which maps are attached", () => {
    const ws = examples();
    const text = readFileSync(MULTI_LOADER, 'utf8');
    ws.update(MULTI_LOADER, text);
    const start = shown(ws.model());
    const anchor = '\n\n\terr = multi_ops__attach(skel);';
    const typed = ['\n\n\terr = bpf_program__assoc_struct_ops(skel->progs.trace_prog_b', '\n\n\terr = bpf_program__assoc_struct_ops(skel->progs.trace_prog_b, skel->maps.st_ops_map_b, NULL);\n\tif (err)'];
    const line = text.slice(0, text.indexOf(anchor)).split('\n').length;
    for (const t of typed) {
      ws.update(MULTI_LOADER, insertBefore(text, anchor, t));
      assert.deepEqual(shown(ws.model()), moved(start, MULTI_LOADER, line, t.split('\n').length - 1), JSON.stringify(t));
    }
  });

  it('a slot typed into an initialiser does not take the next slot away while it reads as `.r.init`', () => {
    const ws = examples();
    const text = readFileSync(FIFO, 'utf8');
    ws.update(FIFO, text);
    const start = shown(ws.model());
    const line = text.slice(0, text.indexOf('\t       .init')).split('\n').length - 1;
    ws.update(FIFO, insertBefore(text, '\t       .init', '\t       .r\n'));
    assert.deepEqual(shown(ws.model()), moved(start, FIFO, line, 1));
  });
});

describe('moving facts through an edit (relocate.ts)', () => {
  it('keeps ranges before the edit, moves those after it, and leaves other files alone', () => {
    const before = 'a\nb\nc\n';
    const after = 'a\nNEW\nLINES\nb\nc\n';
    const edit = spanEdit(before, after);
    assert.ok(edit);
    const at = (line: number, character = 0): { line: number; character: number } => ({ line, character });
    const facts = {
      first: { file: '/f.c', range: { start: at(0), end: at(0, 1) } },
      last: { file: '/f.c', range: { start: at(2), end: at(2, 1) } },
      extent: { start: at(1), end: at(2, 1) },
      elsewhere: { file: '/g.c', range: { start: at(2), end: at(2, 1) } },
    };
    const out = relocateFacts(facts, '/f.c', [edit], new LineIndex(before), new LineIndex(after));
    assert.deepEqual(out.first.range, facts.first.range);
    assert.deepEqual(out.last.range, { start: at(4), end: at(4, 1) });
    assert.deepEqual(out.extent, { start: at(3), end: at(4, 1) });
    assert.deepEqual(out.elsewhere, facts.elsewhere);
  });

  it('moves what a keystroke trail moves and shares the rest: the same ranges as moving every one', () => {
    let s = 7;
    const next = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const base = Array.from({ length: 40 }, (_, i) => `line ${i} with some text;`).join('\n') + '\n';
    const from = new LineIndex(base);
    const at = (o: number): { line: number; character: number } => from.position(o);
    // Facts at every few characters, nested as a source's are, one in another file.
    const facts = {
      programs: Array.from({ length: 60 }, (_, i) => ({ name: `p${i}`, location: { file: '/f.c', range: { start: at(i * 17), end: at(i * 17 + 5) } }, extent: { start: at(i * 17), end: at(i * 17 + 30) } })),
      elsewhere: { file: '/g.c', range: { start: at(3), end: at(9) } },
    };
    for (let trail = 0; trail < 40; trail++) {
      const edits: SpanEdit[] = [];
      let text = base;
      // A few keystrokes near one place (some of them newlines), sometimes a second place.
      let place = Math.floor(next() * base.length);
      for (let k = 0; k < 6; k++) {
        if (next() < 0.15) place = Math.floor(next() * text.length);
        const after = next() < 0.7 ? text.slice(0, place) + (next() < 0.2 ? '\n' : 'x') + text.slice(place) : text.slice(0, place) + text.slice(place + 1);
        const e = spanEdit(text, after);
        if (e) appendEdit(edits, e);
        text = after;
        place = Math.min(text.length, place + 1);
      }
      const to = new LineIndex(text);
      const move = (r: { start: { line: number; character: number }; end: { line: number; character: number } }): unknown => ({ start: to.position(moveThrough(edits, from.offset(r.start))), end: to.position(moveThrough(edits, from.offset(r.end), true)) });
      const want = { programs: facts.programs.map((p) => ({ name: p.name, location: { file: '/f.c', range: move(p.location.range) }, extent: move(p.extent) })), elsewhere: facts.elsewhere };
      const got = relocateFacts(facts, '/f.c', edits, from, to);
      assert.deepEqual(got, want, `trail ${trail}`);
      const untouched = facts.programs.filter((p, i) => JSON.stringify(p) === JSON.stringify(want.programs[i])).length;
      const shared = facts.programs.filter((p, i) => got.programs[i] === p).length;
      assert.ok(shared <= untouched, 'only what does not move is shared');
      if (edits.length === 1 && !text.slice(edits[0]?.start, edits[0]?.newEnd).includes('\n') && !base.slice(edits[0]?.start, edits[0]?.oldEnd).includes('\n')) {
        assert.ok(shared >= untouched - 3, `typing within a line copies only the facts on that line (${shared} shared of ${untouched} unmoved)`);
      }
    }
  });

  it('through keystrokes in two places, text between them stays where it is (not where one span over both would put it)', () => {
    const edits: SpanEdit[] = [];
    // "a\nb\nc\n": "X" typed at the end of line 0, then "YZ" typed (one key at a time) at the end of line 2.
    for (const [before, after] of [['a\nb\nc\n', 'aX\nb\nc\n'], ['aX\nb\nc\n', 'aX\nb\ncY\n'], ['aX\nb\ncY\n', 'aX\nb\ncYZ\n']] as const) {
      appendEdit(edits, spanEdit(before, after) as SpanEdit);
    }
    assert.equal(edits.length, 2, 'typing on in one place is one edit');
    assert.equal(moveThrough(edits, 2), 3, '"b" moved by the one character typed before it');
    assert.equal(moveThrough(edits, 5), 8, 'the end of the text moved by all three');
  });

  it('an error the last good text had already (moved by the edit) does not make a region broken', () => {
    const edit = { start: 10, oldEnd: 10, newEnd: 15 };
    assert.equal(brokenByEdit(edit, [30, 32], [25, 27]), false);
    assert.equal(brokenByEdit(edit, [30, 32, 12, 12], [25, 27]), true, 'a new error in the edit');
    assert.equal(brokenByEdit(edit, [30, 32, 40, 40], [25, 27]), true, 'a new error after it (a MISSING `}` at the end)');
  });
});

describe('misleading bodies while typing (c/misleadingBody.ts)', () => {
  before(async () => {
    await loadGrammar();
  });

  const check = (text: string, after: string): boolean => {
    const doc = new CDocument(new MacroTable([]));
    try {
      return misleadingBody(doc.update(text), text.indexOf(after), text.indexOf(after) + after.length);
    } finally {
      doc.dispose();
    }
  };

  it('the next statement at the same indentation as a just-typed `if (err)` is not its body yet', () => {
    assert.equal(check('int f(int err)\n{\n\tif (err)\n\terr = g();\n\treturn err;\n}\n', 'if (err)'), true);
    assert.equal(check('int f(int err)\n{\n\tif (err)\n\t\terr = g();\n\treturn err;\n}\n', 'if (err)'), false, 'indented deeper: its body');
    assert.equal(check('int f(int err)\n{\n\tif (err) {\n\terr = g();\n\t}\n\treturn err;\n}\n', 'if (err) {'), false, 'a block');
    assert.equal(check('int f(int err)\n{\n\tif (err) err = g();\n\treturn err;\n}\n', 'if (err)'), false, 'on the same line');
  });
});
