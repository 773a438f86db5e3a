// Mutations of C text (BPF sources, loaders, headers, skeletons as text): what a fuzzer does
// blindly (byte flips, truncation) and what C parsers and preprocessors find hard (token splices
// between files, deleted braces and parentheses, deep nesting, huge literals, macro bombs,
// hostile section names, control characters).
import { Rng } from './rng';

const TOKEN = /[A-Za-z_]\w*|0[xX][0-9a-fA-F]+|\d+|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|\/\/[^\n]*|\/\*[\s\S]*?\*\/|\S/g;

function tokens(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

function flipBytes(rng: Rng, bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const n = rng.range(1, 8);
  for (let i = 0; i < n && out.length; i++) {
    const at = rng.int(out.length);
    out[at] = rng.chance(0.5) ? (out[at] as number) ^ (1 << rng.int(8)) : rng.int(256);
  }
  return out;
}

function insertAt(text: string, at: number, what: string): string {
  return text.slice(0, at) + what + text.slice(at);
}

/** A position at a line start, so inserted declarations and directives are well placed. */
function lineStart(rng: Rng, text: string): number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0 && starts.length < 100_000; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return rng.pick(starts);
}

function spliceTokens(rng: Rng, text: string, donor: string): string {
  const a = tokens(text);
  const b = tokens(donor);
  if (!a.length || !b.length) return text + donor;
  const from = rng.int(b.length);
  const to = Math.min(b.length - 1, from + rng.range(0, 40));
  const piece = donor.slice((b[from] as { start: number }).start, (b[to] as { end: number }).end);
  const at = rng.pick(a);
  return rng.chance(0.5) ? insertAt(text, at.start, piece) : text.slice(0, at.start) + piece + text.slice(at.end);
}

function deleteBrackets(rng: Rng, text: string): string {
  const positions: number[] = [];
  for (let i = 0; i < text.length; i++) if ('{}()[]'.includes(text[i] as string)) positions.push(i);
  let out = text;
  const n = rng.range(1, 6);
  for (let k = 0; k < n && positions.length; k++) {
    const i = positions.splice(rng.int(positions.length), 1)[0] as number;
    out = out.slice(0, i) + ' ' + out.slice(i + 1);
  }
  return out;
}

function deepNesting(rng: Rng, text: string): string {
  const depth = rng.pick([200, 1000, 5000, 20_000]);
  const shapes: [string, string, string][] = [
    ['(', 'x', ')'],
    ['{', ';', '}'],
    ['[', '0', ']'],
    ['if (a) ', 'x;', ''],
    ['#if 1\n', 'int x;\n', '#endif\n'],
    ['f(', '0', ')'],
    ['SEC(', '"tc"', ')'],
    ['/*', '', '*/'],
  ];
  const [open, middle, close] = rng.pick(shapes);
  const body = open.repeat(depth) + middle + close.repeat(rng.chance(0.8) ? depth : rng.int(depth));
  const fn = rng.chance(0.5) ? `int deep_${depth}(void) { return ${body}; }\n` : body;
  return insertAt(text, lineStart(rng, text), fn);
}

function hugeLiteral(rng: Rng, text: string): string {
  const n = rng.pick([10_000, 30_000, 100_000, 300_000]);
  const literal = rng.pick([
    () => '9'.repeat(n),
    () => `0x${'f'.repeat(n)}`,
    () => `"${'A'.repeat(n)}"`,
    () => `"${'\\x41'.repeat(n / 4)}"`,
    () => `SEC("struct_ops/${'x'.repeat(n)}")`,
    () => `'${'a'.repeat(n)}'`,
    () => `${'1e'.repeat(n / 2)}`,
  ])();
  const at = rng.pick(tokens(text).map((t) => t.start).concat([text.length]));
  return insertAt(text, at, ` ${literal} `);
}

function macroBomb(rng: Rng, text: string): string {
  const depth = rng.range(20, 64);
  const kind = rng.int(5);
  const lines: string[] = [];
  if (kind === 0) {
    // Exponential object-like expansion: B(n) = B(n-1) B(n-1).
    lines.push('#define B0 x');
    for (let i = 1; i < depth; i++) lines.push(`#define B${i} B${i - 1} B${i - 1}`);
    lines.push(`int bomb = B${depth - 1};`);
  } else if (kind === 1) {
    // Exponential function-like expansion through arguments.
    lines.push('#define F0(a) a a');
    for (let i = 1; i < depth; i++) lines.push(`#define F${i}(a) F${i - 1}(F${i - 1}(a))`);
    lines.push(`SEC(F${depth - 1}("tc")) int bomb(void *c) { return 0; }`);
  } else if (kind === 2) {
    // Self- and mutually recursive macros (must stop, as cpp does).
    lines.push('#define SEC(x) SEC(x) SEC(x)', '#define A B A', '#define B A B', 'A B SEC("tc")');
  } else if (kind === 3) {
    // Variadic and token-pasting chains.
    lines.push('#define V0(...) __VA_ARGS__ __VA_ARGS__');
    for (let i = 1; i < depth; i++) lines.push(`#define V${i}(...) V${i - 1}(__VA_ARGS__, __VA_ARGS__)`);
    lines.push(`#define P(a, b) a##b`, `int P(bo, mb) = V${depth - 1}(1);`);
  } else {
    // A program-defining wrapper macro whose expansion explodes.
    lines.push('#define W0(n) SEC("struct_ops/" #n) int n(void *c) { return 0; }');
    for (let i = 1; i < depth; i++) lines.push(`#define W${i}(n) W${i - 1}(n##a) W${i - 1}(n##b)`);
    lines.push(`W${Math.min(depth - 1, 30)}(p)`);
  }
  return insertAt(text, lineStart(rng, text), lines.join('\n') + '\n');
}

/** Section names with what CI logs, terminals and Markdown react to. */
const HOSTILE_SECTIONS = [
  'x\\nsrc/main.c:1:1: error: injected [fake]\\n',
  'struct_ops/\\x1b[31mred\\x1b[0m',
  'struct_ops/x` [click](https://example.invalid/) `',
  '?struct_ops.s/\\u202e',
  '',
  '?',
  '.struct_ops.link',
  'struct_ops/' + '../'.repeat(50),
  '\\0struct_ops',
  'struct_ops.s/\\',
];

function hostileSection(rng: Rng, text: string): string {
  const secs = [...text.matchAll(/SEC\s*\(\s*"((?:\\.|[^"\\])*)"/g)];
  const name = rng.pick(HOSTILE_SECTIONS);
  if (!secs.length) return insertAt(text, lineStart(rng, text), `SEC("${name}") int hostile(void *c) { return 0; }\n`);
  const m = rng.pick(secs);
  const start = m.index + m[0].indexOf('"') + 1;
  return text.slice(0, start) + name + text.slice(start + (m[1] as string).length);
}

function lineEdit(rng: Rng, text: string): string {
  const lines = text.split('\n');
  const n = rng.range(1, 10);
  for (let k = 0; k < n && lines.length; k++) {
    const i = rng.int(lines.length);
    const op = rng.int(4);
    if (op === 0) lines.splice(i, 1);
    else if (op === 1) lines.splice(i, 0, lines[rng.int(lines.length)] as string);
    else if (op === 2) lines.splice(i, 0, ...Array.from({ length: rng.range(2, 200) }, () => lines[i] as string));
    else {
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
    }
  }
  return lines.join(rng.chance(0.1) ? '\r\n' : '\n');
}

function controlCharacters(rng: Rng, text: string): string {
  let out = text;
  const n = rng.range(1, 20);
  for (let k = 0; k < n; k++) out = insertAt(out, rng.int(out.length + 1), rng.pick(['\0', '\x1b[2J', '\r', '\u2028', '\u202e', '\ufeff', '\\\n', '??/', '\x7f', '\ud800', '\uffff']));
  return out;
}

export const C_MUTATIONS = ['flip', 'splice', 'brackets', 'nesting', 'literal', 'macro-bomb', 'section', 'lines', 'control', 'truncate'] as const;
export type CMutation = (typeof C_MUTATIONS)[number];

/**
 * How often each mutation is drawn, per 1000. The attacks on the analysis's budgets (nesting,
 * huge literals, macro bombs) cost it up to seconds each by design; they are drawn rarely enough
 * that the full run keeps to its 15 minutes, and still hundreds of times in it.
 */
const C_WEIGHTS: Record<CMutation, number> = { flip: 160, splice: 160, brackets: 140, nesting: 30, literal: 15, 'macro-bomb': 10, section: 110, lines: 140, control: 110, truncate: 125 };

function pickMutation(rng: Rng): CMutation {
  let roll = rng.int(1000);
  for (const m of C_MUTATIONS) {
    roll -= C_WEIGHTS[m];
    if (roll < 0) return m;
  }
  return 'flip';
}

/** One or more mutations of a C file; `donor` is another seed to splice tokens from. */
export function mutateC(rng: Rng, bytes: Uint8Array, donor: Uint8Array): { bytes: Uint8Array; what: string } {
  let text = dec.decode(bytes);
  const applied: string[] = [];
  const rounds = rng.chance(0.7) ? 1 : rng.range(2, 4);
  for (let r = 0; r < rounds; r++) {
    const m = pickMutation(rng);
    applied.push(m);
    if (m === 'flip') text = dec.decode(flipBytes(rng, enc.encode(text)));
    else if (m === 'splice') text = spliceTokens(rng, text, dec.decode(donor));
    else if (m === 'brackets') text = deleteBrackets(rng, text);
    else if (m === 'nesting') text = deepNesting(rng, text);
    else if (m === 'literal') text = hugeLiteral(rng, text);
    else if (m === 'macro-bomb') text = macroBomb(rng, text);
    else if (m === 'section') text = hostileSection(rng, text);
    else if (m === 'lines') text = lineEdit(rng, text);
    else if (m === 'control') text = controlCharacters(rng, text);
    else text = text.slice(0, rng.int(text.length + 1));
  }
  return { bytes: enc.encode(text), what: applied.join('+') };
}

/** A few random edits of a text as LSP incremental changes would make them (for didChange). */
export function randomSnippet(rng: Rng, donor: string): string {
  const t = tokens(donor);
  if (!t.length || rng.chance(0.2)) return rng.pick(['', '{', '}', '(', '"', '/*', '\n', 'SEC("struct_ops")', '#define X X', '\0']);
  const from = rng.int(t.length);
  const to = Math.min(t.length - 1, from + rng.range(0, 20));
  return donor.slice((t[from] as { start: number }).start, (t[to] as { end: number }).end);
}
