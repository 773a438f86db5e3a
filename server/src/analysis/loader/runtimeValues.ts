// Loader calls whose value is known only at run time: `bpf_program__set_autoload(p, has_eth)`.
// The path splits on the value as it does for `if (has_eth)`: one path where it is true, one where
// it is false, each with that decision (`!x` is the opposite of `x`, and the same `x` keeps its
// value along a path until it is assigned).
import type { SyntaxNode as Node } from '../c/syntaxNode';
import { assume, conditionText, decisionKey, evaluate, forget } from './branches';
import type { PathWalker } from './flowApi';
import { MAX_PATHS, negate } from './paths';
import type { PathState } from './pathState';
import { constBool } from './refs';
import { stepArguments, stepCallee, stepSets } from './stepIndex';

/** Calls that set an on/off value libbpf reads at load or attach, and the argument that holds it. */
const VALUE_ARGUMENT = new Map<string, number>([
  ['bpf_program__set_autoload', 1],
  ['bpf_map__set_autocreate', 1],
  ['bpf_map__set_autoattach', 1],
]);

/** The value of an on/off argument on a path: a constant, a value the path knows, or a decision it took; null when unknown. */
export function valueOnPath(n: Node | null, st: PathState): boolean | null {
  const c = constBool(n);
  if (c !== null) return c;
  const v = evaluate(n, st);
  if (v !== 'unknown') return v !== 0;
  if (!n) return null;
  const { key, negated } = decisionKey(n);
  const before = st.decided.get(key);
  return before === undefined ? null : before !== negated;
}

/** The argument of an on/off call that is no constant (the path may split on it), else null. */
export function runtimeValueOf(call: Node): Node | null {
  const i = VALUE_ARGUMENT.get(stepCallee(call));
  if (i === undefined) return null;
  const arg = stepArguments(call)[i] ?? null;
  return arg && constBool(arg) === null ? arg : null;
}

/**
 * Applies an on/off call on each path; a path that does not know the value splits in two, one
 * taking it true and one false, each with that decision on its open lifecycles.
 */
export function splitOnValue(walker: PathWalker, call: Node, value: Node, states: PathState[]): PathState[] {
  const out: PathState[] = [];
  const text = conditionText(value);
  const at = walker.reader.location(value);
  for (const s of states) {
    if (s.exit) {
      out.push(s);
      continue;
    }
    const known = valueOnPath(value, s);
    if (known !== null) {
      // Known from what the path did before (`x = TRUE` on one branch): the path says so, as for a split.
      const literal = known ? text : negate(text);
      if (![...s.segments.values()].some((seg) => seg.literals.some((l) => l.text === literal))) walker.decide(s, literal, false, false, at);
      walker.applyStep(call, s);
      out.push(s);
      continue;
    }
    if (states.length + out.length >= MAX_PATHS) {
      // Past the cap the value stays unknown (the call changes nothing) and the lifecycle says it was truncated.
      walker.reader.truncate(s);
      walker.applyStep(call, s);
      out.push(s);
      continue;
    }
    const yes = s.clone();
    for (const [side, truth] of [[yes, true], [s, false]] as const) {
      if (!assume(value, truth, side)) continue;
      walker.decide(side, truth ? text : negate(text), false, false, at);
      walker.applyStep(call, side);
      out.push(side);
    }
  }
  return out;
}

/**
 * After code read without forking (both sides of a branch one after the other, a switch's cases in
 * turn, a loop body once), a variable any of it assigns holds one of several values: not the last
 * one read. Its value becomes unknown and decisions about it are forgotten.
 */
export function unsettleAssigned(walker: PathWalker, read: readonly (Node | null)[], states: PathState[]): PathState[] {
  const names = new Set<string>();
  for (const n of read) if (n) for (const step of walker.reader.steps(n)) for (const name of stepSets(step)) names.add(name);
  if (!names.size) return states;
  for (const s of states) {
    for (const name of names) {
      if (s.scope.get(name)?.value !== undefined) s.scope.set(name, { value: 'unknown' });
      forget(name, s);
    }
  }
  return states;
}
