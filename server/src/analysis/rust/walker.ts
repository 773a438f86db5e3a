// Walks a Rust loader function path by path, as the C reader walks C (loader/flow.ts): statements
// and blocks, calls (a method chain from the innermost out; helper functions of the same file
// followed; `?` whose error side leaves: the path gives up there, as at a C error check),
// `return`/`break`/`continue`/`bail!`, closures (run where they stand), calls whose outcome depends
// on the running kernel (scx_utils' cond_*_enable(): both sides), and the merging of paths that end
// up alike after each statement; no more than MAX_PATHS are alive at once. Branches (`if`, `match`,
// loops) are read by branches.ts; what the walker asks of the reader is in walkApi.ts.
import type { Node } from '../c/parser';
import { MAX_CALL_DEPTH, MAX_PATHS } from '../loader/paths';
import { Exit, SequenceIds, type PathState } from '../loader/pathState';
import { Scope } from '../loader/refs';
import type { LoaderAction } from '../facts';
import { readIf, readLoop, readMatch } from './branches';
import { negateRust } from './conditions';
import type { RustPathWalk, RustSteps } from './walkApi';

/** Items and comments a block's walk steps over. */
export const SKIPPED = new Set(['function_item', 'struct_item', 'impl_item', 'use_declaration', 'attribute_item', 'inner_attribute_item', 'line_comment', 'block_comment', 'mod_item', 'enum_item', 'trait_item', 'const_item', 'static_item', 'type_item', 'macro_definition']);

export class RustWalker implements RustPathWalk {
  readonly visited = new Set<string>();
  /** Short names of the paths' action sequences, so that a signature (merge()) stays short however many calls a path made. */
  private readonly sequences = new SequenceIds();

  constructor(
    private readonly steps: RustSteps,
    private readonly actionKey: (a: LoaderAction) => string,
  ) {}

  walkFunction(fn: Node, states: PathState[]): PathState[] {
    return this.expr(fn.childForFieldName('body'), states);
  }

  /** An expression (or statement) on the live paths; paths that left pass through. */
  expr(n: Node | null, states: PathState[]): PathState[] {
    if (!n) return states;
    const live = states.filter((s) => !s.exit);
    if (!live.length) return states;
    return [...states.filter((s) => s.exit), ...this.retired(this.live(n, live))];
  }

  /** Paths that gave up at an error check and left are recorded at once and not carried further. */
  private retired(states: PathState[]): PathState[] {
    return states.filter((s) => {
      if (!s.exit || s.exit.kind === 'break' || s.exit.kind === 'continue' || ![...s.segments.values()].some((g) => g.givesUp)) return true;
      this.steps.retire(s);
      return false;
    });
  }

  /** Forking `ways` ways would keep more than MAX_PATHS alive: the sides are read in turn instead. */
  crowded(states: PathState[], ways: number): boolean {
    if (states.filter((s) => !s.exit).length * ways <= MAX_PATHS) return false;
    for (const s of states) this.steps.truncate(s);
    return true;
  }

  private live(n: Node, states: PathState[]): PathState[] {
    const type = n.type;
    if (SKIPPED.has(type)) return states;
    // Bindings are read whatever their value; anything else with no loader call and no exit is passed over.
    if (type !== 'let_declaration' && type !== 'assignment_expression' && type !== 'compound_assignment_expr' && this.steps.inert(n)) return states;
    switch (type) {
      case 'block':
        return this.block(n, states);
      case 'let_declaration': {
        const out = this.expr(n.childForFieldName('value'), states);
        for (const s of out) if (!s.exit) this.steps.bind(n, s);
        return out;
      }
      case 'if_expression':
        return readIf(this, n, states);
      case 'match_expression':
        return readMatch(this, n, states);
      case 'for_expression':
      case 'while_expression':
        return readLoop(this, n, states, false);
      case 'loop_expression':
        return readLoop(this, n, states, true);
      case 'return_expression':
        return this.leave(this.expr(n.namedChildren[0] ?? null, states), 'return');
      case 'break_expression':
        return this.leave(this.expr(n.namedChildren.find((c) => c?.type !== 'label') ?? null, states), 'break');
      case 'continue_expression':
        return this.leave(states, 'continue');
      case 'try_expression':
        return this.tryExpression(n, states);
      case 'closure_expression':
        return this.expr(n.childForFieldName('body'), states);
      case 'macro_invocation':
      case 'call_expression':
      case 'assignment_expression':
      case 'compound_assignment_expr':
        return this.call(n, states);
    }
    let out = states;
    for (const c of n.namedChildren) if (c) out = this.expr(c, out);
    return out;
  }

  private block(n: Node, states: PathState[]): PathState[] {
    let out = states;
    for (const c of n.namedChildren) {
      if (!c || SKIPPED.has(c.type) || c.type === 'label') continue;
      out = this.merge(this.expr(c, out));
    }
    // A labelled block's `break 'label` ends the block only.
    if (n.namedChildren[0]?.type === 'label') for (const s of out) if (s.exit?.kind === 'break') s.exit = null;
    return out;
  }

  /** Arguments and receivers first, then the call itself; a helper of the file is followed. */
  private call(n: Node, states: PathState[]): PathState[] {
    // A method chain `a().b()?.c()...`: its calls from the innermost out, in a loop (a chain thousands
    // of links long would overflow the stack walked down recursively). Receivers that make no loader
    // call and never leave are walked as usual (they pass through at once).
    const chain: Node[] = [n];
    for (let c = receiverCall(n); c && !this.steps.inert(c); c = receiverCall(c)) chain.push(c);
    let out = states;
    for (let i = chain.length - 1; i >= 0; i--) out = this.oneCall(chain[i] as Node, out, i < chain.length - 1);
    return out;
  }

  /** One call: its arguments and receiver (unless the chain walked it already), then the call itself. */
  private oneCall(n: Node, states: PathState[], receiverWalked: boolean): PathState[] {
    let out = states;
    if (n.type === 'macro_invocation') out = this.expr(this.steps.macroArguments(n), out);
    else for (const c of n.namedChildren) if (c && !(receiverWalked && c.type === 'field_expression')) out = this.expr(c, out);
    const after: PathState[] = [];
    for (const s of out) {
      if (s.exit) {
        after.push(s);
        continue;
      }
      const fork = this.steps.fork(n, s);
      if (fork) {
        after.push(...this.forkOn(fork, s, n, out));
        continue;
      }
      const helper = this.steps.step(n, s);
      if (!helper) {
        after.push(s);
        continue;
      }
      after.push(...this.follow(helper, n, s));
    }
    // `bail!(...)`: returns an error.
    if (n.type === 'macro_invocation' && /^(?:anyhow::)?bail$/.test(n.childForFieldName('macro')?.text ?? '')) return this.leave(after, 'return');
    return after;
  }

  /** Both sides of a call the reading cannot decide, as of an `if`: the true side takes its effect. */
  private forkOn(fork: { text: string; take: (s: PathState) => void }, s: PathState, at: Node, alive: PathState[]): PathState[] {
    // Two calls of the same text (two helpers' `cond_tracepoints_enable(tracepoints)`) test different things: each call site is its own decision.
    const key = `${fork.text}@${at.startIndex}`;
    const known = s.decided.get(key);
    if (known === false) return [s];
    if (known === true || this.crowded(alive, 2)) {
      fork.take(s);
      return [s];
    }
    const yes = s.clone();
    this.decide(yes, fork.text, true, false, false, at);
    yes.decided.delete(fork.text);
    yes.decided.set(key, true);
    yes.callValues.set(at.id, 1);
    s.callValues.set(at.id, 0);
    fork.take(yes);
    this.decide(s, fork.text, false, false, false, at);
    s.decided.delete(fork.text);
    s.decided.set(key, false);
    return [yes, s];
  }

  private follow(fn: Node, call: Node, s: PathState): PathState[] {
    const name = fn.childForFieldName('name')?.text ?? '';
    if (s.frames.length >= MAX_CALL_DEPTH || s.frames.some((f) => f.fn === name)) return [s];
    this.visited.add(name);
    const scope = new Scope();
    this.steps.enter(fn, call, s, scope);
    s.frames.push({ fn: name, scope });
    const depth = s.frames.length;
    const out = this.walkFunction(fn, [s]);
    // A helper whose value is a call the path decided (`fn f(..) -> Result<bool> { ..; compat::cond_kprobes_enable(v) }`) returns that decision.
    const body = fn.childForFieldName('body');
    const tail = body?.namedChildren[body.namedChildren.length - 1] ?? null;
    for (const r of out) {
      r.frames.length = depth - 1;
      if (r.exit?.kind === 'return') r.exit = null;
      const value = tail?.type === 'call_expression' ? r.callValues.get(tail.id) : undefined;
      if (value !== undefined) r.callValues.set(call.id, value);
    }
    return this.merge(out);
  }

  private leave(states: PathState[], kind: 'return' | 'break' | 'continue' | 'exit'): PathState[] {
    for (const s of states) if (!s.exit) s.exit = kind === 'return' ? Exit.returned('unknown', false) : Exit.left(kind);
    return states;
  }

  /**
   * `x?`: the path goes on with the success side. The error side returns at once: an error check,
   * which gives up and would count only for what it shares with the paths that go on, so it is
   * not kept (as a C path that gives up is not replayed when another path goes on).
   */
  private tryExpression(n: Node, states: PathState[]): PathState[] {
    return this.expr(n.namedChildren[0] ?? null, states);
  }

  matters(n: Node | null): boolean {
    if (!n) return false;
    if (this.steps.changesPath(n)) return true;
    return /\breturn\b|\?|\bbail!|\bexit\s*\(|\bbreak\b/.test(n.text) && this.steps.callsAfter(n);
  }

  /** Sides that do not matter, read one after the other for their bindings; their exits are not taken. */
  inTurn(arms: (Node | null)[], states: PathState[]): PathState[] {
    let out = states;
    const live = out.filter((s) => !s.exit);
    for (const a of arms) {
      out = this.expr(a, out);
      for (const s of out) if (live.includes(s)) s.exit = null;
    }
    return out;
  }

  /** A side that leaves without any loader call: an error check. */
  givesUp(arm: Node | null): boolean {
    return !!arm && /\breturn\b|\bbail!|\bexit\s*\(/.test(arm.text) && !this.steps.callsLoader(arm);
  }

  decide(s: PathState, text: string, taken: boolean, guard: boolean, givesUp: boolean, at: Node | null): void {
    s.decided.set(text, taken);
    const literal = taken ? text : negateRust(text);
    for (const seg of s.segments.values()) {
      if (at) seg.literals.push({ text: literal, guard, location: this.steps.location(at) });
      if (givesUp) seg.givesUp = true;
    }
  }

  merge(states: PathState[]): PathState[] {
    // Only paths of the same call depth that left alike can have the same signature: most paths
    // alive together differ there (one returned, one goes on), and then no signature is needed.
    if (!sharesHead(states)) return states;
    const seen = new Map<string, PathState>();
    const out: PathState[] = [];
    for (const s of states) {
      const key = s.signature(this.actionKey, this.sequences);
      const other = seen.get(key);
      if (other) {
        other.joinLiterals(s);
        continue;
      }
      seen.set(key, s);
      out.push(s);
    }
    return out;
  }

  /** At most MAX_PATHS alive: the rest are dropped and the lifecycles say they were truncated. */
  cap(states: PathState[], _at: Node): PathState[] {
    if (states.length <= MAX_PATHS) return states;
    for (const s of states.slice(MAX_PATHS)) this.steps.truncate(s);
    for (const s of states.slice(0, MAX_PATHS)) this.steps.truncate(s);
    return states.slice(0, MAX_PATHS);
  }
}

/** Two of the states have the same call depth and left alike (their signatures' first parts are equal). */
function sharesHead(states: readonly PathState[]): boolean {
  for (let i = 0; i < states.length; i++) {
    const a = states[i] as PathState;
    for (let j = i + 1; j < states.length; j++) if (a.sameHead(states[j] as PathState)) return true;
  }
  return false;
}

/** The call a method call is made on (`a()` of `a().b()` and of `a()?.b()`), if it is one. */
function receiverCall(n: Node): Node | null {
  if (n.type !== 'call_expression') return null;
  const fn = n.childForFieldName('function');
  if (fn?.type !== 'field_expression') return null;
  let v = fn.childForFieldName('value');
  while (v?.type === 'try_expression') v = v.namedChildren[0] ?? null;
  return v?.type === 'call_expression' ? v : null;
}
