// One path through a loader function while it is being read: variables, the phase of each
// skeleton, the lifecycle segments it is in, the decisions taken so far and how it left a block.
import type { LoaderAction, LoaderPhase, Location } from '../facts';
import type { Scope } from './refs';
import type { PathLiteral } from './paths';

/** The part of a lifecycle a path has walked so far. */
export interface Segment {
  /** Lifecycle key: the open's place, or `fn:NAME` for a function that opens nothing. */
  key: string;
  skeleton: string | null;
  open: Location | null;
  inFunction: string;
  /** Call depth the open happened at: the segment ends when that function returns. */
  depth: number;
  actions: LoaderAction[];
  literals: PathLiteral[];
  givesUp: boolean;
  /**
   * The actions' part of the path's signature, as last computed: still right while no action was
   * added (actions are only ever appended) and no call more was marked failed.
   */
  actionsSignature?: { count: number; failed: number; succeeded: number; ids: SequenceIds | undefined; text: string };
}

/**
 * Sequences of a reading's actions (with their failed or succeeded marks) as short names, equal for
 * equal sequences: a path's signature then stays short however many calls it made, where the
 * actions' texts made every merge cost the length of the path so far (quadratic in long loaders).
 */
export class SequenceIds {
  private readonly ids = new Map<string, string>();

  /** The name of the sequence named `prefix` ('' when empty) followed by `part`. */
  next(prefix: string, part: string): string {
    const key = `${prefix};${part}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = `#${this.ids.size + 1}`;
      this.ids.set(key, id);
    }
    return id;
  }
}

/** How a path left: returned, jumped to a label, broke out of a loop or switch, continued, or ended the process (exit(), abort()). */
export type ExitKind = 'return' | 'goto' | 'break' | 'continue' | 'exit';

/**
 * How a path left the block it is in. Every exit has every field (a return's value, a jump's
 * label), so the code that compares paths sees objects of one shape.
 */
export class Exit {
  private constructor(
    readonly kind: ExitKind,
    /** A return's value on the path ('unknown' for the other kinds). */
    readonly value: number | 'unknown',
    /** A return of a skeleton pointer (its lifecycle goes on in the caller). */
    readonly returnsSkeleton: boolean,
    /** A goto's label ('' for the other kinds). */
    readonly label: string,
  ) {}

  static returned(value: number | 'unknown', returnsSkeleton: boolean): Exit {
    return new Exit('return', value, returnsSkeleton, '');
  }

  static jump(label: string): Exit {
    return new Exit('goto', 'unknown', false, label);
  }

  static left(kind: 'break' | 'continue' | 'exit'): Exit {
    return new Exit(kind, 'unknown', false, '');
  }
}

/** How a path left, as a string: equal for exits that are alike (each kind its own first letter). */
function exitKey(e: Exit | null): string {
  if (!e) return '';
  if (e.kind === 'return') return `r${e.value}:${e.returnsSkeleton ? 1 : 0}`;
  if (e.kind === 'goto') return `g${e.label}`;
  return e.kind;
}

export class PathState {
  exit: Exit | null = null;

  constructor(
    /** Innermost function last. */
    public frames: { fn: string; scope: Scope }[],
    public phases: Map<string, LoaderPhase>,
    /** Current segment per skeleton type ('' for the calls of a function that opens nothing). */
    public segments: Map<string, Segment>,
    /** Return values of followed helper calls, by call node id. */
    public callValues: Map<number, number | 'unknown'>,
    /** The actions a call node made on this path (to find them again from `if (!link)`): one, or one per object of a linked skeleton. */
    public nodeActions: Map<number, { actions: LoaderAction[]; returnsPointer: boolean }>,
    /** Attach and association calls this path takes the failing side of (an attach associates nothing). */
    public failed: Set<LoaderAction>,
    /** Conditions decided so far (normalised text), to drop paths that contradict themselves. */
    public decided: Map<string, boolean>,
  ) {}

  /** Association calls this path takes the succeeding side of (their result was checked). */
  succeeded = new Set<LoaderAction>();

  /** Build conditions (`#if X` in a function body, buildConditions.ts) the path took so far: a lifecycle it opens later holds only under them. Replaced, never changed in place. */
  buildLiterals: PathLiteral[] = [];

  get scope(): Scope {
    return (this.frames[this.frames.length - 1] as { scope: Scope }).scope;
  }

  get fn(): string {
    return this.frames[this.frames.length - 1]?.fn ?? '';
  }

  clone(): PathState {
    const segments = new Map<string, Segment>();
    for (const [k, s] of this.segments) segments.set(k, { ...s, actions: [...s.actions], literals: [...s.literals] });
    const c = new PathState(
      this.frames.map((f) => ({ fn: f.fn, scope: f.scope.clone() })),
      new Map(this.phases),
      segments,
      new Map(this.callValues),
      new Map(this.nodeActions),
      new Set(this.failed),
      new Map(this.decided),
    );
    c.exit = this.exit;
    c.succeeded = new Set(this.succeeded);
    c.buildLiterals = this.buildLiterals;
    return c;
  }

  /** The signature's first part (its call depth and how it left). */
  private signatureHead(): string {
    return `${this.frames.length}|${exitKey(this.exit)}|`;
  }

  /** The same call depth and left alike (their signatures' first parts are equal): else they cannot merge. */
  sameHead(o: PathState): boolean {
    if (this.frames.length !== o.frames.length) return false;
    const a = this.exit;
    const b = o.exit;
    if (a === b) return true;
    if (!a || !b || a.kind !== b.kind) return false;
    if (a.kind === 'return') return a.value === b.value && a.returnsSkeleton === b.returnsSkeleton;
    return a.kind !== 'goto' || a.label === b.label;
  }

  /**
   * Two states with the same signature do the same from here on: they are merged. With `ids`, the
   * actions of each segment are named by their sequence (SequenceIds), else written out.
   */
  signature(actionKey: (a: LoaderAction) => string, ids?: SequenceIds): string {
    let s = this.signatureHead();
    for (const [k, v] of this.phases) s += `${k}:${v},`;
    for (const [k, seg] of this.segments) {
      s += `|${k}@${seg.key}${seg.givesUp ? '!' : ''}:`;
      let known = seg.actionsSignature;
      const count = seg.actions.length;
      if (!known || known.count !== count || known.failed !== this.failed.size || known.succeeded !== this.succeeded.size || known.ids !== ids) {
        // Actions are only ever appended, and marks only added: with the same marks, the known part still holds.
        const extend = !!known && known.count < count && known.failed === this.failed.size && known.succeeded === this.succeeded.size && known.ids === ids;
        let text = extend && known ? known.text : '';
        for (let i = extend && known ? known.count : 0; i < count; i++) {
          const a = seg.actions[i] as LoaderAction;
          const part = `${actionKey(a)}${this.failed.has(a) ? 'x' : this.succeeded.has(a) ? 'o' : ''}`;
          text = ids ? ids.next(text, part) : `${text}${part};`;
        }
        known = { count, failed: this.failed.size, succeeded: this.succeeded.size, ids, text };
        seg.actionsSignature = known;
      }
      s += known.text;
    }
    for (const f of this.frames) s += `|${f.scope.signature()}`;
    return s;
  }

  /** Keeps, of two merged states' decisions, those both took (the others no longer matter). */
  joinLiterals(other: PathState): void {
    for (const [k, v] of [...this.decided]) if (other.decided.get(k) !== v) this.decided.delete(k);
    // A helper that returned different values on the two: its value is no longer known (`f() || g()`).
    for (const [k, v] of this.callValues) if (other.callValues.get(k) !== v) this.callValues.set(k, 'unknown');
    if (this.buildLiterals.length) this.buildLiterals = this.buildLiterals.filter((l) => other.buildLiterals.some((o) => o.text === l.text));
    for (const [k, seg] of this.segments) {
      const theirs = new Set((other.segments.get(k)?.literals ?? []).map((l) => `${l.text}|${l.guard}`));
      seg.literals = seg.literals.filter((l) => theirs.has(`${l.text}|${l.guard}`));
    }
  }
}
