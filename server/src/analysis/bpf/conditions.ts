// Which `#if`/`#ifdef` branches of a BPF source the build compiles. The values come from reading
// the translation unit's directives in order (c/preprocess.ts): macro values, arithmetic, the
// includer's defines, the build's -D. A branch whose condition cannot be known is read anyway
// (both branches, as before), and the reading says so: the source model is uncertain there.
import type { Node } from '../c/parser';
import type { Decisions } from '../c/preprocess';
import type { Location } from '../facts';

export type Truth = boolean | null;

/** A place where the source model depends on something the analysis cannot know. */
export interface Uncertainty {
  reason: string;
  location: Location;
}

const NOT_EVALUATED = 'the preprocessor did not reach this conditional';

/** Reads the tree's conditional nodes against the unit's decisions for this file. */
export class BranchReader {
  readonly uncertain: Uncertainty[] = [];

  constructor(
    private readonly decisions: Decisions,
    /** The zero-based source line a node of the expanded text starts on. */
    private readonly lineOf: (node: Node) => number,
    private readonly file: string,
  ) {}

  /** Whether the branch a preprocessor conditional node opens is compiled. */
  truth(node: Node): Truth {
    const line = this.lineOf(node);
    const d = this.decisions.get(line);
    if (d && d.value !== null) return d.value;
    const character = 0;
    const at = { line, character };
    this.uncertain.push({ reason: d?.reason ?? NOT_EVALUATED, location: { file: this.file, range: { start: at, end: at } } });
    return null;
  }
}
