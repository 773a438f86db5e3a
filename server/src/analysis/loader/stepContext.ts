// What a call step of a loader path reads of its path and its reader (callActions.ts's
// CallContext): one object per reading, pointed at each step in turn (no closures per step).
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { LoaderAction, LoaderPhase, Location } from '../facts';
import type { Base, CallContext } from './callActions';
import type { PathState } from './pathState';
import type { RefResolver, Scope } from './refs';
import { valueOnPath } from './runtimeValues';

/** What the context asks of the reader. */
export interface StepOwner {
  readonly resolver: RefResolver;
  location(n: Node): Location;
  emitAt(st: PathState, a: LoaderAction, node: Node): void;
}

/** What a call step reads of its path: one object per reading, pointed at each step in turn. */
export class StepContext implements CallContext {
  scope!: Scope;
  phases!: Map<string, LoaderPhase>;
  private st!: PathState;
  private node!: Node;
  private fn = '';

  constructor(private readonly reader: StepOwner) {}

  get refs(): RefResolver {
    return this.reader.resolver;
  }

  at(n: Node, st: PathState): this {
    this.st = st;
    this.node = n;
    this.scope = st.scope;
    this.phases = st.phases;
    this.fn = st.fn;
    return this;
  }

  private phaseOf(skel: string | null): LoaderPhase {
    const phases = this.phases;
    if (skel) return phases.get(skel) ?? 'unknown';
    if (phases.size !== 1) return 'unknown';
    for (const v of phases.values()) return v;
    return 'unknown';
  }

  readonly base = (x: Node, skel: string | null): Base => ({ location: this.reader.location(x), phase: this.phaseOf(skel), inFunction: this.fn });
  readonly emit = (a: LoaderAction): void => this.reader.emitAt(this.st, a, this.node);
  readonly loc = (x: Node): Location => this.reader.location(x);
  readonly valueOf = (x: Node | null): boolean | null => valueOnPath(x, this.st);
}
