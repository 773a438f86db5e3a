// What a stretch of source is worth to the expansion budget (expansionBudget.ts), and what a
// produced token costs it. The budget grows with the source because dense code legitimately
// expands to many tokens; a long line does not: past LINE_BYTES a line is one huge token (a 100 KB
// string literal, a base64 blob) or padding, worth nothing more. Without the cap, a 100 KB literal
// in main() gave main 3.2 million tokens, which a macro bomb further down spent (5.9 MB of text
// for tree-sitter). Likewise a produced token costs one per TOKEN_CHARS characters begun, so that
// copying a huge literal per invocation cannot write unbounded text on a budget of tokens.

/** Bytes of a line that count; real code stays under it (longer lines are generated data). */
export const LINE_BYTES = 1024;
/** Characters one unit of the budget pays for in a produced token. */
export const TOKEN_CHARS = 64;

/** The budget's length of `text[from, to)`: its bytes, each line counting at most its first LINE_BYTES (newline included). */
export function budgetLength(text: string, from: number, to: number): number {
  return new Measure(text, from > 0 ? text.lastIndexOf('\n', from - 1) + 1 : 0).count(from, to);
}

/** The budget's length from the start of `text` to each of the ascending `offsets` (one pass). */
export function budgetOffsets(text: string, offsets: ArrayLike<number>): number[] {
  const out: number[] = [];
  const measure = new Measure(text, 0);
  let at = 0;
  let sum = 0;
  for (let k = 0; k < offsets.length; k++) {
    const to = Math.max(at, offsets[k] as number);
    sum += measure.count(at, to);
    at = to;
    out.push(sum);
  }
  return out;
}

/** Counts positions whose column is below LINE_BYTES, over consecutive ranges of one text. */
class Measure {
  /** The next newline at or after the last range's end (text.length when none). */
  private nl = -1;

  constructor(
    private readonly text: string,
    /** Where the line of the next range's start begins. */
    private lineStart: number,
  ) {}

  count(from: number, to: number): number {
    let n = 0;
    let at = from;
    while (at < to) {
      if (this.nl < at) {
        const nl = this.text.indexOf('\n', at);
        this.nl = nl < 0 ? this.text.length : nl;
      }
      const lineEnd = Math.min(to, this.nl + 1);
      const counted = Math.min(lineEnd, this.lineStart + LINE_BYTES) - at;
      if (counted > 0) n += counted;
      if (lineEnd === this.nl + 1) this.lineStart = lineEnd;
      at = lineEnd;
    }
    return n;
  }
}

/** What producing the token `text` costs: one per TOKEN_CHARS characters begun. */
export function tokenCost(text: string): number {
  return text.length <= TOKEN_CHARS ? 1 : Math.ceil(text.length / TOKEN_CHARS);
}
