// Issue 12: `/* ` written 30,000 times with no `*/` after it (found by npm run fuzz) stalled the
// analysis about 40 s. Two causes: tree-sitter's lexer reads from each `/*` to the end of the file
// looking for the comment's end (the parse budget counted parser operations, not those reads),
// and five comment-stripping regular expressions (`\/\*[\s\S]*?\*\/`) did the same, each. The
// parse budget now counts the characters the lexer reads too, and the strippers are one linear
// scanner (c/commentScan.ts).
import { strict as assert } from 'node:assert';
import { parseC, loadGrammar } from '../../server/src/analysis/c/parser';
import { scanDirectives } from '../../server/src/analysis/c/directives';
import { collectDefines, parseDefine } from '../../server/src/analysis/c/macros';
import { withoutComments } from '../../server/src/analysis/fileKinds';
import { codeIdentifiers } from '../../server/src/analysis/includers';
import { Workspace } from '../../server/src/analysis/workspace';

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

const UNCLOSED = '/* '.repeat(30_000);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('30,000 unclosed /* (issue 12, npm run fuzz)', () => {
  before(loadGrammar);

  it('the text scanners read it in linear time', () => {
    const define = `#define X 1 ${UNCLOSED}\n`;
    const ms = {
      withoutComments: cpuMs(() => withoutComments(UNCLOSED)),
      codeIdentifiers: cpuMs(() => codeIdentifiers(`int a; ${UNCLOSED}`)),
      collectDefines: cpuMs(() => collectDefines(define, '/ws/x.h')),
      parseDefine: cpuMs(() => parseDefine(define, '/ws/x.h', 0)),
      scanDirectives: cpuMs(() => scanDirectives(`#if 1 ${UNCLOSED}\n`, '/ws/x.h')),
    };
    for (const [name, t] of Object.entries(ms)) assert.ok(t < 300, `${name}: ${t.toFixed(0)} ms of CPU`);
  });

  it('the parse stops at its budget, counted in characters read too', () => {
    let tree: ReturnType<typeof parseC> = null;
    const ms = cpuMs(() => (tree = parseC(`int a;\n${UNCLOSED}\n`)));
    (tree as ReturnType<typeof parseC>)?.delete();
    assert.ok(ms < 3000, `${ms.toFixed(0)} ms of CPU`);
  });

  it('a workspace with it in a BPF source, a loader and a header is analysed within seconds, the other files as before', function () {
    this.timeout(300_000);
    const ws = new Workspace();
    const sec = '#define SEC(n) __attribute__((section(n)))\n';
    ws.setFile('/ws/good.bpf.c', bytes(`${sec}SEC("struct_ops/good") int good(void *c) { return 0; }\n`));
    ws.setFile('/ws/bad.bpf.c', bytes(`${sec}#include "bad.h"\nSEC("struct_ops/bad") int bad(void *c) { return 0; }\n${UNCLOSED}\n`));
    ws.setFile('/ws/bad.h', bytes(`#define BAD 1 ${UNCLOSED}\n`));
    ws.setFile('/ws/loader.c', bytes(`#include "bad.skel.h"\nint main(void) { struct bad *s = bad__open_and_load(); ${UNCLOSED}\n`));
    let model: ReturnType<Workspace['model']> | null = null;
    const ms = cpuMs(() => (model = ws.model()));
    const all = (model as unknown as ReturnType<Workspace['model']>).findings;
    const findings = all.map((f) => `${f.rule} ${f.location.file}`);
    assert.ok(findings.includes('unreferenced-struct-ops-program /ws/good.bpf.c'), findings.join('\n'));
    // The parse that stops at its read budget says so, as one over its steps does.
    const note = all.find((f) => f.rule === 'parse-limit' && f.location.file === '/ws/bad.bpf.c');
    assert.match(note?.message ?? '', /work budget \(60,000 steps of the parser, or 16 Mi characters read\)/);
    assert.ok(ms < 6000, `${ms.toFixed(0)} ms of CPU`);
  });
});
