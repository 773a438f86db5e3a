// The macro table's invocation pattern (c/nameFinder.ts) finds what `\b(?:name|...)\b` finds: the
// same matches at the same offsets, whatever stands next to a name, on the fixtures' real sources
// and on words built to sit at the edges (digits, underscores, `$`, a name inside a longer one).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { namesPattern } from '../../server/src/analysis/c/nameFinder';

function alternation(names: Iterable<string>): RegExp {
  const sorted = [...names].sort((a, b) => b.length - a.length).map((n) => n.replace(/\$/g, '\\$'));
  return new RegExp(`\\b(?:${sorted.join('|')})\\b`, 'g');
}

function matches(pattern: RegExp, text: string): [number, string][] {
  const out: [number, string][] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) out.push([m.index, m[0]]);
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.[ch]$/.test(name)) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

describe('macro invocation pattern', () => {
  const names = new Set(['SEC', 'BPF_PROG', 'BPF_STRUCT_OPS', 'BPF_STRUCT_OPS_SLEEPABLE', '__uint', '__type', '__ksym', 'A', 'a1', '_x']);
  const edges = 'SEC(x) xSEC SEC1 1SEC _SEC SEC_ BPF_PROG2 BPF_STRUCT_OPS_SLEEPABLE(a) BPF_STRUCT_OPSX a1a a1 1a1 _x__x _x $SEC SEC$ A.A A;A AA (A)';

  it('finds the words the alternation finds, at the same offsets', () => {
    assert.deepEqual(matches(namesPattern(names), edges), matches(alternation(names), edges));
    assert.ok(matches(namesPattern(names), edges).length >= 10);
  });

  it('gives the same matches on every fixture source and example', () => {
    const texts = [...sources('test/fixtures'), ...sources('examples')];
    const words = new Set(texts.join('\n').match(/\b[A-Za-z_]\w*/g)?.filter((_, i) => i % 7 === 0));
    let found = 0;
    for (const text of texts) {
      const ours = matches(namesPattern(words), text);
      assert.deepEqual(ours, matches(alternation(words), text));
      found += ours.length;
    }
    assert.ok(found > 1000, `${found} matches`);
  });

  it('falls back to the alternation for a name with `$`', () => {
    const odd = new Set(['a$b', 'ab']);
    const text = 'a$b ab a$bc xa$b ab$';
    assert.deepEqual(matches(namesPattern(odd), text), matches(alternation(odd), text));
  });
});
