// What the loader reader's path walker (flow.ts) and its parts (sides.ts, shortCircuit.ts,
// loops.ts, pathMerge.ts) ask of each other and of the reader that applies the steps.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { Location } from '../facts';
import type { PathLiteral } from './paths';
import type { PathState } from './pathState';
import type { Scope } from './refs';
import type { Decision } from '../c/preprocess';

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
  location(n: Node): Location;
  /** A path ended a lifecycle segment. */
  closeSegment(st: PathState, skeleton: string): void;
  /** Marks the lifecycles of a state as read with a merged branch. */
  truncate(st: PathState): void;
  /** A loader call (or a helper that makes one) follows the node in its function. */
  callsAfter(n: Node): boolean;
  /** The host build's value for the conditional directive a node starts with (buildConditions.ts); undefined when unknown. */
  branchDecision?(n: Node): Decision | undefined;
}

/** One side of a branch: a statement, a guard macro's return or exit, or nothing. */
export type Arm = Node | 'exit' | 'return' | null;

/** The walker as its parts use it: statements, expressions, forks and the paths' records. */
export interface PathWalker {
  readonly reader: StepReader;
  /** A statement (or a block) on the live paths; paths that left are passed through. */
  walk(n: Node | null, states: PathState[]): PathState[];
  /** Statements of a block, gotos to its labels resumed. */
  block(children: Node[], states: PathState[]): PathState[];
  /** Side effects of an expression, helpers followed. */
  expression(n: Node | null, states: PathState[]): PathState[];
  /** Forks on a condition when a side matters. */
  fork(cond: Node | null, thenArm: Arm, elseArm: Arm, states: PathState[], at?: Node): PathState[];
  /** Applies one step (its variables' earlier decisions forgotten). */
  applyStep(step: Node, s: PathState): void;
  /** Records a decision on the path's open lifecycle segments. */
  decide(s: PathState, text: string, guard: boolean, givesUp: boolean, at: PathLiteral['location'] | undefined): void;
  /** Clears the paths' exits (a side read only for its bindings). */
  unleave(states: PathState[]): PathState[];
  /** Helpers of the file the walk followed or saw called. */
  readonly visited: Set<string>;
  /** Merges paths that do the same from here on. */
  merge(states: PathState[]): PathState[];
  /** A side makes a loader call, follows a helper, or leaves before a loader call. */
  interesting(a: Arm | Node | null, at: Node | null): boolean;
  /** A loop may run its body a second time: false (and the loop kept) past the reading's work budget. */
  mayRepeat(loop: Node): boolean;
  /** The node makes a loader call (or follows a helper that does); destroy left out if asked. */
  callsLoader(n: Node, exceptDestroy: boolean): boolean;
}
