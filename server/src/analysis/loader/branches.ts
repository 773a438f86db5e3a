// Branch conditions of a loader: their value when the path knows it (constants, parameters given a
// constant, a followed helper's return value), and what taking one side says about an attach call
// (`if (!link) goto out;` continues only where bpf_map__attach_struct_ops() succeeded).
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { PathState } from './pathState';
import { constInt, unwrap } from './refs';

export type Value = number | 'unknown';

/** The condition's value on this path, or 'unknown'. */
export function evaluate(n: Node | null, st: PathState): Value {
  const e = unwrap(n);
  if (!e) return 'unknown';
  switch (e.type) {
    case 'number_literal':
    case 'true':
    case 'false':
    case 'null':
      return constInt(e);
    case 'identifier': {
      if (e.text === 'NULL') return 0;
      if (e.text === 'BPF_MAP_TYPE_STRUCT_OPS') return BPF_MAP_TYPE_STRUCT_OPS;
      const v = st.scope.get(e.text)?.value;
      return typeof v === 'number' ? v : 'unknown';
    }
    case 'call_expression':
      return st.callValues.get(e.id) ?? iteratedMapType(e, st);
    case 'unary_expression': {
      const v = evaluate(e.childForFieldName('argument'), st);
      if (v === 'unknown') return v;
      const op = e.childForFieldName('operator')?.text;
      return op === '!' ? (v ? 0 : 1) : op === '-' ? -v : op === '~' ? ~v : 'unknown';
    }
    case 'binary_expression': {
      const op = e.childForFieldName('operator')?.text ?? '';
      const a = evaluate(e.childForFieldName('left'), st);
      if (op === '&&' && a === 0) return 0;
      if (op === '||' && a !== 'unknown' && a !== 0) return 1;
      const b = evaluate(e.childForFieldName('right'), st);
      if (op === '&&' && b === 0) return 0;
      if (op === '||' && b !== 'unknown' && b !== 0) return 1;
      if (a === 'unknown' || b === 'unknown') return 'unknown';
      const ops: Record<string, (x: number, y: number) => number> = {
        '&&': (x, y) => +(!!x && !!y),
        '||': (x, y) => +(!!x || !!y),
        '==': (x, y) => +(x === y),
        '!=': (x, y) => +(x !== y),
        '<': (x, y) => +(x < y),
        '>': (x, y) => +(x > y),
        '<=': (x, y) => +(x <= y),
        '>=': (x, y) => +(x >= y),
        '+': (x, y) => x + y,
        '-': (x, y) => x - y,
        '&': (x, y) => x & y,
        '|': (x, y) => x | y,
      };
      const f = ops[op];
      return f ? f(a, b) : 'unknown';
    }
    default:
      return 'unknown';
  }
}

/** `enum bpf_map_type`'s value (uapi/linux/bpf.h). */
const BPF_MAP_TYPE_STRUCT_OPS = 26;

/**
 * `bpf_map__type(m)` where `m` is the variable of `bpf_object__for_each_map()`: the maps the
 * analysis models are the struct_ops ones, so over them it is BPF_MAP_TYPE_STRUCT_OPS.
 */
function iteratedMapType(e: Node, st: PathState): Value {
  if (e.childForFieldName('function')?.text !== 'bpf_map__type') return 'unknown';
  const arg = unwrap(e.childForFieldName('arguments')?.namedChildren[0] ?? null);
  const ref = arg?.type === 'identifier' ? st.scope.get(arg.text)?.member : undefined;
  return ref?.kind === 'maps' && ref.ref.atRunTime === 'every' ? BPF_MAP_TYPE_STRUCT_OPS : 'unknown';
}

/** The condition as the loader writes it, on one line. */
export function conditionText(n: Node | null): string {
  const e = unwrap(n) ?? n;
  return (e?.text ?? '').replace(/\s+/g, ' ').trim();
}

const FAILS_WHEN_TRUE = new Set(['ASSERT_ERR_PTR', 'ASSERT_ERR', 'libbpf_get_error', 'IS_ERR', 'IS_ERR_OR_NULL', 'PTR_ERR']);
const SUCCEEDS_WHEN_TRUE = new Set(['ASSERT_OK_PTR', 'ASSERT_OK']);

/** Which attach call a condition tests, and whether the condition is true when that call failed. */
function attachTest(n: Node | null, st: PathState): { node: number; failsWhenTrue: boolean } | null {
  const e = unwrap(n);
  if (!e) return null;
  const result = (x: Node | null): { node: number; pointer: boolean } | null => {
    const v = unwrap(x);
    if (!v) return null;
    const id = v.type === 'identifier' ? st.scope.get(v.text)?.resultOf : v.type === 'call_expression' ? v.id : undefined;
    const made = id === undefined ? undefined : st.nodeActions.get(id);
    return made && id !== undefined ? { node: id, pointer: made.returnsPointer } : null;
  };
  if (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
    const t = attachTest(e.childForFieldName('argument'), st);
    return t ? { node: t.node, failsWhenTrue: !t.failsWhenTrue } : null;
  }
  if (e.type === 'binary_expression') {
    const op = e.childForFieldName('operator')?.text;
    const l = e.childForFieldName('left');
    const r = e.childForFieldName('right');
    const zero = (x: Node | null) => constInt(x) === 0 || unwrap(x)?.text === 'NULL';
    const side = zero(r) ? l : zero(l) ? r : null;
    const t = side ? attachTest(side, st) : null;
    if (t && (op === '==' || op === '!=')) return { node: t.node, failsWhenTrue: op === '==' ? !t.failsWhenTrue : t.failsWhenTrue };
    if (t && op === '<') return t;
    return null;
  }
  if (e.type === 'call_expression') {
    const fn = e.childForFieldName('function')?.text ?? '';
    const arg = e.childForFieldName('arguments')?.namedChildren[0] ?? null;
    if (FAILS_WHEN_TRUE.has(fn) || SUCCEEDS_WHEN_TRUE.has(fn)) {
      const r = result(arg);
      return r ? { node: r.node, failsWhenTrue: FAILS_WHEN_TRUE.has(fn) } : null;
    }
  }
  const r = result(e);
  // A pointer (link) is NULL on failure; an int (err) is non-zero.
  return r ? { node: r.node, failsWhenTrue: !r.pointer } : null;
}

/** A condition without its leading `!`s, and whether there was an odd number of them. */
export function withoutNegation(n: Node | null): { inner: Node | null; negated: boolean } {
  let e = unwrap(n);
  let negated = false;
  while (e?.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
    negated = !negated;
    e = unwrap(e.childForFieldName('argument'));
  }
  return { inner: e ?? n, negated };
}

/** How a decision about the condition is kept on a path: `x` and `!x` are one key. */
export function decisionKey(n: Node | null): { key: string; negated: boolean } {
  const { inner, negated } = withoutNegation(n);
  return { key: conditionText(inner).replace(/\s+/g, ''), negated };
}

/**
 * Takes one side of a condition on a path. False when the path already took the other side of the
 * same condition (and nothing it reads changed since): that path is infeasible.
 */
export function assume(n: Node | null, truth: boolean, st: PathState): boolean {
  const { key, negated } = decisionKey(n);
  const value = truth !== negated;
  const before = st.decided.get(key);
  if (before !== undefined && before !== value) return false;
  st.decided.set(key, value);
  const t = attachTest(n, st);
  const made = t ? st.nodeActions.get(t.node) : undefined;
  if (t && made && t.failsWhenTrue === truth) for (const a of made.actions) st.failed.add(a);
  else if (t && made) for (const a of made.actions) if (a.kind === 'assoc') st.succeeded.add(a);
  return true;
}

/** An assignment to `name` makes earlier decisions about it stale. */
export function forget(name: string, st: PathState): void {
  if (!st.decided.size) return;
  const word = new RegExp(`\\b${name.replace(/[^\w]/g, '')}\\b`);
  for (const k of [...st.decided.keys()]) if (word.test(k)) st.decided.delete(k);
}
