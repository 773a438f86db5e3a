// What the loader reader's path walker (flow.ts) does to one path: apply a step, leave, record a
// decision, return from a followed helper; in one place for whatever walks the paths.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import { evaluate, forget } from './branches';
import type { StepReader } from './flowApi';
import { pathLiteral, type PathLiteral } from './paths';
import { Exit, type PathState } from './pathState';
import { skeletonOf } from './refs';
import { stepSets } from './stepIndex';
import { unwrapIdent } from './syntax';

/** Applies one step on a path: earlier decisions about the variables it sets are forgotten first. */
export function applyStep(reader: StepReader, step: Node, s: PathState): void {
  for (const name of stepSets(step)) forget(name, s);
  reader.step(step, s);
}

/** The paths that have not left yet leave as `exit` says. */
export function leave(states: PathState[], exit: Exit): PathState[] {
  for (const s of states) s.exit ??= exit;
  return states;
}

/** Clears the paths' exits (a side read only for its bindings). */
export function unleave(states: PathState[]): PathState[] {
  for (const s of states) s.exit = null;
  return states;
}

/** A `return` statement's exit on a path (its value, evaluated on the path). */
export function returnExit(value: Node | null, s: PathState): Exit {
  const v = unwrapIdent(value);
  return Exit.returned(evaluate(value, s), !!v && !!skeletonOf(v, s.scope));
}

/** Records a decision on the path's open lifecycle segments. */
export function decide(s: PathState, text: string, guard: boolean, givesUp: boolean, at: PathLiteral['location'] | undefined): void {
  for (const seg of s.segments.values()) {
    if (at) seg.literals.push(pathLiteral(text, guard, at, undefined));
    if (givesUp) seg.givesUp = true;
  }
}

/** A path back from a followed helper at `call`: its return value bound, the helper's lifecycles closed. */
export function returnFrom(reader: StepReader, s: PathState, call: Node): PathState[] {
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
  for (const [skel, seg] of [...s.segments]) if (seg.depth >= depth && !keep && seg.open) reader.closeSegment(s, skel);
  return [s];
}
