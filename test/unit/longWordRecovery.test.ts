// An unreadable top-level item holding a very long word (a 100,000-digit literal in a struct_ops
// map declaration, found by npm run fuzz) is named in linear time: the name search used to try a
// match at every character of the word and backtrack through the rest of it (quadratic: 13 s).
import { strict as assert } from 'node:assert';
import { parseOnce } from '../../server/src/analysis/c/document';
import { collectDefines, MacroTable } from '../../server/src/analysis/c/macros';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { readBpfSource } from '../../server/src/analysis/bpfSource';

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

describe('an unreadable item with a 100,000-character word', () => {
  before(async () => {
    await loadGrammar();
  });

  it('is read in linear time, and the program beside it is still read', () => {
    const text = [
      '#define SEC(n) __attribute__((section(n)))',
      `SEC(".struct_ops") struct 0x${'f'.repeat(100_000)} tcp_congestion_ops ops = { .init = (void *)init };`,
      'SEC("struct_ops/init") int init(void *c) { return 0; }',
      '',
    ].join('\n');
    let programs: string[] = [];
    const ms = cpuMs(() => {
      const parsed = parseOnce(text, new MacroTable(collectDefines(text, 'x.bpf.c')));
      try {
        programs = readBpfSource(parsed, '/ws/x.bpf.c').programs.map((p) => p.name);
      } finally {
        parsed.tree?.delete();
      }
    });
    assert.ok(programs.includes('init'), programs.join());
    assert.ok(ms < 1500, `${ms.toFixed(0)} ms of CPU`);
  });
});
