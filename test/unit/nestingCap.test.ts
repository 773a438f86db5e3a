// Conditionals nested past any real file's depth are capped before any reader follows them
// (issue 12: 20,000 nested #if took 5-11 s of CPU and overflowed recovery's call stack).
import { strict as assert } from 'node:assert';
import { capNesting, MAX_NESTING } from '../../server/src/analysis/c/nestingCap';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';

const SEC = '#define SEC(n) __attribute__((section(n)))\n';
const nested = (depth: number, body: string): string => `${'#ifndef A\n'.repeat(depth)}${body}${'#endif\n'.repeat(depth)}`;

describe('capNesting', () => {
  it('leaves real nesting alone, comments and strings included', () => {
    const text = `${nested(MAX_NESTING, 'int a;\n')}/* ${'#if X\n'.repeat(1000)} */\nconst char *s = "#if";\n`;
    assert.deepEqual(capNesting(text), { text, firstAt: -1, blanked: 0 });
  });

  it('blanks the conditional lines past the cap, offsets and lines kept, what they enclose kept', () => {
    const text = nested(MAX_NESTING + 3, 'int a;\n#else\nint b;\n');
    const cut = capNesting(text);
    assert.equal(cut.blanked, 3 + 1 + 3, 'three #ifndef, the innermost #else, three #endif');
    assert.equal(cut.text.length, text.length);
    assert.equal(cut.text.split('\n').length, text.split('\n').length);
    assert.equal(cut.firstAt, text.indexOf('#ifndef', '#ifndef A\n'.length * MAX_NESTING));
    assert.match(cut.text, /int a;\n {5}\nint b;/);
    assert.equal((cut.text.match(/#ifndef/g) ?? []).length, MAX_NESTING);
    assert.equal((cut.text.match(/#endif/g) ?? []).length, MAX_NESTING);
  });
});

describe('20,000 nested #if in a BPF source', () => {
  before(() => loadGrammar());

  it('is analysed within seconds, its program read, with a parse-limit note', function () {
    this.timeout(120_000);
    const ws = new Workspace();
    ws.setFile('/ws/x.bpf.c', new TextEncoder().encode(`${SEC}${nested(20_000, 'SEC("struct_ops/a") int a(void *c) { return 0; }\n')}`));
    const t0 = process.cpuUsage();
    const model = ws.model();
    const t = process.cpuUsage(t0);
    assert.deepEqual(model.programs.map((p) => p.name), ['a']);
    assert.match(model.findings.find((f) => f.rule === 'parse-limit')?.message ?? '', /nests #if conditionals more than 256 deep; the 39,488 conditional lines past that depth, from line 258/);
    const ms = (t.user + t.system) / 1000;
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms of CPU`);
  });
});
