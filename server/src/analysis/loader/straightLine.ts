// The loader reader's fast path: a loader whose functions are read statement after statement —
// declarations, expressions, returns, error checks that give up (`if (!skel) return 1;`,
// `if (err) goto out;`) and checks whose side only prints, and forward gotos to a cleanup label —
// which is what the bench's loaders and most real ones are. The reading is the general walker's
// (flow.ts), step for step, on that subset: the same steps applied in the same order, the same
// forks, decisions and merges (pathSteps.ts holds what both share), without the walker's dispatch
// over switch, loops, short-circuits, statement expressions and build conditions, whose code then
// never runs (nor gets optimised) for such a loader. `fitsStraightLine` decides from the syntax
// alone, before reading; anything else is read by the walker.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { LoaderAction } from '../facts';
import { assume, conditionText, evaluate } from './branches';
import { EXIT_CALLS, GUARD_MACROS } from './flow';
import type { StepReader } from './flowApi';
import { mergePaths } from './pathMerge';
import { MAX_CALL_DEPTH, MAX_PATHS, negate } from './paths';
import { Exit, SequenceIds, type PathState } from './pathState';
import { applyStep, decide, leave, returnExit, returnFrom, unleave } from './pathSteps';
import { Scope } from './refs';
import { LEAVES, Sides } from './sides';
import { OPENS } from './statementExpressions';
import { stepArguments, stepCallee, stepType } from './stepIndex';

/** Text that may hold `a || b`, `a && b` or `c ? x : y`: the walker's short-circuit reading (shortCircuit.ts) may apply. */
const CHOICE = /\|\||&&|\?/;

/** The statements of a block (comments too), in order. */
function statementsOf(block: Node): Node[] {
  return block.namedChildren.filter((c): c is Node => !!c);
}

/**
 * Whether every function the reading may follow (`functions`) is read statement after statement:
 * the walker would meet nothing but what StraightLineWalker reads the same way.
 */
export function fitsStraightLine(reader: StepReader, functions: Iterable<Node>): boolean {
  const sides = new Sides(reader);
  /** An expression (a statement's, a condition, a returned value) the walker reads as plain steps. */
  const plain = (x: Node): boolean => {
    const text = x.text;
    // Statement expressions (`({ ... })`) are walked as statements by the walker.
    if (OPENS.test(text)) return false;
    for (const step of reader.steps(x)) {
      const fn = stepCallee(step);
      if (GUARD_MACROS.has(fn) || EXIT_CALLS.has(fn)) return false;
    }
    // A short-circuit whose right side makes a loader call or leaves forks in the walker.
    return !CHOICE.test(text) || (!LEAVES.test(text) && !sides.callsLoader(x, false));
  };
  for (const fn of functions) {
    const body = fn.childForFieldName('body');
    if (!body) continue;
    if (body.type !== 'compound_statement') return false;
    const statements = statementsOf(body);
    const labels = new Map<string, number>();
    statements.forEach((c, i) => {
      if (c.type === 'labeled_statement') labels.set(c.childForFieldName('label')?.text ?? c.namedChildren[0]?.text ?? '', i);
    });
    /** A jump to a label further down this body: the walker resumes it there. */
    const forward = (jump: Node, at: number): boolean => (labels.get(jump.childForFieldName('label')?.text ?? '') ?? -1) > at;
    /** A simple statement: a declaration, an expression, a return, a forward goto. */
    const simple = (c: Node, at: number): boolean => {
      switch (c.type) {
        case 'comment':
          return true;
        case 'declaration':
        case 'expression_statement':
          return plain(c);
        case 'return_statement': {
          const value = c.namedChildren[0];
          return !value || plain(value);
        }
        case 'goto_statement':
          return forward(c, at);
        default:
          return false;
      }
    };
    /** A statement of the body (`top`: at its top level, where labels are), at the body's statement `at`. */
    const fits = (c: Node, at: number, top: boolean): boolean => {
      if (simple(c, at)) return true;
      switch (c.type) {
        case 'labeled_statement': {
          const inner = c.namedChildren.find((x) => x?.type !== 'statement_identifier');
          return top && !!inner && inner.type !== 'goto_statement' && inner.type !== 'labeled_statement' && fits(inner, at, false);
        }
        case 'compound_statement':
          return !top && statementsOf(c).every((x) => x.type !== 'labeled_statement' && fits(x, at, false));
        case 'if_statement': {
          const cond = c.childForFieldName('condition');
          const then = c.childForFieldName('consequence');
          const alt = c.childForFieldName('alternative');
          const otherwise = alt?.type === 'else_clause' ? (alt.namedChildren[0] ?? null) : alt;
          return !!cond && !!then && plain(cond) && fits(then, at, false) && (!alt || (!!otherwise && fits(otherwise, at, false)));
        }
        default:
          return false;
      }
    };
    if (!statements.every((c, i) => fits(c, i, true))) return false;
  }
  return true;
}

/** Reads functions that fitsStraightLine accepted, as the walker (FlowWalker) would. */
export class StraightLineWalker {
  readonly visited = new Set<string>();
  /** No loops here: no loop ran out of the work budget. */
  readonly repeatLeftOut: Node | null = null;
  private readonly sides: Sides;
  private readonly sequences = new SequenceIds();

  constructor(private readonly reader: StepReader, private readonly actionKey: (a: LoaderAction) => string) {
    this.sides = new Sides(reader);
  }

  walkFunction(fn: Node, states: PathState[]): PathState[] {
    const body = fn.childForFieldName('body');
    return body ? this.block(statementsOf(body), states) : states;
  }

  /** Statements of a block; a goto to one of its labels resumes there. */
  private block(children: Node[], states: PathState[]): PathState[] {
    let labels: Map<string, number> | null = null;
    for (let i = 0; i < children.length; i++) {
      const c = children[i] as Node;
      if (c.type === 'labeled_statement') (labels ??= new Map()).set(c.childForFieldName('label')?.text ?? c.namedChildren[0]?.text ?? '', i);
    }
    let pending: Map<number, PathState[]> | null = null;
    let current = states;
    const left: PathState[] = [];
    for (let i = 0; i < children.length; i++) {
      const resumed = pending?.get(i);
      current = this.merge(resumed ? [...current, ...resumed] : current);
      const out = this.statement(children[i] as Node, current);
      current = [];
      for (const s of out) {
        const target = labels && s.exit?.kind === 'goto' ? labels.get(s.exit.label) : undefined;
        if (target !== undefined && target > i) {
          s.exit = null;
          pending ??= new Map();
          pending.set(target, [...(pending.get(target) ?? []), s]);
        } else if (s.exit) left.push(s);
        else current.push(s);
      }
    }
    return this.merge(left.length ? [...left, ...current] : current);
  }

  /** One statement on paths none of which has left (a block passes only those). */
  private statement(n: Node, states: PathState[]): PathState[] {
    switch (n.type) {
      case 'if_statement': {
        const cond = n.childForFieldName('condition');
        const alt = n.childForFieldName('alternative');
        const otherwise = alt?.type === 'else_clause' ? (alt.namedChildren[0] ?? null) : alt;
        return this.check(cond, n.childForFieldName('consequence') as Node, otherwise, this.expression(cond, states), n);
      }
      case 'return_statement': {
        const value = n.namedChildren[0] ?? null;
        const out = value ? this.expression(value, states) : states;
        for (const s of out) if (!s.exit) s.exit = returnExit(value, s);
        return out;
      }
      case 'goto_statement':
        return leave(states, Exit.jump(n.childForFieldName('label')?.text ?? ''));
      case 'labeled_statement':
        return this.statement(n.namedChildren.find((c) => c?.type !== 'statement_identifier') as Node, states);
      case 'compound_statement':
        return this.block(statementsOf(n), states);
      case 'comment':
        return states;
      default:
        return this.expression(n, states);
    }
  }

  /** A side the path takes: a statement walked, or nothing. */
  private side(arm: Node | null, states: PathState[]): PathState[] {
    return arm ? this.statement(arm, states) : states;
  }

  /** `if (cond) then else otherwise`: forks where a side matters, as the walker's fork(). */
  private check(cond: Node | null, then: Node, otherwise: Node | null, states: PathState[], at: Node): PathState[] {
    const out: PathState[] = [];
    const matters = this.sides.interesting(then, at) || this.sides.interesting(otherwise, at);
    for (const s of states) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      const v = evaluate(cond, s);
      if (v !== 'unknown') {
        out.push(...this.side(v ? then : otherwise, [s]));
        continue;
      }
      if (!matters || states.length + out.length >= MAX_PATHS) {
        if (matters) this.reader.truncate(s);
        // Both sides one after the other, for their bindings; a side's return or jump is not taken.
        out.push(...unleave(this.side(otherwise, unleave(this.side(then, [s])))));
        continue;
      }
      const text = conditionText(cond);
      const yes = s.clone();
      const thenGivesUp = this.sides.givesUp(then);
      const elseGivesUp = this.sides.givesUp(otherwise);
      const where = cond ? this.reader.location(cond) : undefined;
      if (assume(cond, true, yes)) {
        decide(yes, text, elseGivesUp, thenGivesUp, where);
        out.push(...this.side(then, [yes]));
      }
      if (assume(cond, false, s)) {
        decide(s, negate(text), thenGivesUp, elseGivesUp, where);
        out.push(...this.side(otherwise, [s]));
      }
    }
    return this.merge(out);
  }

  /** Steps of an expression in order; a followed helper's call is handled after its arguments. */
  private expression(n: Node | null, states: PathState[]): PathState[] {
    if (!n) return states;
    let out = states;
    let deferred: Node[] | null = null;
    for (const step of this.reader.steps(n)) {
      if (deferred) out = this.flush(deferred, step.startIndex, out);
      if (stepType(step) === 'call_expression' && this.reader.relevantFunction(stepCallee(step))) {
        (deferred ??= []).push(step);
        continue;
      }
      for (const s of out) if (!s.exit) applyStep(this.reader, step, s);
    }
    if (deferred) out = this.flush(deferred, null, out);
    return out;
  }

  /** The deferred calls that end before `upTo` (all with null), innermost first. */
  private flush(deferred: Node[], upTo: number | null, states: PathState[]): PathState[] {
    let out = states;
    while (deferred.length) {
      const last = deferred[deferred.length - 1] as Node;
      if (upTo !== null && upTo < last.endIndex) break;
      deferred.pop();
      out = this.call(last, out);
    }
    return out;
  }

  /** A helper of this file, followed with the call's arguments (as the walker's call()). */
  private call(call: Node, states: PathState[]): PathState[] {
    const fn = stepCallee(call);
    const def = this.reader.relevantFunction(fn);
    if (!def) return states;
    const args = stepArguments(call);
    const out: PathState[] = [];
    for (const s of states) {
      if (s.exit || s.frames.length > MAX_CALL_DEPTH || s.frames.some((f) => f.fn === fn)) {
        out.push(s);
        continue;
      }
      this.visited.add(fn);
      const callee = new Scope(s.scope.parentScope());
      this.reader.bindParameters(def, args, s, callee);
      s.frames.push({ fn, scope: callee });
      for (const r of this.walkFunction(def, [s])) out.push(...returnFrom(this.reader, r, call));
    }
    return this.merge(out);
  }

  private merge(states: PathState[]): PathState[] {
    return mergePaths(states, this.reader, this.actionKey, this.sequences);
  }
}
