// A keystroke on a directive line (a `#define` being typed) keeps the code's identifiers the
// macro-table choice read (fileMacros.ts): wherever onlyDirectiveLineChanged says so, reading the
// identifiers again must give the same set.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onlyDirectiveLineChanged } from '../../server/src/analysis/fileMacros';
import { codeIdentifiers } from '../../server/src/analysis/includers';

const CASES = join(__dirname, '..', 'fixtures', 'cases');
const TYPED = ['#', 'd', 'efine', ' X', ' Y(', 'a', ')', ' "', "'", '/*', '*/', '\\', ' 1', '\n', 'if', ' // c'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('identifiers of the code after a directive-line keystroke', () => {
  it('are the same wherever only a directive line changed (random keystrokes on and around directive lines of every fixture)', () => {
    let kept = 0;
    let steps = 0;
    for (const c of readdirSync(CASES)) {
      for (const f of readdirSync(join(CASES, c)).filter((x) => /\.(c|h)$/.test(x))) {
        const next = rng(steps + 7);
        let text = readFileSync(join(CASES, c, f), 'utf8');
        for (let k = 0; k < 30; k++) {
          // Near a directive line when there is one: its start, its end, or the line after.
          const lines = [...text.matchAll(/^[ \t]*#.*$/gm)];
          const m = lines[Math.floor(next() * lines.length)];
          const at = m ? (m.index as number) + Math.floor(next() * (m[0].length + 2)) : Math.floor(next() * text.length);
          const pos = Math.min(at, text.length);
          const after = next() < 0.7 ? text.slice(0, pos) + (TYPED[Math.floor(next() * TYPED.length)] as string) + text.slice(pos) : text.slice(0, pos) + text.slice(pos + 1);
          steps++;
          if (onlyDirectiveLineChanged(text, after)) {
            kept++;
            assert.deepEqual([...codeIdentifiers(after)].sort(), [...codeIdentifiers(text)].sort(), `${c}/${f}: ${JSON.stringify(after.slice(Math.max(0, pos - 20), pos + 20))}`);
          }
          text = after;
        }
      }
    }
    assert.ok(kept > 100, `${kept} of ${steps} keystrokes kept the identifiers`);
  });

  it('not for a line continued from a directive, one inside a comment, or one that opens a comment', () => {
    const base = '#define A(x) \\\n  x\nint a;\n/*\n#define B 1\n*/\n#define C 1\n';
    assert.equal(onlyDirectiveLineChanged(base, base.replace('#define C 1', '#define C 12')), true);
    assert.equal(onlyDirectiveLineChanged(base, base.replace('#define B 1', '#define B 12')), false, 'inside a block comment');
    assert.equal(onlyDirectiveLineChanged(base, base.replace('  x\n', '  xy\n')), false, 'a continuation line');
    assert.equal(onlyDirectiveLineChanged(base, base.replace('#define C 1', '#define C 1 /*')), false, 'a comment opened');
    assert.equal(onlyDirectiveLineChanged(base, base.replace('int a;', 'int ab;')), false, 'code');
  });
});
