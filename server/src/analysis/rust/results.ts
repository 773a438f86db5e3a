// The result of an attach or association call, tested as Rust tests it: `match r { Ok(l) => ..,
// Err(e) => .. }`, `if let Err(e) = r`, `if let Ok(l) = r`, `if r.is_err()`, `if let Some(l) =
// r.ok()`, through `.context(..)`, `.with_context(..)`, `.map_err(..)` and `.inspect_err(..)`, or a
// variable holding it (`let r = skel.maps.M.attach_struct_ops();`). The side where the call failed
// marks it failed on the path, as the C reader's `if (!link)` does (loader/branches.ts): a failed
// attach associates nothing, so a path that goes on after it (a fallback) does without that map.
import type { Node } from '../c/parser';
import type { PathState } from '../loader/pathState';

/** Methods that keep a Result's success or failure (`.ok()` turns it into an Option). */
const KEEP = new Set(['context', 'with_context', 'map_err', 'inspect_err', 'inspect', 'map', 'ok']);

export interface TestedCall {
  /** The call's syntax node id (st.nodeActions). */
  node: number;
  /** Read through `.ok()`: `Some` is success, `None` failure. */
  option: boolean;
}

/** Parentheses and references around an expression (a loop: nesting may be deep). */
function inner(n: Node | null): Node | null {
  let e = n;
  while (e && (e.type === 'parenthesized_expression' || e.type === 'reference_expression')) e = e.namedChildren.find((c) => c?.type !== 'mutable_specifier') ?? null;
  return e;
}

/** The attach or association call an expression's value is the result of, if any. */
export function testedCall(n: Node | null, st: PathState): TestedCall | null {
  let option = false;
  // A chain of KEEP methods is walked down its receivers (a loop: chains may be long).
  for (let e = inner(n); e; ) {
    if (e.type === 'identifier') {
      const id = st.scope.get(e.text)?.resultOf;
      return id !== undefined && st.nodeActions.has(id) ? { node: id, option } : null;
    }
    if (e.type !== 'call_expression') return null;
    if (st.nodeActions.has(e.id)) return { node: e.id, option };
    const fn = e.childForFieldName('function');
    const method = fn?.type === 'field_expression' ? fn.childForFieldName('field')?.text : undefined;
    if (!method || !KEEP.has(method)) return null;
    option ||= method === 'ok';
    e = inner(fn?.childForFieldName('value') ?? null);
  }
  return null;
}

/** Which outcome a pattern matches: `Ok(..)`/`Some(..)` success, `Err(..)`/`None` failure, anything else either. */
export function patternOutcome(pattern: Node | null, option: boolean): 'ok' | 'err' | null {
  const t = (pattern?.text ?? '').replace(/\s+/g, '');
  const head = /^(?:\w+::)*(\w+)/.exec(t)?.[1];
  if (option) return head === 'Some' ? 'ok' : head === 'None' ? 'err' : null;
  return head === 'Ok' ? 'ok' : head === 'Err' ? 'err' : null;
}

/** `r.is_err()` / `r.is_ok()` (and `!r.is_ok()`): the call and the outcome the condition is true for. */
export function outcomeTest(condition: Node | null, st: PathState): { call: TestedCall; whenTrue: 'ok' | 'err' } | null {
  let negated = false;
  let cond = inner(condition);
  while (cond?.type === 'unary_expression' && cond.text.trim().startsWith('!')) {
    negated = !negated;
    cond = inner(cond.namedChildren[0] ?? null);
  }
  if (!cond) return null;
  const flip = (w: 'ok' | 'err'): 'ok' | 'err' => (negated ? (w === 'ok' ? 'err' : 'ok') : w);
  if (cond.type === 'let_condition') {
    const call = testedCall(cond.childForFieldName('value'), st);
    const outcome = call ? patternOutcome(cond.childForFieldName('pattern'), call.option) : null;
    return call && outcome ? { call, whenTrue: outcome } : null;
  }
  if (cond.type !== 'call_expression') return null;
  const fn = cond.childForFieldName('function');
  const method = fn?.type === 'field_expression' ? fn.childForFieldName('field')?.text : undefined;
  if (method !== 'is_err' && method !== 'is_ok' && method !== 'is_some' && method !== 'is_none') return null;
  const call = testedCall(fn?.childForFieldName('value') ?? null, st);
  if (!call) return null;
  return { call, whenTrue: flip(method === 'is_ok' || method === 'is_some' ? 'ok' : 'err') };
}

/** The path takes the side where the call turned out `outcome`: a failure marks the call failed (it attaches or associates nothing). */
export function takeOutcome(st: PathState, call: TestedCall, outcome: 'ok' | 'err'): void {
  const made = st.nodeActions.get(call.node);
  if (!made) return;
  for (const a of made.actions) {
    if (outcome === 'err') st.failed.add(a);
    else if (a.kind === 'assoc') st.succeeded.add(a);
  }
}
