// What a loader does, path by path: each lifecycle of a skeleton (from an open to its destroy, the
// next open or the end of the function) with the distinct ways through it that the code allows.
// if/else, switch, early returns and gotos, and loops (0, 1 or 2 iterations) make the paths; helper
// functions of the same file are followed with their arguments. The engine replays each path.
import type { LoaderAction, Location } from '../facts';

/** One branch decision on a path, in the loader's own words. */
export interface PathLiteral {
  /** The condition as written, negated when the path takes its false side: `cbs_defined`, `!opts.x`. */
  text: string;
  /** The other side gives up (returns, jumps out or exits without any loader call): an error check. */
  guard: boolean;
  location: Location;
  /** A build condition (`#if HAVE_BPF_FRAMEWORK`) no file in the workspace decides: why it cannot be decided. */
  build?: string;
}

/** A decision, with every field present (one shape for all of a reading's decisions). */
export function pathLiteral(text: string, guard: boolean, location: Location, build: string | undefined): PathLiteral {
  return { text, guard, location, build };
}

/** One way through a lifecycle: the calls it makes, in order, and the decisions that lead there. */
export interface LoaderPath {
  actions: LoaderAction[];
  /** The decisions that lead here, one list per way found (ways with the same calls are one path). */
  when: PathLiteral[][];
  /** The path gives up at an error check (it takes a side that returns or jumps out). */
  givesUp: boolean;
  /**
   * Association calls whose result the path tests, with the side it takes: a path that assumes a
   * call succeeded when the engine predicts an errno (or the reverse) cannot happen.
   */
  checked?: { action: LoaderAction; succeeded: boolean }[];
}

/** A path with no decisions yet, every field present (`checked` undefined when it tests no association call's result). */
export function loaderPath(actions: LoaderAction[], givesUp: boolean, checked: LoaderPath['checked']): LoaderPath {
  return { actions, when: [], givesUp, checked };
}

export interface LoaderLifecycle {
  /** The skeleton type opened; null for the calls of a function that opens nothing itself (a harness passes it the skeleton). */
  skeleton: string | null;
  /** The open call (`NAME__open()`, `NAME__open_and_load()`, `SCX_OPS_OPEN()`); null for a function that opens nothing. */
  open: Location | null;
  /** The function the open is written in (or the function that opens nothing). */
  inFunction: string;
  paths: LoaderPath[];
  /** More paths than the cap: branches past it were read in sequence (both sides), and this says so. */
  truncated: boolean;
}

/** Paths kept per lifecycle, and states alive at once while walking one function. */
export const MAX_PATHS = 32;
/**
 * Work one loader reading may spend, in statements walked times the paths alive at each (and their
 * calls so far): past it a loop's body runs once only (nested loops each running their body twice
 * double the work per level). The largest fixture reading spends about 50,000.
 */
export const LOADER_WALK_BUDGET = 200_000;
/** The parse-limit note of a loader whose reading went past LOADER_WALK_BUDGET at a loop (0-based row). */
export function loopBudgetMessage(file: string, row: number): string {
  return `${file.split('/').pop() ?? file}: reading the loops of this loader ran past its work budget (${LOADER_WALK_BUDGET.toLocaleString('en-US')} steps) at line ${row + 1}: from there, loops are read as running their body once, so paths where a loop body runs again are missing from the analysis.`;
}
/** How deep helper functions of the loader file are followed. */
export const MAX_CALL_DEPTH = 3;

/** `cbs_defined`, or `!opts.x`; a negated `!x` is `x`. */
export function negate(text: string): string {
  const t = text.trim();
  if (/^!\s*[\w.>\-[\]()]+$/.test(t) && !/^!\s*\(.*\)\s*\S/.test(t)) return t.replace(/^!\s*/, '').replace(/^\((.*)\)$/, '$1');
  return /^[\w.>\-[\]]+$/.test(t) || /^\w+\(.*\)$/.test(t) ? `!${t}` : `!(${t})`;
}

/**
 * The decisions of a path that say something (error checks are left out), as text; a decision met
 * twice on the way (`#if HAVE_CLAT` around a lifecycle and around the helper it calls) is said once.
 */
export function describeWhen(when: PathLiteral[][]): string[] {
  return when.map((w) => [...new Set(w.filter((l) => !l.guard).map((l) => l.text))].join(' && ')).filter(Boolean);
}
