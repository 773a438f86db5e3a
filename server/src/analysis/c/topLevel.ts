// Top-level items of C text found lexically, without a parser: an item ends at a `;` outside any
// bracket, or at the `}` that closes a function body (a `{` right after a `)` at file scope).
// Comments, strings and preprocessor lines are skipped. The macro expander budgets each item on
// its own with this, and the parser re-reads a broken region item by item (recovery.ts).

const enum Ch {
  Tab = 9,
  Nl = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Hash = 35,
  Apos = 39,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Slash = 47,
  Semi = 59,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  LBrace = 123,
  RBrace = 125,
}

type State = 'code' | 'line' | 'block' | 'str' | 'chr' | 'directive';

/**
 * Scans forward once. `advance(offset)` scans up to `offset` and tells whether it is in code;
 * `item` is the number of items ended before the scan position, `itemStart` the offset of the
 * current item's first code character (-1 before it has one).
 */
export class TopLevelScanner {
  private i: number;
  private state: State = 'code';
  private lineStart = true;
  private depth = 0;
  /** Last code character outside brackets: a `{` after `)` opens a function body. */
  private last = 0;
  private body = false;
  item = 0;
  itemStart = -1;
  /** Flat [start, end) pairs of the items ended so far, when asked for (`record`). */
  readonly ends: number[] | null;
  /** Of those, the ones a function body ended (by index). */
  readonly definitions: Set<number> | null;
  /**
   * Of those, the ones after which a function body is still taken to be open (a stray closer of
   * another kind closed its brace): the only state an item's end does not reset.
   */
  readonly bodyAfter: Set<number> | null;

  constructor(
    private readonly text: string,
    start = 0,
    record = false,
    /** `start` is right after an item's `;` or `}`: not the start of a line. */
    afterItem = false,
  ) {
    this.i = start;
    if (afterItem) this.lineStart = false;
    this.ends = record ? [] : null;
    this.definitions = record ? new Set() : null;
    this.bodyAfter = record ? new Set() : null;
  }

  get position(): number {
    return this.i;
  }

  /** Whether the scan position is inside a comment, a string or a character literal. */
  get inCommentOrString(): boolean {
    return this.state !== 'code' && this.state !== 'directive';
  }

  advance(offset: number): boolean {
    const t = this.text;
    const to = Math.min(offset, t.length);
    while (this.i < to) {
      const c = t.charCodeAt(this.i);
      switch (this.state) {
        case 'code':
          this.code(c, t.charCodeAt(this.i + 1));
          break;
        case 'line':
          if (c === Ch.Nl) this.state = 'code';
          break;
        case 'block':
          if (c === Ch.Star && t.charCodeAt(this.i + 1) === Ch.Slash) {
            this.state = 'code';
            this.i++;
          }
          break;
        case 'str':
        case 'chr':
          if (c === Ch.Backslash) this.i++;
          else if (c === (this.state === 'str' ? Ch.Quote : Ch.Apos) || c === Ch.Nl) this.state = 'code';
          break;
        case 'directive': {
          const n = t.charCodeAt(this.i + 1);
          if (c === Ch.Backslash && n === Ch.Nl) this.i++;
          else if (c === Ch.Backslash && n === Ch.Cr && t.charCodeAt(this.i + 2) === Ch.Nl) this.i += 2;
          else if (c === Ch.Slash && n === Ch.Star) {
            const end = t.indexOf('*/', this.i + 2);
            this.i = end < 0 ? t.length : end + 1;
          } else if (c === Ch.Nl) this.state = 'code';
          break;
        }
      }
      if (c === Ch.Nl) this.lineStart = true;
      else if (c !== Ch.Space && c !== Ch.Tab && c !== Ch.Cr) this.lineStart = false;
      this.i++;
    }
    return this.state === 'code';
  }

  /** Scans to the end of the current item: the offset after it, or the end of the text. */
  finishItem(): number {
    const item = this.item;
    while (this.item === item && this.i < this.text.length) this.advance(this.i + 1);
    return this.i;
  }

  private code(c: number, n: number): void {
    if (c === Ch.Space || c === Ch.Tab || c === Ch.Nl || c === Ch.Cr || c === 12 || c === 11) return;
    if (c === Ch.Slash && n === Ch.Star) {
      this.state = 'block';
      this.i++;
      return;
    }
    if (c === Ch.Slash && n === Ch.Slash) {
      this.state = 'line';
      return;
    }
    if (c === Ch.Hash && this.lineStart) {
      this.state = 'directive';
      return;
    }
    if (this.itemStart < 0) this.itemStart = this.i;
    if (c === Ch.Quote) this.state = 'str';
    else if (c === Ch.Apos) this.state = 'chr';
    else if (c === Ch.LParen || c === Ch.LBracket || c === Ch.LBrace) {
      if (this.depth === 0 && c === Ch.LBrace) this.body = this.last === Ch.RParen;
      this.depth++;
    } else if (c === Ch.RParen || c === Ch.RBracket || c === Ch.RBrace) {
      // A stray closer at file scope (broken code) ends nothing and is not counted.
      if (this.depth > 0) this.depth--;
      if (this.depth === 0 && c === Ch.RBrace && this.body) {
        this.body = false;
        this.definitions?.add(this.item);
        this.end(this.i + 1);
        return;
      }
    } else if (c === Ch.Semi && this.depth === 0) {
      this.end(this.i + 1);
      return;
    }
    if (this.depth === 0 || (this.depth === 1 && (c === Ch.LParen || c === Ch.LBracket || c === Ch.LBrace))) this.last = c;
  }

  private end(at: number): void {
    this.ends?.push(this.itemStart, at);
    if (this.body) this.bodyAfter?.add(this.item);
    this.item++;
    this.itemStart = -1;
    this.last = 0;
  }
}

/**
 * The top-level items of `text` as flat [start, end) pairs: start at the item's first code
 * character, end after its `;` or closing brace. Trailing code that never ends (an unclosed
 * brace: the items after it cannot be told apart lexically either) is not an item.
 * `definitions` holds the indices of the items that are function definitions.
 */
export function topLevelItems(text: string): TopLevelItems {
  const s = new TopLevelScanner(text, 0, true);
  s.advance(text.length);
  return { items: s.ends as number[], definitions: s.definitions as Set<number>, bodyAfter: s.bodyAfter as Set<number> };
}

export interface TopLevelItems {
  items: number[];
  definitions: ReadonlySet<number>;
  /** The items after which the scanner's state is not the one an item's end usually leaves (TopLevelScanner.bodyAfter). */
  bodyAfter: ReadonlySet<number>;
}

/** The index of the first item of `items` (flat pairs) that ends at or after `at`. */
function firstEndingAtOrAfter(items: readonly number[], at: number): number {
  let lo = 0;
  let hi = items.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((items[mid * 2 + 1] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * topLevelItems() of `text` from those of the text before an edit (`[start, oldEnd)` of it became
 * `[start, newEnd)`). The scanner's state right after an item is always the same, so the text is
 * scanned again only from the end of the last item before the edit to the first item end after
 * it that was an item end before; the items after it are the old ones, moved. The same answer as
 * a whole scan (test/unit/topLevel.test.ts).
 */
export function topLevelItemsAfterEdit(before: TopLevelItems, text: string, edit: { start: number; oldEnd: number; newEnd: number }): TopLevelItems {
  const old = before.items;
  const delta = edit.newEnd - edit.oldEnd;
  // Items kept as they were: those that end at or before the edit's start, up to one after which the state is the usual one.
  let kept = firstEndingAtOrAfter(old, edit.start + 1);
  while (kept > 0 && before.bodyAfter.has(kept - 1)) kept--;
  const from = kept > 0 ? (old[kept * 2 - 1] as number) : 0;
  const s = new TopLevelScanner(text, from, true, from > 0);
  const ends = s.ends as number[];
  let resumeAt = -1;
  while (s.position < text.length) {
    const count = s.item;
    s.finishItem();
    if (s.item === count) break;
    const end = ends[ends.length - 1] as number;
    if (end < edit.newEnd || end - delta < edit.oldEnd) continue;
    const j = firstEndingAtOrAfter(old, end - delta);
    if (old[j * 2 + 1] === end - delta && !before.bodyAfter.has(j) && !(s.bodyAfter as Set<number>).has(s.item - 1)) {
      resumeAt = j + 1;
      break;
    }
  }
  const items = old.slice(0, kept * 2);
  for (const x of ends) items.push(x);
  const definitions = new Set<number>();
  const bodyAfter = new Set<number>();
  for (const d of before.definitions) if (d < kept) definitions.add(d);
  for (const d of before.bodyAfter) if (d < kept) bodyAfter.add(d);
  for (const d of s.definitions as Set<number>) definitions.add(d + kept);
  for (const d of s.bodyAfter as Set<number>) bodyAfter.add(d + kept);
  if (resumeAt >= 0) {
    const shift = kept + (ends.length >> 1) - resumeAt;
    for (let k = resumeAt * 2; k < old.length; k++) items.push((old[k] as number) + delta);
    for (const d of before.definitions) if (d >= resumeAt) definitions.add(d + shift);
    for (const d of before.bodyAfter) if (d >= resumeAt) bodyAfter.add(d + shift);
  }
  return { items, definitions, bodyAfter };
}
