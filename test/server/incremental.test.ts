// Incremental analysis (issue 11, item 3): after an edit only the objects that reach the edited
// file are planned, merged and built again; every other object's part of the model is the same
// object as before; and the model after edits equals a fresh analysis of the final texts. Real
// parser, real workspaces (the benchmark's generated objects, the repository's examples).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { generateWorkspace } from '../../bench/generate';

const ROOT = resolve(__dirname, '..', '..');

function fresh(files: Map<string, string>): Workspace {
  const ws = new Workspace();
  for (const [p, t] of files) ws.setFile(p, t);
  return ws;
}

function freshModel(files: Map<string, string>): ReturnType<Workspace['model']> {
  const ws = fresh(files);
  const model = ws.model();
  ws.dispose();
  return model;
}

/** The repository's examples/ (sources, loaders, headers), as text. */
function examples(): Map<string, string> {
  const dir = join(ROOT, 'examples');
  const files = new Map<string, string>();
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (/\.(c|h)$/.test(f) && !f.startsWith('build/')) files.set(join(dir, f), readFileSync(join(dir, f), 'utf8'));
  }
  return files;
}

describe('incremental analysis: only what an edit reaches is built again', () => {
  before(async () => {
    await loadGrammar();
  });

  it("an edit in one object's source keeps every other object's part of the model (the same objects)", () => {
    const files = generateWorkspace(4);
    const ws = fresh(files);
    const before = ws.model();
    const src = '/bench/sched1/sched1.bpf.c';
    // A line added (what the facts place moves): an edit that changes nothing they say keeps even this object's part.
    files.set(src, (files.get(src) as string).replace(/return 0;/, 'return 0;\n\t/* edited */'));
    ws.update(src, files.get(src) as string);
    const after = ws.model();
    assert.deepStrictEqual(after, freshModel(files));
    const touched = after.objects.filter((o) => o.sources.includes(src)).map((o) => o.id);
    assert.equal(touched.length, 1);
    for (const o of after.objects) {
      const old = before.objects.find((b) => b.id === o.id);
      if (touched.includes(o.id)) assert.notEqual(o, old, `${o.id} was built again`);
      else assert.equal(o, old, `${o.id} kept its part of the model`);
    }
    for (const p of after.programs) if (!touched.includes(p.object)) assert.equal(p, before.programs.find((b) => b.id === p.id));
    ws.dispose();
  });

  it('a slot toggled in a loader-less object and back: the findings follow, and equal a fresh analysis each time', () => {
    const files = examples();
    const src = [...files.keys()].find((p) => p.endsWith('testmod/multi_ops.bpf.c')) as string;
    const ws = fresh(files);
    ws.model();
    const text = files.get(src) as string;
    const slot = /(\.\w+\s*=\s*\(void \*\))(\w+)/.exec(text);
    assert.ok(slot, 'multi_ops.bpf.c has a slot to toggle');
    for (const next of [text.replace(slot[0], `${slot[1]}NULL`), text]) {
      files.set(src, next);
      ws.update(src, next);
      assert.deepStrictEqual(ws.model(), freshModel(files));
    }
    ws.dispose();
  });

  it("typing a macro name that only an unnameable header defines: the file's macros are chosen again", () => {
    // The stray header defines PROG_SEC, but the unit can never include it: once the code uses
    // PROG_SEC, its definition must not reach the file (macroScopes.ts, unnameable), so no program.
    const files = new Map<string, string>([
      ['/ws/other/stray.h', '#define PROG_SEC SEC("tc")\n'],
      ['/ws/prog/prog.bpf.c', '#include <bpf/bpf_helpers.h>\n\nSEC("syscall")\nint real(void *ctx)\n{\n\treturn 0;\n}\n'],
    ]);
    const ws = fresh(files);
    ws.model();
    const src = '/ws/prog/prog.bpf.c';
    const base = files.get(src) as string;
    // A statement in the body (no header name): the table is kept; then the name, on a line of its own.
    for (const next of [base.replace('\treturn 0;', '\tint spare = 1;\n\treturn spare - 1;'), `${base}\nPROG_SEC\nint stray(void *ctx)\n{\n\treturn 0;\n}\n`]) {
      files.set(src, next);
      ws.update(src, next);
      const model = ws.model();
      assert.deepStrictEqual(model, freshModel(files));
      assert.deepEqual(model.programs.map((p) => p.name), ['real']);
    }
    ws.dispose();
  });

  it('a statement typed one character at a time into a real source ends as a fresh analysis of the final text', () => {
    const files = examples();
    const src = [...files.keys()].find((p) => p.endsWith('sched/fifo.bpf.c')) as string;
    const ws = fresh(files);
    ws.model();
    const lines = (files.get(src) as string).split('\n');
    const at = lines.findIndex((l) => /^\treturn 0;/.test(l));
    assert.ok(at > 0);
    const stmt = '\tu64 spare_cnt = bpf_ktime_get_ns() + MAX_DSQ;';
    for (let i = 1; i <= stmt.length; i++) {
      ws.update(src, [...lines.slice(0, at), stmt.slice(0, i), ...lines.slice(at)].join('\n'), { unsaved: true });
      ws.model();
    }
    const final = [...lines.slice(0, at), stmt, ...lines.slice(at)].join('\n');
    files.set(src, final);
    ws.update(src, final);
    assert.deepStrictEqual(ws.model(), freshModel(files));
    ws.dispose();
  });

  it('lines opened and removed next to macro lines, and a comment with characters outside Latin-1 typed into: clean keystrokes equal a fresh analysis', () => {
    const files = examples();
    const src = [...files.keys()].find((p) => p.endsWith('sched/fifo.bpf.c')) as string;
    // A comment with an em dash and an arrow (two-byte characters) on the lines edited below.
    let text = (files.get(src) as string).replace('/* Associated with fifo_ops', '/* Associated — via SCX_OPS_LOAD() → with fifo_ops');
    files.set(src, text);
    const ws = fresh(files);
    ws.model();
    ws.update(src, text, { unsaved: true });
    ws.model();
    const type = (at: number, oldEnd: number, inserted: string, check: boolean): void => {
      text = text.slice(0, at) + inserted + text.slice(oldEnd);
      ws.update(src, text, { unsaved: true }, { start: at, oldEnd, newEnd: at + inserted.length });
      const model = ws.model();
      if (!check) return;
      files.set(src, text);
      assert.deepStrictEqual(model, freshModel(files), `after ${JSON.stringify(inserted)} at ${at}`);
    };
    // An empty line opened between SEC("syscall") and the comment above it (a line with an invocation below), and removed.
    const secLine = text.indexOf('SEC("syscall")');
    type(secLine, secLine, '\t\n', true);
    type(secLine, secLine + 2, '', true);
    // A statement typed into kick_cpus, one character at a time, on a line of its own.
    const body = text.indexOf('\treturn 0;', secLine);
    type(body, body, '\n', true);
    const stmt = '\tu64 spare = bpf_ktime_get_ns();';
    for (let i = 0; i < stmt.length; i++) type(body + i, body + i, stmt[i] as string, i === stmt.length - 1);
    // Characters typed into the comment that has the em dash: the line still reads as before.
    const dash = text.indexOf('—');
    for (const [i, ch] of [...' → —'].entries()) type(dash + 1 + i, dash + 1 + i, ch, true);
    // The statement's line removed whole.
    const line = text.indexOf(stmt);
    type(line, line + stmt.length + 1, '', true);
    ws.dispose();
  });
});
