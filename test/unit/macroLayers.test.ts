// A translation unit's macro table made over the workspace's (MacroTable.over, c/macroLayers.ts)
// is the table made from scratch from the same definitions: the same definition for every name,
// the same names expanded and leading to `SEC`, the same project macros, the same uses found.
// Checked on hand-written cases and on generated headers (fuzz/rng.ts, fixed seeds) with section
// attributes, host-only sections, built-in names, redefinitions and `#undef`s in the unit's file.
import { strict as assert } from 'node:assert';
import { collectDefines, MacroTable, type MacroDef } from '../../server/src/analysis/c/macros';
import { collectUndefs } from '../../server/src/analysis/c/macroTimeline';
import { makeDef } from '../../server/src/analysis/c/defineLines';
import { Rng } from '../../fuzz/rng';

const POOL = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'TRACE', 'ATTR', 'BPF_STRUCT_OPS', 'SCX_OPS_DEFINE', '__ksym', '__uint', 'SEC', 'BPF_PROG', '___bpf_concat', 'MY_SEC'];
const BODIES = ['__attribute__((section(NAME)))', '__attribute__((section(".init.text")))', '__attribute__((section("tc"), used))', 'SEC("tc")', 'SEC(NAME) int NAME(void)', 'BPF_PROG(NAME, x)', '1', 'x + y', '"text"', '__attribute__((unused))', ''];

function header(rng: Rng, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const name = POOL[rng.int(POOL.length)] as string;
    const parts: string[] = [];
    for (let k = rng.range(1, 3); k > 0; k--) parts.push(rng.chance(0.5) ? (POOL[rng.int(POOL.length)] as string) + (rng.chance(0.5) ? '(NAME)' : '') : (BODIES[rng.int(BODIES.length)] as string));
    out.push(`#define ${name}${rng.chance(0.6) ? '(NAME)' : ''} ${parts.join(' ')}`);
    if (rng.chance(0.1)) out.push(`#undef ${POOL[rng.int(POOL.length)]}`);
  }
  return out.join('\n') + '\n';
}

const OWN = 'own.bpf.c';
const USES = POOL.map((n) => `${n}(x) /* ${n} */ "${n}"`).join('\n');

function assertSame(over: MacroTable, scratch: MacroTable, what: string): void {
  assert.deepEqual([...over.changedNames(scratch)], [], `${what}: names the table over the base expands differently`);
  assert.deepEqual([...scratch.changedNames(over)], [], what);
  for (const name of POOL) {
    for (const at of [-1, 0, 40, 10_000]) assert.equal(over.get(name, at), scratch.get(name, at), `${what}: ${name} at ${at}`);
    assert.equal(over.isExpanded(name), scratch.isExpanded(name), `${what}: ${name} expanded`);
    assert.equal(over.leadsToSection(name), scratch.leadsToSection(name), `${what}: ${name} leads to SEC`);
  }
  assert.deepEqual(over.projectMacros().map((d) => d.name), scratch.projectMacros().map((d) => d.name), what);
  assert.equal(over.mentionsAny(USES), scratch.mentionsAny(USES), what);
  assert.equal(over.mentionsOutsideText(USES), scratch.mentionsOutsideText(USES), what);
  const found = (t: MacroTable): string[] => {
    const p = t.invocationPattern();
    p.lastIndex = 0;
    const names: string[] = [];
    for (let m = p.exec(USES); m; m = p.exec(USES)) names.push(`${m.index}:${m[0]}`);
    return names;
  };
  assert.deepEqual(found(over), found(scratch), what);
}

describe('macro tables over the workspace table', function () {
  this.timeout(60_000);
  it('gives a unit the definitions it puts in front, and the rest from the base', () => {
    const headers = collectDefines('#define ATTR __attribute__((section("tc")))\n#define TRACE ATTR\n#define B 1\n', 'h.h');
    const front = collectDefines('#define TRACE 2\n#define B ATTR\n', 'unit.h');
    const base = new MacroTable(headers);
    const over = MacroTable.over(base, front);
    assertSame(over, new MacroTable([...front, ...headers]), 'overrides');
    // TRACE no longer reaches a section in the unit; B now does.
    assert.equal(base.leadsToSection('TRACE'), true);
    assert.equal(over.leadsToSection('TRACE'), false);
    assert.equal(over.leadsToSection('B'), true);
  });

  it('keeps the built-in definitions of the names every table fixes', () => {
    const headers = collectDefines('#define BPF_STRUCT_OPS(n) SEC("x") n\n', 'h.h');
    const front = collectDefines('#define __ksym ATTR\n#define __uint(a, b) a\n#define BPF_STRUCT_OPS(n) n\n#define ATTR __attribute__((section("tc")))\n', OWN);
    const base = new MacroTable(headers);
    assertSame(MacroTable.over(base, front, { file: OWN, undefs: [] }), new MacroTable([...front, ...headers], { file: OWN, undefs: [] }), 'fixed names');
  });

  it('matches the table made from scratch on generated headers', () => {
    for (let i = 0; i < 300; i++) {
      const rng = Rng.forInput(11, 'macro-layers', i);
      const headers = [...collectDefines(header(rng, rng.range(2, 14)), 'a.h'), ...collectDefines(header(rng, rng.range(0, 8)), 'b.h')];
      const ownText = header(rng, rng.range(0, 6));
      const ownDefs = collectDefines(ownText, OWN);
      const overrides = collectDefines(header(rng, rng.range(0, 4)), 'c.h');
      const own = rng.chance(0.7) ? { file: OWN, undefs: collectUndefs(ownText) } : undefined;
      const modelled = rng.chance(0.3) ? (name: string): boolean => name === 'SCX_OPS_DEFINE' || name === 'C' : undefined;
      const front: MacroDef[] = [...(own ? ownDefs : []), ...overrides];
      const base = new MacroTable(headers, undefined, modelled);
      assertSame(MacroTable.over(base, front, own, modelled), new MacroTable([...front, ...headers], own, modelled), `input ${i}`);
    }
  });

  it("matches it for a header whose own definitions change along it (they are among the base's too)", () => {
    for (let i = 0; i < 150; i++) {
      const rng = Rng.forInput(11, 'macro-layers-header', i);
      const ownText = header(rng, rng.range(1, 8));
      const ownDefs = collectDefines(ownText, 'own.h');
      const headers = [...collectDefines(header(rng, rng.range(1, 10)), 'a.h'), ...ownDefs, ...collectDefines(header(rng, rng.range(0, 6)), 'b.h')];
      const overrides = collectDefines(header(rng, rng.range(0, 3)), 'c.h');
      const undefs = collectUndefs(ownText);
      const front = [...ownDefs, ...overrides];
      const over = MacroTable.over(new MacroTable(headers), front, { file: 'own.h', undefs, inBase: ownDefs });
      assertSame(over, new MacroTable([...front, ...headers], { file: 'own.h', undefs }), `header input ${i}`);
    }
  });

  it('finds uses of a name the word finder cannot read whole (a `$` in it) as the table from scratch does', () => {
    const headers = collectDefines('#define A SEC("tc")\n', 'h.h');
    const odd = makeDef('B$C', null, 'A', { file: 'u.h', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    const text = 'B$C int f(void); A x; B$Cd';
    const uses = (t: MacroTable): string[] => [...text.matchAll(t.invocationPattern())].map((m) => `${m.index}:${m[0]}`);
    const over = MacroTable.over(new MacroTable(headers), [odd]);
    assert.deepEqual(uses(over), uses(new MacroTable([odd, ...headers])));
    assert.deepEqual(uses(over), ['0:B$C', '17:A']);
  });

  it('is made only over a table made from scratch', () => {
    const base = new MacroTable(collectDefines('#define A 1\n', 'h.h'));
    assert.throws(() => MacroTable.over(MacroTable.over(base, []), []), /from scratch/);
  });
});
