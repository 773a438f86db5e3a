// `#if` and `#elif` evaluated as C does (C17 6.10.1): `defined X` and `defined(X)` first, then
// every macro expanded, then identifiers left over are 0, and the integer constant expression is
// computed in intmax_t/uintmax_t (64 bits). A name whose definition cannot be known makes the
// result unknown, unless the expression does not depend on it (`0 && X`, `1 || X`, `c ? a : X`).
import type { Token } from './lexer';
import type { MacroDef } from './macros';

/** What the preprocessor knows about a name at one point of a translation unit. */
export type MacroState = { kind: 'defined'; def: MacroDef } | { kind: 'undefined' } | { kind: 'unknown'; reason: string };

/** The value of a condition, or why it cannot be known. */
export type IfResult = { value: boolean; reason?: undefined } | { value: null; reason: string };

export interface IfContext {
  lookup(name: string): MacroState;
  /** `__has_include`: true or false when the file is known to exist or not, null otherwise. */
  hasInclude?(name: string, angled: boolean): boolean | null;
}

interface XTok {
  kind: Token['kind'] | 'unknown';
  text: string;
  hide?: readonly string[];
}

/** Expansion stops past this many tokens (a runaway definition); the condition is then unknown. */
const TOKEN_LIMIT = 20_000;

class Unknown {
  constructor(readonly reason: string) {}
}

const HAS_QUERIES = new Set(['__has_builtin', '__has_attribute', '__has_c_attribute', '__has_cpp_attribute', '__has_declspec_attribute', '__has_feature', '__has_extension', '__has_warning', '__is_identifier', '__building_module', '__has_constexpr_builtin']);

export function evaluateIf(expr: readonly Token[], ctx: IfContext): IfResult {
  let toks: XTok[];
  try {
    toks = expand(
      expr.map((t) => ({ kind: t.kind, text: t.text })),
      ctx,
      { n: 0 },
    );
  } catch (e) {
    if (e instanceof Unknown) return { value: null, reason: e.reason };
    throw e;
  }
  const p = new Parser(toks);
  const v = p.parse();
  if (v instanceof Unknown) return { value: null, reason: v.reason };
  return { value: v.v !== 0n };
}

/** Replaces `defined`, the `__has_*` queries and every macro, as the preprocessor does before evaluating. */
function expand(input: XTok[], ctx: IfContext, budget: { n: number }): XTok[] {
  const out: XTok[] = [];
  const queue = input.slice();
  while (queue.length) {
    const t = queue.shift() as XTok;
    if (t.kind !== 'id') {
      out.push(t);
      continue;
    }
    if (t.text === 'defined') {
      const paren = queue[0]?.text === '(';
      const name = queue[paren ? 1 : 0];
      if (!name || name.kind !== 'id' || (paren && queue[2]?.text !== ')')) throw new Unknown('a malformed `defined`');
      queue.splice(0, paren ? 3 : 1);
      const s = ctx.lookup(name.text);
      out.push(s.kind === 'unknown' ? { kind: 'unknown', text: s.reason } : { kind: 'num', text: s.kind === 'defined' ? '1' : '0' });
      continue;
    }
    if (t.text === '__has_include' || t.text === '__has_include_next') {
      const close = queue.findIndex((x) => x.text === ')');
      const inner = queue.slice(1, close).map((x) => x.text).join('');
      queue.splice(0, close + 1);
      const q = /^"([^"]+)"$|^<([^>]+)>$/.exec(inner);
      const found = q && ctx.hasInclude ? ctx.hasInclude((q[1] ?? q[2]) as string, q[2] !== undefined) : null;
      out.push(found === null ? { kind: 'unknown', text: `\`${t.text}(${inner})\` depends on the compiler's include path` } : { kind: 'num', text: found ? '1' : '0' });
      continue;
    }
    if (HAS_QUERIES.has(t.text) && queue[0]?.text === '(') {
      const close = queue.findIndex((x) => x.text === ')');
      const inner = queue.slice(1, close < 0 ? queue.length : close).map((x) => x.text).join('');
      queue.splice(0, close < 0 ? queue.length : close + 1);
      out.push({ kind: 'unknown', text: `\`${t.text}(${inner})\` depends on the clang version` });
      continue;
    }
    if (t.hide?.includes(t.text)) {
      out.push(t);
      continue;
    }
    const s = ctx.lookup(t.text);
    if (s.kind === 'unknown') {
      out.push({ kind: 'unknown', text: s.reason });
      continue;
    }
    if (s.kind === 'undefined') {
      out.push(t);
      continue;
    }
    const def = s.def;
    const hide = [...(t.hide ?? []), def.name];
    let replacement: XTok[];
    if (def.params === null) {
      replacement = def.body.filter((b) => b.kind !== 'ws' && b.kind !== 'comment').map((b) => ({ kind: b.kind, text: b.text, hide }));
      replacement = paste(replacement);
    } else {
      if (queue[0]?.text !== '(') {
        out.push(t);
        continue;
      }
      const args = collectArgs(queue);
      if (!args) throw new Unknown(`an unterminated call of ${def.name}`);
      replacement = substitute(def, args, hide, ctx, budget);
    }
    budget.n += replacement.length;
    if (budget.n > TOKEN_LIMIT) throw new Unknown('its macros expand past the preprocessor budget');
    queue.unshift(...replacement);
  }
  return out;
}

/** Takes `( a, b )` off the front of the queue. */
function collectArgs(queue: XTok[]): XTok[][] | null {
  const args: XTok[][] = [[]];
  let depth = 0;
  for (let i = 0; i < queue.length; i++) {
    const t = queue[i] as XTok;
    if (t.text === '(' && depth++ === 0) continue;
    if (t.text === ')' && --depth === 0) {
      queue.splice(0, i + 1);
      return args.length === 1 && args[0]?.length === 0 ? [] : args;
    }
    if (t.text === ',' && depth === 1) args.push([]);
    else (args[args.length - 1] as XTok[]).push(t);
  }
  return null;
}

function substitute(def: MacroDef, args: XTok[][], hide: readonly string[], ctx: IfContext, budget: { n: number }): XTok[] {
  const params = def.params ?? [];
  const bound = new Map<string, XTok[]>();
  params.forEach((p, k) => {
    if (p === def.variadic) {
      const rest: XTok[] = [];
      args.slice(k).forEach((a, j) => {
        if (j) rest.push({ kind: 'punct', text: ',' });
        rest.push(...a);
      });
      bound.set(p, rest);
    } else bound.set(p, args[k] ?? []);
  });
  const body = def.body.filter((b) => b.kind !== 'ws' && b.kind !== 'comment');
  const out: XTok[] = [];
  for (let k = 0; k < body.length; k++) {
    const b = body[k] as Token;
    const next = body[k + 1];
    const prev = body[k - 1];
    if (b.text === '#' && next && bound.has(next.text)) {
      out.push({ kind: 'str', text: JSON.stringify((bound.get(next.text) ?? []).map((x) => x.text).join(' ')), hide });
      k++;
      continue;
    }
    if (b.kind === 'id' && bound.has(b.text)) {
      const arg = bound.get(b.text) ?? [];
      const raw = next?.text === '##' || prev?.text === '##';
      out.push(...(raw ? arg : expand(arg, ctx, budget)).map((x) => ({ ...x, hide: [...(x.hide ?? []), ...hide] })));
      continue;
    }
    out.push({ kind: b.kind, text: b.text, hide });
  }
  return paste(out);
}

/** Joins the tokens around each `##`. */
function paste(toks: XTok[]): XTok[] {
  if (!toks.some((t) => t.text === '##')) return toks;
  const out: XTok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as XTok;
    if (t.text === '##' && out.length && i + 1 < toks.length) {
      const left = out.pop() as XTok;
      const right = toks[++i] as XTok;
      const text = left.text + right.text;
      out.push({ kind: /^[A-Za-z_]\w*$/.test(text) ? 'id' : /^[0-9]/.test(text) ? 'num' : left.kind, text, hide: left.hide });
    } else out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The integer constant expression

interface Value {
  v: bigint;
  unsigned: boolean;
}

type R = Value | Unknown;

const norm = (v: bigint, unsigned: boolean): Value => ({ v: unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), unsigned });
const bool = (b: boolean): Value => ({ v: b ? 1n : 0n, unsigned: false });

/** An integer literal (decimal, octal, hex, binary, with u/l suffixes), as the preprocessor reads it. */
export function integerLiteral(text: string): Value | null {
  const m = /^(0[xX][0-9a-fA-F']+|0[bB][01']+|[0-9][0-9']*)([uUlL]*)$/.exec(text);
  if (!m) return null;
  const digits = (m[1] as string).replace(/'/g, '');
  let v: bigint;
  try {
    v = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  } catch {
    return null;
  }
  const decimal = /^[1-9]/.test(digits) || digits === '0';
  const unsigned = /u/i.test(m[2] ?? '') || (v > 0x7fffffffffffffffn && !decimal) || v > 0x7fffffffffffffffn;
  return norm(v, unsigned);
}

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };

/** A character constant: `'a'`, `'\n'`, `'\x41'`, `'\0'`; several characters as clang packs them. */
export function charConstant(text: string): Value | null {
  const m = /^([LuU]|u8)?'((?:[^'\\]|\\.[0-9a-fA-F]*)*)'$/.exec(text);
  if (!m) return null;
  const chars: number[] = [];
  const body = m[2] as string;
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      chars.push(body.charCodeAt(i));
      continue;
    }
    const e = body[++i] ?? '';
    if (e === 'x') {
      const hex = /^[0-9a-fA-F]+/.exec(body.slice(i + 1))?.[0] ?? '0';
      chars.push(parseInt(hex, 16));
      i += hex.length;
    } else if (/[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))?.[0] ?? '0';
      chars.push(parseInt(oct, 8));
      i += oct.length - 1;
    } else chars.push(ESCAPES[e] ?? e.charCodeAt(0));
  }
  if (m[1]) return norm(BigInt(chars[0] ?? 0), false);
  // A plain `char` is signed on the bpf target; several characters are packed big-end first.
  if (chars.length === 1) return norm(BigInt((chars[0] as number) << 24 >> 24), false);
  let v = 0n;
  for (const c of chars) v = (v << 8n) | BigInt(c & 0xff);
  return norm(BigInt.asIntN(32, v), false);
}

const BINARY: Record<string, number> = {
  '*': 10, '/': 10, '%': 10, '+': 9, '-': 9, '<<': 8, '>>': 8, '<': 7, '<=': 7, '>': 7, '>=': 7,
  '==': 6, '!=': 6, '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
};

class Parser {
  private i = 0;
  constructor(private readonly toks: XTok[]) {}

  parse(): R {
    const v = this.comma();
    if (this.i < this.toks.length) return new Unknown(`it could not be read past \`${this.toks[this.i]?.text}\``);
    return v;
  }

  private peek(): XTok | undefined {
    return this.toks[this.i];
  }

  private comma(): R {
    let v = this.ternary();
    while (this.peek()?.text === ',') {
      this.i++;
      v = this.ternary();
    }
    return v;
  }

  private ternary(): R {
    const c = this.binary(1);
    if (this.peek()?.text !== '?') return c;
    this.i++;
    const a = this.comma();
    if (this.peek()?.text !== ':') return new Unknown('a `?` without `:`');
    this.i++;
    const b = this.ternary();
    if (c instanceof Unknown) return a instanceof Unknown ? a : b instanceof Unknown ? b : a.v === b.v && a.unsigned === b.unsigned ? a : c;
    const chosen = c.v !== 0n ? a : b;
    if (chosen instanceof Unknown) return chosen;
    const other = c.v !== 0n ? b : a;
    return other instanceof Unknown ? chosen : norm(chosen.v, chosen.unsigned || other.unsigned);
  }

  private binary(min: number): R {
    let left = this.unary();
    for (;;) {
      const op = this.peek()?.text ?? '';
      const prec = this.peek()?.kind === 'punct' ? BINARY[op] : undefined;
      if (prec === undefined || prec < min) return left;
      this.i++;
      const right = this.binary(prec + 1);
      left = apply(op, left, right);
    }
  }

  private unary(): R {
    const t = this.peek();
    if (!t) return new Unknown('it ends too early');
    if (t.kind === 'punct' && (t.text === '!' || t.text === '~' || t.text === '-' || t.text === '+')) {
      this.i++;
      const v = this.unary();
      if (v instanceof Unknown) return v;
      if (t.text === '!') return bool(v.v === 0n);
      if (t.text === '~') return norm(~v.v, v.unsigned);
      return t.text === '-' ? norm(-v.v, v.unsigned) : v;
    }
    return this.primary();
  }

  private primary(): R {
    const t = this.toks[this.i++];
    if (!t) return new Unknown('it ends too early');
    if (t.text === '(') {
      const v = this.comma();
      if (this.toks[this.i]?.text !== ')') return new Unknown('a `(` without `)`');
      this.i++;
      return v;
    }
    if (t.kind === 'unknown') return new Unknown(t.text);
    if (t.kind === 'num') return integerLiteral(t.text) ?? new Unknown(`\`${t.text}\` is not an integer`);
    if (t.kind === 'chr') return charConstant(t.text) ?? new Unknown(`\`${t.text}\` is not a character constant`);
    // An identifier left after expansion is 0 (C17 6.10.1p4).
    if (t.kind === 'id') return bool(false);
    return new Unknown(`\`${t.text}\` has no value in a condition`);
  }
}

function apply(op: string, a: R, b: R): R {
  if (op === '&&') {
    if (!(a instanceof Unknown) && a.v === 0n) return bool(false);
    if (!(b instanceof Unknown) && b.v === 0n) return bool(false);
    return a instanceof Unknown ? a : b instanceof Unknown ? b : bool(true);
  }
  if (op === '||') {
    if (!(a instanceof Unknown) && a.v !== 0n) return bool(true);
    if (!(b instanceof Unknown) && b.v !== 0n) return bool(true);
    return a instanceof Unknown ? a : b instanceof Unknown ? b : bool(false);
  }
  if (a instanceof Unknown) return a;
  if (b instanceof Unknown) return b;
  const unsigned = a.unsigned || b.unsigned;
  const x = unsigned ? BigInt.asUintN(64, a.v) : a.v;
  const y = unsigned ? BigInt.asUintN(64, b.v) : b.v;
  switch (op) {
    case '*': return norm(x * y, unsigned);
    case '/': return y === 0n ? new Unknown('it divides by zero') : norm(x / y, unsigned);
    case '%': return y === 0n ? new Unknown('it divides by zero') : norm(x % y, unsigned);
    case '+': return norm(x + y, unsigned);
    case '-': return norm(x - y, unsigned);
    case '<<': return norm(x << BigInt.asUintN(6, b.v), a.unsigned);
    case '>>': return norm((a.unsigned ? BigInt.asUintN(64, a.v) : a.v) >> BigInt.asUintN(6, b.v), a.unsigned);
    case '<': return bool(x < y);
    case '<=': return bool(x <= y);
    case '>': return bool(x > y);
    case '>=': return bool(x >= y);
    case '==': return bool(x === y);
    case '!=': return bool(x !== y);
    case '&': return norm(x & y, unsigned);
    case '^': return norm(x ^ y, unsigned);
    case '|': return norm(x | y, unsigned);
    default: return new Unknown(`\`${op}\` is not an operator of a condition`);
  }
}
