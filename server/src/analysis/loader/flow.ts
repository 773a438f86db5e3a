// Walks a loader function path by path. A branch forks the path when one of its sides makes a
// loader call, follows a helper or leaves the block; paths that end up alike are merged after each
// statement, and no more than MAX_PATHS are alive at once (past that, both sides of a branch are
// read one after the other, and the lifecycle says it was truncated). Loops run 0, 1 or 2 times.
import type { Node } from '../c/parser';
import type { LoaderAction } from '../facts';
import { assume, conditionText, evaluate, forget } from './branches';
import { MAX_CALL_DEPTH, MAX_PATHS, negate, type PathLiteral } from './paths';
import { PathState, type Exit } from './pathState';
import { Scope, skeletonOf } from './refs';
import { StatementExpressions } from './statementExpressions';
import { stepArguments, stepCallee, stepSets, stepType } from './stepIndex';

export interface StepReader {
  /** Declarations, assignments and calls under a node, in source order (outer before inner). */
  steps(n: Node): Node[];
  /** Applies one declaration, assignment or loader call on a path. */
  step(n: Node, st: PathState): void;
  /** Binds a followed helper's parameters to the caller's arguments. */
  bindParameters(fn: Node, args: Node[], caller: PathState, callee: Scope): void;
  /** A function of this file that makes loader calls (itself or through its helpers). */
  relevantFunction(name: string): Node | null;
  /** The call is one the loader reader acts on. */
  isLoaderCall(name: string): boolean;
  location(n: Node): import('../facts').Location;
  /** A path ended a lifecycle segment. */
  closeSegment(st: PathState, skeleton: string): void;
  /** Marks the lifecycles of a state as read with a merged branch. */
  truncate(st: PathState): void;
  /** A loader call (or a helper that makes one) follows the node in its function. */
  callsAfter(n: Node): boolean;
}

type Arm = Node | 'exit' | 'return' | null;

const EXIT_CALLS = new Set(['exit', '_exit', 'abort', 'errx']);
/** sched_ext's selftest and scheduler macros that return or exit on a condition, written as calls when not expanded. */
const GUARD_MACROS: Record<string, { failsWhen: boolean; arm: 'return' | 'exit' }> = {
  SCX_FAIL_IF: { failsWhen: true, arm: 'return' },
  SCX_ASSERT: { failsWhen: false, arm: 'return' },
  SCX_BUG_ON: { failsWhen: true, arm: 'exit' },
};
const LEAVES = /\b(return|goto|break|continue)\b|\b(exit|_exit|abort|errx|SCX_FAIL|SCX_FAIL_IF|SCX_BUG_ON|SCX_BUG)\s*\(/;
const DESTROY = /__destroy$|^bpf_link__destroy$|^bpf_object__close$/;

export class FlowWalker {
  private readonly interest = new Map<number, boolean>();
  private readonly giveUp = new Map<number, boolean>();
  private readonly statementExpressions = new StatementExpressions();
  readonly visited = new Set<string>();

  constructor(private readonly reader: StepReader, private readonly actionKey: (a: LoaderAction) => string) {}

  /** Walks one function from its entry; returns the paths that reach its end (or leave it). */
  walkFunction(fn: Node, states: PathState[]): PathState[] {
    const body = fn.childForFieldName('body');
    return body ? this.walk(body, states) : states;
  }

  private walk(n: Node | null, states: PathState[]): PathState[] {
    if (!n) return states;
    const live = states.filter((s) => !s.exit);
    const done = states.filter((s) => s.exit);
    if (!live.length) return states;
    return [...done, ...this.statement(n, live)];
  }

  private statement(n: Node, states: PathState[]): PathState[] {
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
        return this.switchStatement(n, states);
      case 'for_statement':
      case 'while_statement':
      case 'do_statement':
        return this.loop(n, states);
      case 'return_statement': {
        const value = n.namedChildren[0] ?? null;
        const out = value ? this.expression(value, states) : states;
        for (const s of out) {
          if (s.exit) continue;
          const v = unwrapIdent(value);
          s.exit = { kind: 'return', value: evaluate(value, s), returnsSkeleton: !!v && !!skeletonOf(v, s.scope) };
        }
        return out;
      }
      case 'goto_statement':
        return this.leave(states, { kind: 'goto', label: n.childForFieldName('label')?.text ?? '' });
      case 'break_statement':
        return this.leave(states, { kind: 'break' });
      case 'continue_statement':
        return this.leave(states, { kind: 'continue' });
      case 'labeled_statement':
        return this.walk(n.namedChildren.find((c) => c?.type !== 'statement_identifier') ?? null, states);
      case 'comment':
        return states;
      default:
        return this.expression(n, states);
    }
  }

  private leave(states: PathState[], exit: Exit): PathState[] {
    for (const s of states) s.exit ??= exit;
    return states;
  }

  /** Statements of a block; a goto to one of its labels resumes there (forward jumps only). */
  private block(children: Node[], states: PathState[]): PathState[] {
    const labels = new Map<string, number>();
    children.forEach((c, i) => {
      if (c.type === 'labeled_statement') labels.set(c.childForFieldName('label')?.text ?? c.namedChildren[0]?.text ?? '', i);
    });
    const pending = new Map<number, PathState[]>();
    let current = states;
    const left: PathState[] = [];
    for (let i = 0; i < children.length; i++) {
      current = this.merge([...current, ...(pending.get(i) ?? [])]);
      const out = this.walk(children[i] as Node, current);
      current = [];
      for (const s of out) {
        const target = s.exit?.kind === 'goto' ? labels.get(s.exit.label) : undefined;
        if (target !== undefined && target > i) {
          s.exit = null;
          pending.set(target, [...(pending.get(target) ?? []), s]);
        } else if (s.exit) left.push(s);
        else current.push(s);
      }
    }
    return this.merge([...left, ...current]);
  }

  /** Side effects of an expression, helpers followed; guard macros and exit() fork or end the path. */
  expression(n: Node | null, states: PathState[]): PathState[] {
    if (!n) return states;
    const sc = this.shortCircuit(n, states);
    if (sc) return sc;
    let out = states;
    const deferred: Node[] = [];
    const flush = (upTo: number | null) => {
      while (deferred.length) {
        const last = deferred[deferred.length - 1] as Node;
        if (upTo !== null && upTo < last.endIndex) break;
        deferred.pop();
        out = this.call(last, out);
      }
    };
    // Statement expressions are walked as statements where they stand; their steps are theirs.
    const blocks = this.statementExpressions.under(n);
    let next = 0;
    for (const step of this.reader.steps(n)) {
      let block = blocks[next];
      while (block && block.endIndex <= step.startIndex) {
        flush(block.startIndex);
        out = this.walk(block, out);
        block = blocks[++next];
      }
      if (block && step.startIndex >= block.startIndex) continue;
      flush(step.startIndex);
      if (stepType(step) === 'call_expression' && this.deferredCall(step)) {
        deferred.push(step);
        continue;
      }
      for (const s of out) if (!s.exit) this.applyStep(step, s);
    }
    for (let block = blocks[next]; block; block = blocks[++next]) {
      flush(block.startIndex);
      out = this.walk(block, out);
    }
    flush(null);
    return out;
  }

  private applyStep(step: Node, s: PathState): void {
    for (const name of stepSets(step)) forget(name, s);
    this.reader.step(step, s);
  }

  private deferredCall(call: Node): boolean {
    const fn = stepCallee(call);
    return fn in GUARD_MACROS || EXIT_CALLS.has(fn) || !!this.reader.relevantFunction(fn);
  }

  /** A call handled after its arguments: a guard macro, exit(), or a helper of this file. */
  private call(call: Node, states: PathState[]): PathState[] {
    const fn = stepCallee(call);
    const args = stepArguments(call);
    const guard = GUARD_MACROS[fn];
    if (guard) {
      const cond = args[0] ?? null;
      return guard.failsWhen ? this.fork(cond, guard.arm, null, states, call) : this.fork(cond, null, guard.arm, states, call);
    }
    if (EXIT_CALLS.has(fn)) return this.leave(states.filter((s) => !s.exit), { kind: 'exit' }).concat(states.filter((s) => s.exit));
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
      for (const r of this.walkFunction(def, [s])) out.push(...this.returnFrom(r, call));
    }
    return this.merge(out);
  }

  private returnFrom(s: PathState, call: Node): PathState[] {
    const depth = s.frames.length;
    s.frames.pop();
    // The callee's conditions were about its own variables.
    s.decided.clear();
    const exit = s.exit;
    if (exit?.kind === 'exit') return [s];
    s.exit = null;
    const value = exit?.kind === 'return' ? exit.value : 'unknown';
    s.callValues.set(call.id, value);
    const parent = call.parent;
    const target = parent?.type === 'assignment_expression' ? parent.childForFieldName('left') : parent?.type === 'init_declarator' ? parent.childForFieldName('declarator') : null;
    if (target?.type === 'identifier') s.scope.set(target.text, { value });
    const keep = exit?.kind === 'return' && exit.returnsSkeleton;
    for (const [skel, seg] of [...s.segments]) if (seg.depth >= depth && !keep && seg.open) this.reader.closeSegment(s, skel);
    return [s];
  }

  /**
   * `a() || b()`, `a && b()`, `c ? x() : y()` and GNU `err ?: f()` (alone, assigned or returned):
   * the right side runs only on the path where the left side lets it. For `||` and `?:` a true left
   * side (a call that returned an error) skips the rest; for `&&` a false one does: that path gives
   * up, as at an error check. Null when `n` is none of these or its right side makes no loader call.
   */
  private shortCircuit(n: Node, states: PathState[]): PathState[] | null {
    const c = this.choiceOf(n);
    if (!c) return null;
    const out = c.kind === '?:' ? (c.then ? this.fork(c.left, c.then, c.right, this.expression(c.left, states), c.e) : this.skipWhen(c.left, true, c.right, states)) : this.skipWhen(c.left, c.kind === '||', c.right, states);
    if (!c.assignment) return out;
    // The assignment itself, once its right side ran; its value where the path knows it
    // (`err ?: f()` is err when err is not 0, else what f() returned).
    for (const s of out) {
      if (s.exit) continue;
      const v = c.kind === '?:' ? choiceValue(c, s) : evaluate(c.e, s);
      this.applyStep(c.assignment, s);
      if (c.target !== null && v !== 'unknown') s.scope.set(c.target, { value: v });
    }
    return out;
  }

  private readonly choices = new Map<number, Choice | null>();

  /** The short-circuit an expression (or a statement) is, with its parts; found once per node. */
  private choiceOf(n: Node): Choice | null {
    let c = this.choices.get(n.id);
    if (c !== undefined) return c;
    c = null;
    let e = unwrapParens(n.type === 'expression_statement' ? (n.namedChildren[0] ?? null) : n);
    const assignment = e?.type === 'assignment_expression' && e.childForFieldName('operator')?.text === '=' ? e : null;
    if (assignment) e = unwrapParens(assignment.childForFieldName('right'));
    const type = e?.type;
    const left = assignment?.childForFieldName('left');
    const target = left?.type === 'identifier' ? left.text : null;
    if (e && type === 'conditional_expression') {
      const then = e.childForFieldName('consequence');
      const alt = e.childForFieldName('alternative');
      if (this.interesting(alt, e) || this.interesting(then, e)) c = { kind: '?:', e, assignment, target, left: e.childForFieldName('condition'), then, right: alt };
    } else if (e && type === 'binary_expression') {
      const op = e.childForFieldName('operator')?.text;
      const right = e.childForFieldName('right');
      if ((op === '||' || op === '&&') && this.interesting(right, e)) c = { kind: op, e, assignment, target, left: e.childForFieldName('left'), then: null, right };
    }
    this.choices.set(n.id, c);
    return c;
  }

  /** Runs `left`, then `right` only where `left` is not `skip`; the skipping path gives up. */
  private skipWhen(left: Node | null, skip: boolean, right: Node | null, states: PathState[]): PathState[] {
    const out: PathState[] = [];
    const text = conditionText(left);
    const where = left ? this.reader.location(left) : undefined;
    for (const s of this.expression(left, states)) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      const v = evaluate(left, s);
      if (v !== 'unknown') {
        if ((v !== 0) === skip) this.seenAndSkipped(right);
        out.push(...((v !== 0) === skip ? [s] : this.expression(right, [s])));
        continue;
      }
      if (states.length + out.length >= MAX_PATHS) {
        this.reader.truncate(s);
        out.push(...this.expression(right, [s]));
        continue;
      }
      const skipped = s.clone();
      if (assume(left, skip, skipped)) {
        this.decide(skipped, skip ? text : negate(text), false, true, where);
        out.push(skipped);
      }
      if (assume(left, !skip, s)) {
        this.decide(s, skip ? negate(text) : text, true, false, where);
        // `err ?: f()`, `err || f()`: f() runs where err is 0.
        const id = unwrapIdent(left);
        if (skip && id) s.scope.set(id.text, { value: 0 });
        out.push(...this.expression(right, [s]));
      }
    }
    return this.merge(out);
  }

  /** Helpers called only where the path never goes: seen from their call site, so no entry points. */
  private seenAndSkipped(n: Node | null): void {
    if (!n) return;
    for (const st of this.reader.steps(n)) {
      const fn = stepCallee(st);
      if (fn && this.reader.relevantFunction(fn)) this.visited.add(fn);
    }
  }

  /** Forks on a condition when a side matters; constant conditions take their side only. */
  private fork(cond: Node | null, thenArm: Arm, elseArm: Arm, states: PathState[], at?: Node): PathState[] {
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
      const thenGivesUp = this.givesUp(thenArm);
      const elseGivesUp = this.givesUp(elseArm);
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
    return this.unleave(after);
  }

  private unleave(states: PathState[]): PathState[] {
    for (const s of states) s.exit = null;
    return states;
  }

  private decide(s: PathState, text: string, guard: boolean, givesUp: boolean, at: PathLiteral['location'] | undefined): void {
    for (const seg of s.segments.values()) {
      if (at) seg.literals.push({ text, guard, location: at });
      if (givesUp) seg.givesUp = true;
    }
  }

  private arm(a: Arm, states: PathState[]): PathState[] {
    if (a === null) return states;
    if (a === 'exit') return this.leave(states, { kind: 'exit' });
    if (a === 'return') return this.leave(states, { kind: 'return', value: 'unknown', returnsSkeleton: false });
    return this.walk(a, states);
  }

  private switchStatement(n: Node, states: PathState[]): PathState[] {
    const cond = n.childForFieldName('condition');
    const cases = (n.childForFieldName('body')?.namedChildren ?? []).filter((c): c is Node => c?.type === 'case_statement');
    const before = this.expression(cond, states);
    if (!this.interesting(n.childForFieldName('body'), n)) return this.unleave(this.walk(n.childForFieldName('body'), before));
    const text = conditionText(cond);
    const values = cases.map((c) => c.childForFieldName('value'));
    const out: PathState[] = [];
    for (const s of before) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      const v = evaluate(cond, s);
      const entries: { from: number; literal: string }[] = [];
      values.forEach((val, i) => {
        const cv = val ? evaluate(val, s) : 'unknown';
        if (v !== 'unknown' && val && cv !== 'unknown' && cv !== v) return;
        entries.push({ from: i, literal: val ? `${text} == ${val.text}` : `${text} matches no case` });
      });
      if (!values.some((val) => !val)) entries.push({ from: cases.length, literal: `${text} matches no case` });
      for (const [k, e] of entries.entries()) {
        if (k > 0 && states.length + out.length >= MAX_PATHS) {
          this.reader.truncate(s);
          break;
        }
        let path = [k === entries.length - 1 ? s : s.clone()];
        if (v === 'unknown') this.decide(path[0] as PathState, e.literal, false, false, cond ? this.reader.location(cond) : undefined);
        let last = e.from;
        for (let i = e.from; i < cases.length; i++) {
          const stmts = (cases[i] as Node).namedChildren.filter((c): c is Node => !!c && c.id !== values[i]?.id);
          path = this.block(stmts, path);
          last = i;
          if (path.every((p) => p.exit)) break;
        }
        // A case that returns or exits (`case 'h': default: return ...`) without a loader call gives up.
        const quiet = !cases.slice(e.from, last + 1).some((c) => this.callsLoader(c, true));
        for (const p of path) if (quiet && p.exit && p.exit.kind !== 'break') for (const seg of p.segments.values()) seg.givesUp = true;
        for (const p of path) if (p.exit?.kind === 'break') p.exit = null;
        out.push(...path);
      }
    }
    return this.merge(out);
  }

  /** A loop body runs 0, 1 or 2 times (a second run repeats each call once more). */
  private loop(n: Node, states: PathState[]): PathState[] {
    const isDo = n.type === 'do_statement';
    const cond = n.childForFieldName('condition');
    const body = n.childForFieldName('body');
    let current = n.type === 'for_statement' ? this.expression(n.childForFieldName('initializer'), states) : states;
    const update = n.type === 'for_statement' ? n.childForFieldName('update') : null;
    // What the loop changes is not the constant it was before it.
    const changed = new Set<string>();
    // (collected from the loop's text: `i++`, `x = ...`, `n -= 1`)
    for (const m of `${update?.text ?? ''} ${body?.text ?? ''} ${cond?.text ?? ''}`.matchAll(/\b(\w+)\s*(?:\+\+|--|[-+*/|&^]?=(?!=))|(?:\+\+|--)\s*(\w+)/g)) changed.add((m[1] ?? m[2]) as string);
    // A counter only the update steps (`i++`, `i += 2`) has a known value on the second run too.
    const counter = counterStep(update, `${body?.text ?? ''} ${cond?.text ?? ''}`);

    if (!this.interesting(body, n)) return this.unleave(this.walk(body, this.expression(update, this.expression(cond, current))));
    const header = conditionText(cond) || 'for (;;)';
    const at = this.reader.location(cond ?? n);
    const done: PathState[] = [];
    const stop = (ps: PathState[], times: string) => {
      for (const p of ps) {
        if (p.exit?.kind === 'break') p.exit = null;
        this.decide(p, `the loop while (${header}) runs ${times}`, false, false, at);
        done.push(p);
      }
    };
    if (!isDo) current = this.expression(cond, current);
    if (!isDo && evaluate(cond, current[0] as PathState) !== 1) stop(current.map((s) => s.clone()), '0 times');
    for (let i = 1; i <= 2; i++) {
      // The first run sees the values from before the loop; later runs do not know them.
      for (const s of current) {
        const before = counter ? s.scope.get(counter.name)?.value : undefined;
        for (const name of changed) {
          if (i > 1 && s.scope.get(name)?.value !== undefined) s.scope.set(name, { value: 'unknown' });
          if (i > 1) forget(name, s);
        }
        // The update ran once in between (the reader does not step `i++` itself): the second run sees the start plus one step.
        if (i > 1 && counter && typeof before === 'number') s.scope.set(counter.name, { value: before + counter.step });
      }
      if (isDo && i > 1) current = this.expression(cond, current);
      // A second run the condition rules out does not happen (its "once" path is kept).
      if (i > 1 && !isDo) current = current.filter((s) => evaluate(cond, s) !== 0);
      const out = this.walk(body, current);
      current = [];
      for (const s of out) {
        if (s.exit?.kind === 'continue') s.exit = null;
        if (s.exit && s.exit.kind !== 'break') done.push(s);
        else if (s.exit) stop([s], i === 1 ? 'once' : 'twice');
        else current.push(s);
      }
      current = this.expression(update, current);
      if (i === 1 && current.length + done.length < MAX_PATHS) stop(current.map((s) => s.clone()), 'once');
    }
    stop(current, 'twice or more');
    return this.merge(done);
  }

  /** A side makes a loader call, follows a helper, or leaves the block before a loader call. */
  private interesting(a: Arm | Node | null, at: Node | null): boolean {
    if (a === null) return false;
    if (typeof a === 'string') return !!at && this.reader.callsAfter(at);
    let v = this.interest.get(a.id);
    if (v === undefined) {
      // Leaving early, or destroying the skeleton, matters only when a loader call (but destroy) follows.
      v = this.callsLoader(a, true) || ((LEAVES.test(a.text) || this.callsLoader(a, false)) && this.reader.callsAfter(at ?? a));
      this.interest.set(a.id, v);
    }
    return v;
  }

  /** A side that leaves (returns, jumps, exits) without any loader call but destroy: an error check. */
  private givesUp(a: Arm): boolean {
    if (a === null) return false;
    if (typeof a === 'string') return true;
    let v = this.giveUp.get(a.id);
    if (v === undefined) {
      v = LEAVES.test(a.text) && !this.callsLoader(a, true);
      this.giveUp.set(a.id, v);
    }
    return v;
  }

  private callsLoader(n: Node, exceptDestroy: boolean): boolean {
    return this.reader.steps(n).some((s) => {
      const type = stepType(s);
      if (type === 'assignment_expression') return /\bstruct_ops\s*\.\s*\w+\s*->/.test(s.childForFieldName('left')?.text ?? '');
      if (type !== 'call_expression') return false;
      const fn = stepCallee(s);
      if (exceptDestroy && DESTROY.test(fn)) return false;
      return this.reader.isLoaderCall(fn) || !!this.reader.relevantFunction(fn);
    });
  }

  /** Merges states that do the same from here on; the decisions they differ in are dropped. */
  merge(states: PathState[]): PathState[] {
    if (states.length < 2) return states;
    const seen = new Map<string, PathState>();
    for (const s of states) {
      const sig = s.signature(this.actionKey);
      const first = seen.get(sig);
      if (first) first.joinLiterals(s);
      else seen.set(sig, s);
    }
    const out = [...seen.values()];
    if (out.length <= MAX_PATHS) return out;
    // Past the cap: the extra paths end here (what they did so far is kept) and their lifecycles say so.
    for (const s of out.slice(MAX_PATHS)) {
      this.reader.truncate(s);
      for (const seg of s.segments.values()) seg.givesUp = true;
      for (const skel of [...s.segments.keys()]) this.reader.closeSegment(s, skel);
    }
    for (const s of out.slice(0, MAX_PATHS)) this.reader.truncate(s);
    return out.slice(0, MAX_PATHS);
  }
}

/**
 * `a || b`, `a && b`, `c ? x : y` or GNU `c ?: y` (`left` is `a` or `c`, `right` is `b` or `y`,
 * `then` is `x`), alone or as the right side of `target = ...`.
 */
interface Choice {
  kind: '||' | '&&' | '?:';
  e: Node;
  assignment: Node | null;
  target: string | null;
  left: Node | null;
  then: Node | null;
  right: Node | null;
}

/** The value of `c ? x : y` (or GNU `c ?: y`) on a path that knows `c`, else 'unknown'. */
function choiceValue(choice: Choice, s: PathState): number | 'unknown' {
  const c = evaluate(choice.left, s);
  if (c === 'unknown') return c;
  if (c !== 0) return choice.then ? evaluate(choice.then, s) : c;
  return evaluate(choice.right, s);
}

function unwrapParens(n: Node | null): Node | null {
  let e = n;
  while (e && e.type === 'parenthesized_expression') e = e.namedChildren[0] ?? null;
  return e;
}

function unwrapIdent(n: Node | null): Node | null {
  let e = n;
  while (e && e.type === 'parenthesized_expression') e = e.namedChildren[0] ?? null;
  return e?.type === 'identifier' ? e : null;
}

/** `i++`, `++i`, `i--`, `i += N`, `i -= N` as the loop's whole update, `i` not changed elsewhere in the loop. */
function counterStep(update: Node | null, rest: string): { name: string; step: number } | null {
  const m = /^\s*(?:(\w+)\s*(\+\+|--)|(\+\+|--)\s*(\w+)|(\w+)\s*([-+])=\s*(\d+))\s*$/.exec(update?.text ?? '');
  if (!m) return null;
  const name = (m[1] ?? m[4] ?? m[5]) as string;
  const op = m[2] ?? m[3];
  const step = op ? (op === '++' ? 1 : -1) : (m[6] === '-' ? -1 : 1) * Number(m[7]);
  if (new RegExp(`\\b${name}\\s*(?:\\+\\+|--|[-+*/|&^]?=(?!=))|(?:\\+\\+|--)\\s*${name}\\b`).test(rest)) return null;
  return { name, step };
}
