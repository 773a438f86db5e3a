// `a() || b()`, `a && b()`, `c ? x() : y()` and GNU `err ?: f()` (alone, assigned or returned) in
// a loader: the right side runs only on the path where the left side lets it.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import { assume, conditionText, evaluate } from './branches';
import type { PathWalker } from './flowApi';
import { MAX_PATHS, negate } from './paths';
import type { PathState } from './pathState';
import { stepCallee } from './stepIndex';
import { unwrapIdent, unwrapParens } from './syntax';

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

export class ShortCircuits {
  private readonly choices = new Map<number, Choice | null>();

  constructor(private readonly w: PathWalker) {}

  /**
   * For `||` and `?:` a true left side (a call that returned an error) skips the rest; for `&&` a
   * false one does: that path gives up, as at an error check. Null when `n` is none of these or
   * its right side makes no loader call.
   */
  read(n: Node, states: PathState[]): PathState[] | null {
    const c = this.choiceOf(n);
    if (!c) return null;
    const w = this.w;
    const out = c.kind === '?:' ? (c.then ? w.fork(c.left, c.then, c.right, w.expression(c.left, states), c.e) : this.skipWhen(c.left, true, c.right, states)) : this.skipWhen(c.left, c.kind === '||', c.right, states);
    if (!c.assignment) return out;
    // The assignment itself, once its right side ran; its value where the path knows it
    // (`err ?: f()` is err when err is not 0, else what f() returned).
    for (const s of out) {
      if (s.exit) continue;
      const v = c.kind === '?:' ? choiceValue(c, s) : evaluate(c.e, s);
      w.applyStep(c.assignment, s);
      if (c.target !== null && v !== 'unknown') s.scope.set(c.target, { value: v });
    }
    return out;
  }

  /** The short-circuit an expression (or a statement) is, with its parts; found once per node. */
  private choiceOf(n: Node): Choice | null {
    let c = this.choices.get(n.id);
    if (c !== undefined) return c;
    c = null;
    let e = unwrapParens(n.type === 'expression_statement' ? (n.namedChildren[0] ?? null) : n);
    let assignment: Node | null = null;
    if (e?.type === 'assignment_expression') {
      // `target = a || b()` and the like: the operator is asked only when the right side can be one.
      const right = unwrapParens(e.childForFieldName('right'));
      const rightType = right?.type;
      if ((rightType === 'conditional_expression' || rightType === 'binary_expression') && e.childForFieldName('operator')?.text === '=') {
        assignment = e;
        e = right;
      }
    }
    const type = e?.type;
    const left = assignment?.childForFieldName('left');
    const target = left?.type === 'identifier' ? left.text : null;
    if (e && type === 'conditional_expression') {
      const then = e.childForFieldName('consequence');
      const alt = e.childForFieldName('alternative');
      if (this.w.interesting(alt, e) || this.w.interesting(then, e)) c = { kind: '?:', e, assignment, target, left: e.childForFieldName('condition'), then, right: alt };
    } else if (e && type === 'binary_expression') {
      const op = e.childForFieldName('operator')?.text;
      const right = e.childForFieldName('right');
      if ((op === '||' || op === '&&') && this.w.interesting(right, e)) c = { kind: op, e, assignment, target, left: e.childForFieldName('left'), then: null, right };
    }
    this.choices.set(n.id, c);
    return c;
  }

  /** Runs `left`, then `right` only where `left` is not `skip`; the skipping path gives up. */
  private skipWhen(left: Node | null, skip: boolean, right: Node | null, states: PathState[]): PathState[] {
    const w = this.w;
    const out: PathState[] = [];
    const text = conditionText(left);
    const where = left ? w.reader.location(left) : undefined;
    for (const s of w.expression(left, states)) {
      if (s.exit) {
        out.push(s);
        continue;
      }
      const v = evaluate(left, s);
      if (v !== 'unknown') {
        if ((v !== 0) === skip) this.seenAndSkipped(right);
        out.push(...((v !== 0) === skip ? [s] : w.expression(right, [s])));
        continue;
      }
      if (states.length + out.length >= MAX_PATHS) {
        w.reader.truncate(s);
        out.push(...w.expression(right, [s]));
        continue;
      }
      const skipped = s.clone();
      if (assume(left, skip, skipped)) {
        w.decide(skipped, skip ? text : negate(text), false, true, where);
        out.push(skipped);
      }
      if (assume(left, !skip, s)) {
        w.decide(s, skip ? negate(text) : text, true, false, where);
        // `err ?: f()`, `err || f()`: f() runs where err is 0.
        const id = unwrapIdent(left);
        if (skip && id) s.scope.set(id.text, { value: 0 });
        out.push(...w.expression(right, [s]));
      }
    }
    return w.merge(out);
  }

  /** Helpers called only where the path never goes: seen from their call site, so no entry points. */
  private seenAndSkipped(n: Node | null): void {
    if (!n) return;
    for (const st of this.w.reader.steps(n)) {
      const fn = stepCallee(st);
      if (fn && this.w.reader.relevantFunction(fn)) this.w.visited.add(fn);
    }
  }
}

/** The value of `c ? x : y` (or GNU `c ?: y`) on a path that knows `c`, else 'unknown'. */
function choiceValue(choice: Choice, s: PathState): number | 'unknown' {
  const c = evaluate(choice.left, s);
  if (c === 'unknown') return c;
  if (c !== 0) return choice.then ? evaluate(choice.then, s) : c;
  return evaluate(choice.right, s);
}
