// What the Rust loader walker (walker.ts) asks of the reader that applies the steps (reader.ts),
// and what the walker's branch readers (branches.ts) ask of the walker.
import type { Node } from '../c/parser';
import type { LoaderAction } from '../facts';
import type { PathState } from '../loader/pathState';
import type { Scope } from '../loader/refs';

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

/** The walker as the branch readers use it: expressions on the live paths, forks and their records. */
export interface RustPathWalk {
  /** An expression (or statement) on the live paths; paths that left pass through. */
  expr(n: Node | null, states: PathState[]): PathState[];
  /** The side may change what the path does to associations, or leaves before a loader call. */
  matters(n: Node | null): boolean;
  /** A side that leaves without any loader call: an error check. */
  givesUp(arm: Node | null): boolean;
  /** Forking `ways` ways would keep more than MAX_PATHS alive: the sides are then read in turn. */
  crowded(states: PathState[], ways: number): boolean;
  /** Sides that do not matter, read one after the other for their bindings; their exits are not taken. */
  inTurn(arms: (Node | null)[], states: PathState[]): PathState[];
  /** Records a decision (`text` taken or not) on the path's open lifecycle segments. */
  decide(s: PathState, text: string, taken: boolean, guard: boolean, givesUp: boolean, at: Node | null): void;
  /** Merges paths that do the same from here on. */
  merge(states: PathState[]): PathState[];
  /** At most MAX_PATHS alive: the rest are dropped and the lifecycles say they were truncated. */
  cap(states: PathState[], at: Node): PathState[];
}
