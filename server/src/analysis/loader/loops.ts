// `switch` and loops in a loader, path by path: a switch forks once per case that can be taken
// (falling through until a break); a loop body runs 0, 1 or 2 times (a second run repeats each call
// once more).
import type { SyntaxNode as Node } from '../c/syntaxNode';
import { conditionText, evaluate, forget } from './branches';
import type { PathWalker } from './flowApi';
import { MAX_PATHS } from './paths';
import type { PathState } from './pathState';
import { unsettleAssigned } from './runtimeValues';

export function switchStatement(w: PathWalker, n: Node, states: PathState[]): PathState[] {
  const cond = n.childForFieldName('condition');
  const cases = (n.childForFieldName('body')?.namedChildren ?? []).filter((c): c is Node => c?.type === 'case_statement');
  const before = w.expression(cond, states);
  if (!w.interesting(n.childForFieldName('body'), n)) return unsettleAssigned(w, [n.childForFieldName('body')], w.unleave(w.walk(n.childForFieldName('body'), before)));
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
        w.reader.truncate(s);
        break;
      }
      let path = [k === entries.length - 1 ? s : s.clone()];
      if (v === 'unknown') w.decide(path[0] as PathState, e.literal, false, false, cond ? w.reader.location(cond) : undefined);
      let last = e.from;
      for (let i = e.from; i < cases.length; i++) {
        const stmts = (cases[i] as Node).namedChildren.filter((c): c is Node => !!c && c.id !== values[i]?.id);
        path = w.block(stmts, path);
        last = i;
        if (path.every((p) => p.exit)) break;
      }
      // A case that returns or exits (`case 'h': default: return ...`) without a loader call gives up.
      const quiet = !cases.slice(e.from, last + 1).some((c) => w.callsLoader(c, true));
      for (const p of path) if (quiet && p.exit && p.exit.kind !== 'break') for (const seg of p.segments.values()) seg.givesUp = true;
      for (const p of path) if (p.exit?.kind === 'break') p.exit = null;
      out.push(...path);
    }
  }
  return w.merge(out);
}

/** A loop body runs 0, 1 or 2 times (a second run repeats each call once more). */
export function loop(w: PathWalker, n: Node, states: PathState[]): PathState[] {
  const isDo = n.type === 'do_statement';
  const cond = n.childForFieldName('condition');
  const body = n.childForFieldName('body');
  let current = n.type === 'for_statement' ? w.expression(n.childForFieldName('initializer'), states) : states;
  const update = n.type === 'for_statement' ? n.childForFieldName('update') : null;
  // What the loop changes is not the constant it was before it.
  const changed = new Set<string>();
  // (collected from the loop's text: `i++`, `x = ...`, `n -= 1`)
  for (const m of `${update?.text ?? ''} ${body?.text ?? ''} ${cond?.text ?? ''}`.matchAll(/\b(\w+)\s*(?:\+\+|--|[-+*/|&^]?=(?!=))|(?:\+\+|--)\s*(\w+)/g)) changed.add((m[1] ?? m[2]) as string);
  // A counter only the update steps (`i++`, `i += 2`) has a known value on the second run too.
  const counter = counterStep(update, `${body?.text ?? ''} ${cond?.text ?? ''}`);

  if (!w.interesting(body, n)) {
    const once = w.unleave(w.walk(body, w.expression(update, w.expression(cond, current))));
    // `do { ... } while (0)` runs its body exactly once: what it assigns is known.
    return isDo && /^0[uUlL]*$/.test(conditionText(cond)) ? once : unsettleAssigned(w, [body, update], once);
  }
  // `do { ... } while (0)`, a statement macro's shape, runs its body exactly once: no decision.
  if (isDo && /^0[uUlL]*$/.test(conditionText(cond))) {
    const once = w.walk(body, current);
    for (const s of once) if (s.exit?.kind === 'break' || s.exit?.kind === 'continue') s.exit = null;
    return w.merge(once);
  }
  const header = conditionText(cond) || 'for (;;)';
  const at = w.reader.location(cond ?? n);
  const done: PathState[] = [];
  const stop = (ps: PathState[], times: string) => {
    for (const p of ps) {
      if (p.exit?.kind === 'break') p.exit = null;
      w.decide(p, `the loop while (${header}) runs ${times}`, false, false, at);
      done.push(p);
    }
  };
  if (!isDo) current = w.expression(cond, current);
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
    if (isDo && i > 1) current = w.expression(cond, current);
    // A second run the condition rules out does not happen (its "once" path is kept).
    if (i > 1 && !isDo) current = current.filter((s) => evaluate(cond, s) !== 0);
    const out = w.walk(body, current);
    current = [];
    for (const s of out) {
      if (s.exit?.kind === 'continue') s.exit = null;
      if (s.exit && s.exit.kind !== 'break') done.push(s);
      else if (s.exit) stop([s], i === 1 ? 'once' : 'twice');
      else current.push(s);
    }
    current = w.expression(update, current);
    if (i === 1 && !w.mayRepeat(n)) {
      // Past the reading's work budget the body is not run again; the paths say they were cut.
      for (const s of current) w.reader.truncate(s);
      stop(current, 'once or more');
      return w.merge(done);
    }
    if (i === 1 && current.length + done.length < MAX_PATHS) stop(current.map((s) => s.clone()), 'once');
  }
  stop(current, 'twice or more');
  return w.merge(done);
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
