// Generated C of the family of fuzz regression c-source-100-8962: an expression (a parenthesis, a
// bracket, an initialiser's brace) that a `;` shows is never closed, then long runs of code. Before
// c/longStretches.ts followed such expressions, tree-sitter's error recovery over them cost seconds
// of CPU (superlinear in the run); the unit test (test/unit/brokenExpressions.test.ts) and this
// measurement use the same shapes. Program `a` stands before the broken expression, `b` after.
//
//   npx tsx fuzz/brokenExpressions.ts SHAPE N1,N2,...   CPU ms of a workspace model, by size
import { loadGrammar } from '../server/src/analysis/c/parser';
import { Workspace } from '../server/src/analysis/workspace';

const ids = (k: number): string => Array.from({ length: k }, (_, i) => `W${i % 7}`).join(' ');
export const HEAD = '#define SEC(n) __attribute__((section(n)))\nSEC("struct_ops/a") int a(void *c) { return 0; }\n';
export const TAIL = '\nSEC("struct_ops/b") int b(void *c) { return 0; }\n';

/** Each shape, `n` lines (or blocks, for `parens`) long. */
export const SHAPES: Record<string, (n: number) => string> = {
  /** Three initialiser braces left open, lines of identifiers ending in `;`. */
  initialisers: (n) => `int v = {{{\n${`${ids(50)} ;\n`.repeat(n)}`,
  /** As fuzzed from runaway.bpf.c: open initialisers, `(void 1, 1, ...` left open, lines of `= { W2 ... ;`. */
  fuzzed: (n) => `${'struct ops s = {\n'.repeat(30)}\t.f = (void ${'1, '.repeat(64)}\n${`const volatile __u8 w[] = { ${'W2 '.repeat(512)};\n`.repeat(n)}`,
  /** Parentheses left open, blocks of 50 such lines, a `,` between blocks (commas in parentheses do not help). */
  parens: (n) => `int v = (((\n${`${`${ids(50)} ;\n`.repeat(50)},\n`.repeat(n)}`,
  /** An initialiser left open inside a function body. */
  inBody: (n) => `void f(void) { int v[] = {{{\n${`${ids(50)} ;\n`.repeat(n)}`,
};

export function brokenExpression(shape: string, n: number): string {
  const make = SHAPES[shape];
  if (!make) throw new Error(`no shape ${shape}: ${Object.keys(SHAPES).join(', ')}`);
  return HEAD + make(n) + TAIL;
}

async function main(): Promise<void> {
  const [shape = 'fuzzed', sizes = '50,100,200,400'] = process.argv.slice(2);
  await loadGrammar();
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const out: string[] = [];
  for (const n of sizes.split(',').map(Number)) {
    const text = brokenExpression(shape, n);
    const ws = new Workspace();
    const t = cpu();
    ws.setFile('/ws/broken.bpf.c', new TextEncoder().encode(text));
    const model = ws.model();
    const ms = cpu() - t;
    const note = model.findings.some((f) => f.rule === 'parse-limit') ? ', parse-limit note' : '';
    out.push(`n=${n} (${(text.length / 1024).toFixed(0)} KiB): ${ms.toFixed(0)} ms CPU [${model.programs.map((p) => p.name).sort().join(' ')}${note}]`);
  }
  console.log(`${shape}: ${out.join('; ')}`);
}

if (require.main === module) void main();
