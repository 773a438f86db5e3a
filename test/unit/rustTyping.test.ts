// Typing into a Rust (libbpf-rs) loader, as the language server reads it keystroke by keystroke
// (Workspace.update with unsaved buffers): a half-typed line never changes which maps are attached
// (rust/lastGood.ts), the incremental parse reads what a fresh parse reads, and a keystroke that
// changes nothing the loader's facts say keeps the same facts object (rust/rustLoaders.ts).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadRustGrammar, parseRust } from '../../server/src/analysis/rust/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import type { LoaderFacts } from '../../server/src/analysis/facts';
import { listCaseFiles, listCrateFiles, stateOf } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CRATE = join(ROOT, 'test', 'fixtures', 'rust', 'attach-results');
const MAIN = join(CRATE, 'src', 'main.rs');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');


/** The crate as the CLI reads it, with its main.rs as `text`. */
function workspaceWith(text: string, crate = CRATE, main = MAIN): Workspace {
  const ws = new Workspace();
  for (const f of [...listCrateFiles(crate), ...listCaseFiles(INCLUDE)]) ws.setFile(f, f === main ? text : readFileSync(f));
  return ws;
}

/** Every program's association (state and maps), by name. */
function states(model: WorkspaceModel): Record<string, string> {
  return Object.fromEntries(model.programs.map((p) => [p.name, stateOf(model, p.name)]));
}

/** The loader's `attach_struct_ops()` calls: the map each names, and the line and column it starts at. */
function attachCalls(facts: unknown): [string, number, number][] {
  return ((facts as LoaderFacts | undefined)?.actions ?? []).flatMap((a): [string, number, number][] => (a.kind === 'attach_struct_ops' ? [[a.map.name, a.location.range.start.line, a.location.range.start.character]] : []));
}

/** The texts of typing `typed` on a new line before line `at` (0-based), one character per keystroke, Enter first. */
function typing(lines: string[], at: number, typed: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= typed.length; i++) out.push([...lines.slice(0, at), typed.slice(0, i), ...lines.slice(at)].join('\n'));
  return out;
}

describe('typing into a Rust loader', () => {
  const original = readFileSync(MAIN, 'utf8');
  const lines = original.split('\n');
  before(async () => {
    await loadGrammar();
    await loadRustGrammar();
  });

  it('a half-typed `skel.maps.` above an attach line never changes which maps are attached, nor where', () => {
    const at = lines.findIndex((l) => l.includes('skel.maps.ops_e.attach_struct_ops()'));
    assert.ok(at > 0, 'attach-results attaches ops_e in an else block');
    const ws = workspaceWith(original);
    const before = states(ws.model());
    // The attach calls of the untouched lines, where the inserted line moves them.
    const moved = attachCalls(ws.facts(MAIN)).map(([map, line, col]) => `${map}@${line >= at ? line + 1 : line}:${col}`);
    assert.ok(moved.includes(`ops_e@${at + 1}:8`));
    const texts = typing(lines, at, '        skel.maps.');
    for (const text of texts) {
      ws.update(MAIN, text, { unsaved: true });
      const shown = JSON.stringify(text.split('\n')[at]);
      assert.deepEqual(states(ws.model()), before, `states while typing ${shown}`);
      assert.deepEqual(attachCalls(ws.facts(MAIN)).map(([map, line, col]) => `${map}@${line}:${col}`), moved, `attach calls while typing ${shown}`);
    }
    // The last text parses cleanly by taking the attach line in (`skel.maps.skel.maps.ops_e...`):
    // read as it is (the CLI), the ops_e attach is a call of the half-typed line.
    const last = texts[texts.length - 1] as string;
    const tree = parseRust(last);
    assert.equal(tree?.rootNode.hasError, false, 'the half-typed line joins the next one cleanly');
    tree?.delete();
    const asItIs = workspaceWith(last);
    asItIs.model();
    assert.ok(attachCalls(asItIs.facts(MAIN)).some(([map, line]) => map === 'ops_e' && line === at), 'read as it is, the joined call starts on the half-typed line');
    // Finishing the line (`skel.maps.ops_d;`) reads the text again: a statement of its own.
    const finished = [...lines.slice(0, at), '        skel.maps.ops_d;', ...lines.slice(at)].join('\n');
    ws.update(MAIN, finished, { unsaved: true });
    const done = workspaceWith(finished);
    assert.deepEqual(states(ws.model()), states(done.model()));
    assert.deepEqual(ws.facts(MAIN), done.facts(MAIN));
  });

  it('typed and deleted character by character, the incremental reading is the fresh one, and keystrokes that change nothing keep the facts', () => {
    const at = lines.findIndex((l) => l.includes('let h = skel.maps.ops_h'));
    const typed = '    let spare = vec![1, 2];';
    const texts = typing(lines, at, typed);
    const ws = workspaceWith(original);
    ws.model();
    let previous: unknown = null;
    for (const [i, text] of [...texts, ...[...texts].reverse(), original].entries()) {
      ws.update(MAIN, text, { unsaved: true });
      const model = ws.model();
      const facts = ws.facts(MAIN);
      const fresh = workspaceWith(text);
      const freshModel = fresh.model();
      // Clean texts read as a fresh parse of them does (held texts are the last clean reading's, moved).
      const tree = parseRust(text);
      if (!tree?.rootNode.hasError) {
        assert.deepEqual(facts, fresh.facts(MAIN), `facts of keystroke ${i}`);
        assert.deepEqual(states(model), states(freshModel), `states at keystroke ${i}`);
      }
      tree?.delete();
      // Within the typed line nothing the facts say changes (no call, no line moved): the same object.
      const sameLine = i > 0 && i <= typed.length + 1 + typed.length && i !== texts.length;
      if (sameLine) assert.equal(facts, previous, `keystroke ${i} keeps the facts object`);
      previous = facts;
    }
  });
});
