// Walks a loader function path by path: statements, if/else, early exits and the steps of an
// expression (statement expressions walked as statements where they stand). A branch forks the path
// when one of its sides matters (sides.ts); paths that end up alike are merged after each statement
// (pathMerge.ts), and no more than MAX_PATHS are alive at once (past that, both sides of a branch
// are read one after the other, and the lifecycle says it was truncated). Short-circuits are in
// shortCircuit.ts, switch and loops (0, 1 or 2 runs) in loops.ts.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { LoaderAction } from '../facts';
import { assume, conditionText, evaluate } from './branches';
import type { Arm, PathWalker, StepReader } from './flowApi';
import { loop, switchStatement } from './loops';
import { mergePaths } from './pathMerge';
import { LOADER_WALK_BUDGET, MAX_CALL_DEPTH, MAX_PATHS, negate, type PathLiteral } from './paths';
import { Exit, PathState, SequenceIds } from './pathState';
import { applyStep, decide, leave, returnExit, returnFrom, unleave } from './pathSteps';
import { Scope } from './refs';
import { runtimeValueOf, splitOnValue, unsettleAssigned } from './runtimeValues';
import { ShortCircuits } from './shortCircuit';
import { conditionalStatements } from './buildConditions';
import { Sides } from './sides';
import { StatementExpressions } from './statementExpressions';
import { stepArguments, stepCallee, stepType } from './stepIndex';

export type { StepReader };

const EXIT_CALLS = new Set(['exit', '_exit', 'abort', 'errx']);
/** sched_ext's selftest and scheduler macros that return or exit on a condition, written as calls when not expanded. */
const GUARD_MACROS = new Map<string, { failsWhen: boolean; arm: 'return' | 'exit' }>([
  ['SCX_FAIL_IF', { failsWhen: true, arm: 'return' }],
  ['SCX_ASSERT', { failsWhen: false, arm: 'return' }],
  ['SCX_BUG_ON', { failsWhen: true, arm: 'exit' }],
]);

export class FlowWalker implements PathWalker {
  private readonly sides: Sides;
  private readonly shortCircuits = new ShortCircuits(this);
  private readonly statementExpressions = new StatementExpressions();
  readonly visited = new Set<string>();
  /** Statements walked times the paths alive at each and their calls so far, for this reading (LOADER_WALK_BUDGET). */
  private work = 0;
  /** The paths' action sequences by short names, for their signatures when merging (one table per reading). */
  private readonly sequences = new SequenceIds();
  /** The first loop that ran its body once only because the reading was past its work budget. */
  repeatLeftOut: Node | null = null;

  constructor(readonly reader: StepReader, private readonly actionKey: (a: LoaderAction) => string) {
    this.sides = new Sides(reader);
  }

  /** Walks one function from its entry; returns the paths that reach its end (or leave it). */
  walkFunction(fn: Node, states: PathState[]): PathState[] {
    const body = fn.childForFieldName('body');
    return body ? this.walk(body, states) : states;
  }

  walk(n: Node | null, states: PathState[]): PathState[] {
    if (!n) return states;
    let exited = 0;
    for (const s of states) if (s.exit) exited++;
    if (!exited) return this.statement(n, states);
    if (exited === states.length) return states;
    const live = states.filter((s) => !s.exit);
    const done = states.filter((s) => s.exit);
    return [...done, ...this.statement(n, live)];
  }

  private statement(n: Node, states: PathState[]): PathState[] {
    // Each path costs its calls so far (cloned, compared when merging).
    for (const s of states) {
      this.work++;
      for (const seg of s.segments.values()) this.work += seg.actions.length;
    }
    switch (n.type) {
      case 'compound_statement':
        return this.block(n.namedChildren.filter((c): c is Node => !!c), states);
      case 'if_statement': {
        const cond = n.childForFieldName('condition');
        const alt = n.childForFieldName('alternative');
        const elseStmt = alt?.type === 'else_clause' ? (alt.namedChildren[0] ?? null) : alt;
        return this.fork(cond, n.childForFieldName('consequence'), elseStmt, this.expression(cond, states), n);
      }
      case 'switch_statement':
        return switchStatement(this, n, states);
      case 'for_statement':
      case 'while_statement':
      case 'do_statement':
        return loop(this, n, states);
      case 'return_statement': {
        const value = n.namedChildren[0] ?? null;
        const out = value ? this.expression(value, states) : states;
        for (const s of out) if (!s.exit) s.exit = returnExit(value, s);
        return out;
      }
      case 'goto_statement':
        return leave(states, Exit.jump(n.childForFieldName('label')?.text ?? ''));
      case 'break_statement':
        return leave(states, Exit.left('break'));
      case 'continue_statement':
        return leave(states, Exit.left('continue'));
      case 'preproc_if':
      case 'preproc_ifdef':
        return conditionalStatements(this, n, states, (x) => this.reader.branchDecision?.(x));
      case 'labeled_statement':
        return this.walk(n.namedChildren.find((c) => c?.type !== 'statement_identifier') ?? null, states);
      case 'comment':
        return states;
      default:
        return this.expression(n, states);
    }
  }

  /** Statements of a block; a goto to one of its labels resumes there (forward jumps only). */
  block(children: Node[], states: PathState[]): PathState[] {
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
      const out = this.walk(children[i] as Node, current);
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

  /** Side effects of an expression, helpers followed; guard macros and exit() fork or end the path. */
  expression(n: Node | null, states: PathState[]): PathState[] {
    if (!n) return states;
    const sc = this.shortCircuits.read(n, states);
    if (sc) return sc;
    let out = states;
    // Calls handled after their arguments, innermost last (made only when there is one).
    let deferred: Node[] | null = null;
    // Statement expressions are walked as statements where they stand; their steps are theirs.
    const blocks = this.statementExpressions.under(n);
    let next = 0;
    for (const step of this.reader.steps(n)) {
      let block = blocks[next];
      while (block && block.endIndex <= step.startIndex) {
        if (deferred) out = this.flush(deferred, block.startIndex, out);
        out = this.walk(block, out);
        block = blocks[++next];
      }
      if (block && step.startIndex >= block.startIndex) continue;
      if (deferred) out = this.flush(deferred, step.startIndex, out);
      if (stepType(step) === 'call_expression' && this.deferredCall(step)) {
        (deferred ??= []).push(step);
        continue;
      }
      for (const s of out) if (!s.exit) this.applyStep(step, s);
    }
    for (let block = blocks[next]; block; block = blocks[++next]) {
      if (deferred) out = this.flush(deferred, block.startIndex, out);
      out = this.walk(block, out);
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

  applyStep(step: Node, s: PathState): void {
    applyStep(this.reader, step, s);
  }

  private deferredCall(call: Node): boolean {
    const fn = stepCallee(call);
    return GUARD_MACROS.has(fn) || EXIT_CALLS.has(fn) || !!this.reader.relevantFunction(fn) || runtimeValueOf(call) !== null;
  }

  /** A call handled after its arguments: a guard macro, exit(), a helper of this file, or an on/off call the path splits on (runtimeValues.ts). */
  private call(call: Node, states: PathState[]): PathState[] {
    const fn = stepCallee(call);
    const args = stepArguments(call);
    const value = runtimeValueOf(call);
    if (value) return this.merge(splitOnValue(this, call, value, states));
    const guard = GUARD_MACROS.get(fn);
    if (guard) {
      const cond = args[0] ?? null;
      return guard.failsWhen ? this.fork(cond, guard.arm, null, states, call) : this.fork(cond, null, guard.arm, states, call);
    }
    if (EXIT_CALLS.has(fn)) return leave(states.filter((s) => !s.exit), Exit.left('exit')).concat(states.filter((s) => s.exit));
    const def = this.reader.relevantFunction(fn);
    if (!def) return states;
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

  /** Forks on a condition when a side matters; constant conditions take their side only. */
  fork(cond: Node | null, thenArm: Arm, elseArm: Arm, states: PathState[], at?: Node): PathState[] {
    const out: PathState[] = [];
    const matters = this.interesting(thenArm, at ?? cond) || this.interesting(elseArm, at ?? cond);
    for (const s of states) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      const v = evaluate(cond, s);
      if (v !== 'unknown') {
        out.push(...this.arm(v ? thenArm : elseArm, [s]));
        continue;
      }
      if (!matters || states.length + out.length >= MAX_PATHS) {
        if (matters) this.reader.truncate(s);
        out.push(...this.bothInTurn(thenArm, elseArm, s));
        continue;
      }
      const text = conditionText(cond);
      const yes = s.clone();
      const no = s;
      const thenGivesUp = this.sides.givesUp(thenArm);
      const elseGivesUp = this.sides.givesUp(elseArm);
      const at = cond ? this.reader.location(cond) : undefined;
      if (assume(cond, true, yes)) {
        this.decide(yes, text, elseGivesUp, thenGivesUp, at);
        out.push(...this.arm(thenArm, [yes]));
      }
      if (assume(cond, false, no)) {
        this.decide(no, negate(text), thenGivesUp, elseGivesUp, at);
        out.push(...this.arm(elseArm, [no]));
      }
    }
    return this.merge(out);
  }

  /** Both sides one after the other, for their bindings; a side's return or jump is not taken. */
  private bothInTurn(thenArm: Arm, elseArm: Arm, s: PathState): PathState[] {
    const after = this.arm(elseArm, this.unleave(this.arm(thenArm, [s])));
    return unsettleAssigned(this, [typeof thenArm === 'string' ? null : thenArm, typeof elseArm === 'string' ? null : elseArm], this.unleave(after));
  }

  unleave(states: PathState[]): PathState[] {
    return unleave(states);
  }

  decide(s: PathState, text: string, guard: boolean, givesUp: boolean, at: PathLiteral['location'] | undefined): void {
    decide(s, text, guard, givesUp, at);
  }

  private arm(a: Arm, states: PathState[]): PathState[] {
    if (a === null) return states;
    if (a === 'exit') return leave(states, Exit.left('exit'));
    if (a === 'return') return leave(states, Exit.returned('unknown', false));
    return this.walk(a, states);
  }

  interesting(a: Arm | Node | null, at: Node | null): boolean {
    return this.sides.interesting(a, at);
  }

  mayRepeat(loop: Node): boolean {
    if (this.work < LOADER_WALK_BUDGET) return true;
    this.repeatLeftOut ??= loop;
    return false;
  }

  callsLoader(n: Node, exceptDestroy: boolean): boolean {
    return this.sides.callsLoader(n, exceptDestroy);
  }

  merge(states: PathState[]): PathState[] {
    return mergePaths(states, this.reader, this.actionKey, this.sequences);
  }
}
