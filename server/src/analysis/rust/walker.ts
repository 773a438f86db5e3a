// Walks a Rust loader function path by path, as the C reader walks C (loader/flow.ts): `if`/`else`
// (and `if let`), `match` arms, loops (a `for`/`while` body run 0 or 1 times, a `loop` body once),
// `return`, results of attach and association calls tested with `match`, `if let` or `is_err()`
// (results.ts: the failure side marks the call failed, as C's `if (!link)`), `?` (the error side
// of a loader call leaves: the path gives up there, as at a C error check), calls whose outcome
// depends on the running kernel (scx_utils' cond_*_enable(): both sides), blocks, closures (run
// where they stand) and helper functions of the same file. A branch forks the path only when one
// of its sides makes a loader call or leaves before one; paths that end up alike are merged after
// each statement; no more than MAX_PATHS are alive at once.
import type { Node } from '../c/parser';
import { MAX_CALL_DEPTH, MAX_PATHS } from '../loader/paths';
import type { PathState } from '../loader/pathState';
import { Scope } from '../loader/refs';
import type { LoaderAction } from '../facts';
import { negateRust } from './conditions';
import { outcomeTest, patternOutcome, takeOutcome, testedCall } from './results';

/** What the walker asks of the reader. */
export interface RustSteps {
  /** A call whose outcome the reading cannot know and that changes the path on one side (scx_utils' cond_*_enable()): its condition text and that side's effect. */
  fork(n: Node, st: PathState): { text: string; take: (s: PathState) => void } | null;
  /** Reads a call, macro or assignment on a path; returns a helper function to follow, if any. */
  step(n: Node, st: PathState): Node | null;
  /** The arguments of a macro that may make a loader call (`vec![skel.maps.a.attach_struct_ops()?]`), parsed as an expression. */
  macroArguments(n: Node): Node | null;
  /** Binds a `let` on a path. */
  bind(n: Node, st: PathState): void;
  /** Binds a followed helper's parameters. */
  enter(fn: Node, call: Node, caller: PathState, callee: Scope): void;
  /** Nothing under the node makes a loader call or leaves (its paths go through it unchanged). */
  inert(n: Node): boolean;
  /** The node may make a loader call (itself or through a helper of the file). */
  callsLoader(n: Node): boolean;
  /** The node may change what the path does to associations (a loader call or a helper that makes one; not a data write). */
  changesPath(n: Node): boolean;
  /** A loader call follows the node in its function. */
  callsAfter(n: Node): boolean;
  /** Marks the lifecycles of a path as read with a branch whose sides were read in turn. */
  truncate(st: PathState): void;
  /** A path that gave up and left: its lifecycle segments end here. */
  retire(st: PathState): void;
  location(n: Node): LoaderAction['location'];
}

const SKIPPED = new Set(['function_item', 'struct_item', 'impl_item', 'use_declaration', 'attribute_item', 'inner_attribute_item', 'line_comment', 'block_comment', 'mod_item', 'enum_item', 'trait_item', 'const_item', 'static_item', 'type_item', 'macro_definition']);

export class RustWalker {
  readonly visited = new Set<string>();

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
  private crowded(states: PathState[], ways: number): boolean {
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
        return this.ifExpression(n, states);
      case 'match_expression':
        return this.matchExpression(n, states);
      case 'for_expression':
      case 'while_expression':
        return this.loop(n, states, false);
      case 'loop_expression':
        return this.loop(n, states, true);
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
    for (const s of states) if (!s.exit) s.exit = kind === 'return' ? { kind, value: 'unknown', returnsSkeleton: false } : { kind };
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

  private matters(n: Node | null): boolean {
    if (!n) return false;
    if (this.steps.changesPath(n)) return true;
    return /\breturn\b|\?|\bbail!|\bexit\s*\(|\bbreak\b/.test(n.text) && this.steps.callsAfter(n);
  }

  private ifExpression(n: Node, states: PathState[]): PathState[] {
    const cond = n.childForFieldName('condition');
    const thenArm = n.childForFieldName('consequence');
    const elseArm = n.childForFieldName('alternative')?.namedChildren[0] ?? null;
    const before = this.expr(cond?.type === 'let_condition' ? cond.childForFieldName('value') : cond, states);
    const text = (cond?.text ?? '').replace(/\s+/g, ' ');
    if (!this.matters(thenArm) && !this.matters(elseArm)) return this.inTurn([thenArm, elseArm], before);
    // A side that only gives up (an error check: it returns without a loader call) is not kept.
    const thenOnlyGivesUp = this.givesUp(thenArm);
    const elseOnlyGivesUp = this.givesUp(elseArm);
    if (thenOnlyGivesUp !== elseOnlyGivesUp) {
      for (const s of before) if (!s.exit) this.outcome(cond, s, !thenOnlyGivesUp);
      return this.expr(thenOnlyGivesUp ? elseArm : thenArm, before);
    }
    if (this.crowded(before, 2)) return this.inTurn([thenArm, elseArm], before);
    const out: PathState[] = [];
    for (const s of before) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      const known = text === 'true' ? true : text === 'false' ? false : (s.decided.get(text) ?? this.decidedValue(cond, s));
      const elseGivesUp = this.givesUp(elseArm);
      const thenGivesUp = this.givesUp(thenArm);
      if (known !== false) {
        const yes = known === undefined ? s.clone() : s;
        this.decide(yes, text, true, elseGivesUp, thenGivesUp, cond);
        this.outcome(cond, yes, true);
        out.push(...this.expr(thenArm, [yes]));
      }
      if (known !== true) {
        this.decide(s, text, false, thenGivesUp, elseGivesUp, cond);
        this.outcome(cond, s, false);
        out.push(...this.expr(elseArm, [s]));
      }
    }
    return this.cap(this.merge(out), n);
  }

  /** A condition on a call whose value the path knows (`Self::enable(&mut skel)? == false` after the helper returned its fork's side). */
  private decidedValue(cond: Node | null, s: PathState): boolean | undefined {
    let negated = false;
    let e = cond;
    for (;;) {
      if (!e) return undefined;
      if (e.type === 'parenthesized_expression' || e.type === 'try_expression') e = e.namedChildren[0] ?? null;
      else if (e.type === 'unary_expression' && e.text.trim().startsWith('!')) {
        negated = !negated;
        e = e.namedChildren[0] ?? null;
      } else if (e.type === 'binary_expression' && /^(?:==|!=)$/.test(e.childForFieldName('operator')?.text ?? '') && /^(?:true|false)$/.test(e.childForFieldName('right')?.text ?? '')) {
        if ((e.childForFieldName('operator')?.text === '==') !== (e.childForFieldName('right')?.text === 'true')) negated = !negated;
        e = e.childForFieldName('left');
      } else break;
    }
    const v = e.type === 'call_expression' ? s.callValues.get(e.id) : undefined;
    return typeof v === 'number' ? (v !== 0) !== negated : undefined;
  }

  private matchExpression(n: Node, states: PathState[]): PathState[] {
    const value = n.childForFieldName('value');
    const arms = (n.childForFieldName('body')?.namedChildren ?? []).filter((a): a is Node => a?.type === 'match_arm');
    const before = this.expr(value, states);
    if (!arms.some((a) => this.matters(a.childForFieldName('value'))) || this.crowded(before, arms.length)) return this.inTurn(arms.map((a) => a.childForFieldName('value')), before);
    const subject = (value?.text ?? '').replace(/\s+/g, ' ');
    const out: PathState[] = [];
    for (const s of before) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      // The subject is an attach or association call's result: the `Err` arm is the side where it failed.
      const tested = testedCall(value, s);
      const seen = new Set<string>();
      for (const arm of arms) {
        const t = s.clone();
        const pattern = (arm.childForFieldName('pattern')?.text ?? '_').replace(/\s+/g, ' ');
        if (pattern !== '_') this.decide(t, `${subject} matches ${pattern}`, true, false, this.givesUp(arm.childForFieldName('value')), arm);
        if (tested) {
          const outcome = patternOutcome(arm.childForFieldName('pattern'), tested.option) ?? (seen.size === 1 ? (seen.has('ok') ? 'err' : 'ok') : null);
          if (outcome) {
            seen.add(outcome);
            takeOutcome(t, tested, outcome);
          }
        }
        out.push(...this.expr(arm.childForFieldName('value'), [t]));
      }
    }
    return this.cap(this.merge(out), n);
  }

  /** A `for`/`while` body runs 0 or 1 times (`loop`: once); `break` and `continue` end the run. */
  private loop(n: Node, states: PathState[], always: boolean): PathState[] {
    const head = n.type === 'for_expression' ? n.childForFieldName('value') : n.childForFieldName('condition');
    const before = this.expr(head?.type === 'let_condition' ? head.childForFieldName('value') : head, states);
    const body = n.childForFieldName('body');
    const run = (ss: PathState[]): PathState[] => {
      const out = this.expr(body, ss);
      for (const s of out) if (s.exit?.kind === 'break' || s.exit?.kind === 'continue') s.exit = null;
      return out;
    };
    if (always) return run(before);
    if (!this.matters(body) || this.crowded(before, 2)) return this.inTurn([body], before);
    const text = `${n.type === 'for_expression' ? 'for' : 'while'} ${(head?.text ?? '').replace(/\s+/g, ' ')} runs`;
    const out: PathState[] = [];
    for (const s of before) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      const once = s.clone();
      this.decide(once, text, true, false, false, head);
      out.push(...run([once]));
      this.decide(s, text, false, false, false, head);
      out.push(s);
    }
    return this.cap(this.merge(out), n);
  }

  /** Sides that do not matter, read one after the other for their bindings; their exits are not taken. */
  private inTurn(arms: (Node | null)[], states: PathState[]): PathState[] {
    let out = states;
    const live = out.filter((s) => !s.exit);
    for (const a of arms) {
      out = this.expr(a, out);
      for (const s of out) if (live.includes(s)) s.exit = null;
    }
    return out;
  }

  /** A side that leaves without any loader call: an error check. */
  private givesUp(arm: Node | null): boolean {
    return !!arm && /\breturn\b|\bbail!|\bexit\s*\(/.test(arm.text) && !this.steps.callsLoader(arm);
  }

  /** The side of a condition that tests a call's result (`if let Err(e) = ..`, `r.is_err()`): its failure side marks the call failed. */
  private outcome(cond: Node | null, s: PathState, taken: boolean): void {
    const test = outcomeTest(cond, s);
    if (test) takeOutcome(s, test.call, taken === (test.whenTrue === 'ok') ? 'ok' : 'err');
  }

  private decide(s: PathState, text: string, taken: boolean, guard: boolean, givesUp: boolean, at: Node | null): void {
    s.decided.set(text, taken);
    const literal = taken ? text : negateRust(text);
    for (const seg of s.segments.values()) {
      if (at) seg.literals.push({ text: literal, guard, location: this.steps.location(at) });
      if (givesUp) seg.givesUp = true;
    }
  }

  merge(states: PathState[]): PathState[] {
    const seen = new Map<string, PathState>();
    const out: PathState[] = [];
    for (const s of states) {
      const key = s.signature(this.actionKey);
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
  private cap(states: PathState[], _at: Node): PathState[] {
    if (states.length <= MAX_PATHS) return states;
    for (const s of states.slice(MAX_PATHS)) this.steps.truncate(s);
    for (const s of states.slice(0, MAX_PATHS)) this.steps.truncate(s);
    return states.slice(0, MAX_PATHS);
  }
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
