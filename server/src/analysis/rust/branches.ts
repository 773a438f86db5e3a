// The branches of a Rust loader's paths, read for the walker (walker.ts): `if`/`else` (and `if
// let`), `match` arms, loops (a `for`/`while` body run 0 or 1 times, a `loop` body once). A branch
// forks the path only when one of its sides makes a loader call or leaves before one; a side that
// only gives up (an error check) is not kept. Results of attach and association calls tested with
// `match`, `if let` or `is_err()` mark the call failed on the failure side (results.ts), as C's
// `if (!link)`.
import type { Node } from '../c/parser';
import type { PathState } from '../loader/pathState';
import { outcomeTest, patternOutcome, takeOutcome, testedCall } from './results';
import type { RustPathWalk } from './walkApi';

export function readIf(w: RustPathWalk, n: Node, states: PathState[]): PathState[] {
  const cond = n.childForFieldName('condition');
  const thenArm = n.childForFieldName('consequence');
  const elseArm = n.childForFieldName('alternative')?.namedChildren[0] ?? null;
  const before = w.expr(cond?.type === 'let_condition' ? cond.childForFieldName('value') : cond, states);
  const text = (cond?.text ?? '').replace(/\s+/g, ' ');
  if (!w.matters(thenArm) && !w.matters(elseArm)) return w.inTurn([thenArm, elseArm], before);
  // A side that only gives up (an error check: it returns without a loader call) is not kept.
  const thenOnlyGivesUp = w.givesUp(thenArm);
  const elseOnlyGivesUp = w.givesUp(elseArm);
  if (thenOnlyGivesUp !== elseOnlyGivesUp) {
    for (const s of before) if (!s.exit) outcome(cond, s, !thenOnlyGivesUp);
    return w.expr(thenOnlyGivesUp ? elseArm : thenArm, before);
  }
  if (w.crowded(before, 2)) return w.inTurn([thenArm, elseArm], before);
  const out: PathState[] = [];
  for (const s of before) {
    if (s.exit) {
      out.push(s);
      continue;
    }
    const known = text === 'true' ? true : text === 'false' ? false : (s.decided.get(text) ?? decidedValue(cond, s));
    const elseGivesUp = w.givesUp(elseArm);
    const thenGivesUp = w.givesUp(thenArm);
    if (known !== false) {
      const yes = known === undefined ? s.clone() : s;
      w.decide(yes, text, true, elseGivesUp, thenGivesUp, cond);
      outcome(cond, yes, true);
      out.push(...w.expr(thenArm, [yes]));
    }
    if (known !== true) {
      w.decide(s, text, false, thenGivesUp, elseGivesUp, cond);
      outcome(cond, s, false);
      out.push(...w.expr(elseArm, [s]));
    }
  }
  return w.cap(w.merge(out), n);
}

/** A condition on a call whose value the path knows (`Self::enable(&mut skel)? == false` after the helper returned its fork's side). */
function decidedValue(cond: Node | null, s: PathState): boolean | undefined {
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

export function readMatch(w: RustPathWalk, n: Node, states: PathState[]): PathState[] {
  const value = n.childForFieldName('value');
  const arms = (n.childForFieldName('body')?.namedChildren ?? []).filter((a): a is Node => a?.type === 'match_arm');
  const before = w.expr(value, states);
  if (!arms.some((a) => w.matters(a.childForFieldName('value'))) || w.crowded(before, arms.length)) return w.inTurn(arms.map((a) => a.childForFieldName('value')), before);
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
      if (pattern !== '_') w.decide(t, `${subject} matches ${pattern}`, true, false, w.givesUp(arm.childForFieldName('value')), arm);
      if (tested) {
        const outcome = patternOutcome(arm.childForFieldName('pattern'), tested.option) ?? (seen.size === 1 ? (seen.has('ok') ? 'err' : 'ok') : null);
        if (outcome) {
          seen.add(outcome);
          takeOutcome(t, tested, outcome);
        }
      }
      out.push(...w.expr(arm.childForFieldName('value'), [t]));
    }
  }
  return w.cap(w.merge(out), n);
}

/** A `for`/`while` body runs 0 or 1 times (`loop`: once); `break` and `continue` end the run. */
export function readLoop(w: RustPathWalk, n: Node, states: PathState[], always: boolean): PathState[] {
  const head = n.type === 'for_expression' ? n.childForFieldName('value') : n.childForFieldName('condition');
  const before = w.expr(head?.type === 'let_condition' ? head.childForFieldName('value') : head, states);
  const body = n.childForFieldName('body');
  const run = (ss: PathState[]): PathState[] => {
    const out = w.expr(body, ss);
    for (const s of out) if (s.exit?.kind === 'break' || s.exit?.kind === 'continue') s.exit = null;
    return out;
  };
  if (always) return run(before);
  if (!w.matters(body) || w.crowded(before, 2)) return w.inTurn([body], before);
  const text = `${n.type === 'for_expression' ? 'for' : 'while'} ${(head?.text ?? '').replace(/\s+/g, ' ')} runs`;
  const out: PathState[] = [];
  for (const s of before) {
    if (s.exit) {
      out.push(s);
      continue;
    }
    const once = s.clone();
    w.decide(once, text, true, false, false, head);
    out.push(...run([once]));
    w.decide(s, text, false, false, false, head);
    out.push(s);
  }
  return w.cap(w.merge(out), n);
}

/** The side of a condition that tests a call's result (`if let Err(e) = ..`, `r.is_err()`): its failure side marks the call failed. */
function outcome(cond: Node | null, s: PathState, taken: boolean): void {
  const test = outcomeTest(cond, s);
  if (test) takeOutcome(s, test.call, taken === (test.whenTrue === 'ok') ? 'ok' : 'err');
}
