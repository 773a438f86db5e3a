// How many tokens macro expansion may produce: per top-level item, and for the whole file.
// Ordinary code spends a few tokens per source byte; HID report descriptors, the most
// macro-heavy real code seen, up to 16 (42,000 tokens for a 4 KB array). An item gets a base plus
// 32 tokens per byte of its own text, so only a runaway expansion meets that: then that item alone
// stops expanding (its remaining invocations are copied as written) and is reported, while every
// other item of the file is still expanded. Bytes and tokens are measured as budgetLength.ts says:
// a line counts at most its first LINE_BYTES, a produced token one per TOKEN_CHARS characters.
import { budgetLength, budgetOffsets } from './budgetLength';
import { TopLevelScanner } from './topLevel';

export const ITEM_BUDGET = 20_000;
export const ITEM_BUDGET_PER_BYTE = 32;

/** Upper bound for the whole file (of budgetLength `length`), so that many runaway items cannot add up to minutes. */
export function fileBudget(length: number): number {
  return 4 * ITEM_BUDGET + ITEM_BUDGET_PER_BYTE * length;
}

export class ExpansionBudget {
  /** Tokens produced in the whole file. */
  spent = 0;
  /** The current item ran out of its budget. */
  exhausted = false;
  /** The file ran out of its budget: nothing more is expanded. */
  truncated = false;
  /** The current item's first code character in the source. */
  itemStart = 0;
  private left = ITEM_BUDGET;
  private fileLeft: number;
  /** Whether the current item's length was added to its budget (scanned only for heavy items). */
  private sized = false;
  /** `spent` when the current invocation began (mark()). */
  private base = 0;
  /**
   * The most the current invocation has asked for since mark(): what it spent so far plus the
   * amount of a check, at the largest check or charge. Whether an item runs out depends only on
   * these demands (see fitsEveryItem).
   */
  peak = 0;

  constructor(private readonly source: string) {
    this.fileLeft = fileBudget(budgetLength(source, 0, source.length));
  }

  /** A new top-level item starts at `start`: a budget of its own. */
  startItem(start: number): void {
    this.itemStart = start;
    this.left = ITEM_BUDGET;
    this.sized = false;
    this.exhausted = false;
  }

  /** A top-level invocation starts: its spending and peak demand are counted from here. */
  mark(): void {
    this.base = this.spent;
    this.peak = 0;
  }

  /** Whether `n` more tokens would overrun the item's or the file's budget. */
  over(n: number): boolean {
    const demand = this.spent - this.base + n;
    if (demand > this.peak) this.peak = demand;
    if (n > this.left) this.size();
    return n > this.left || n > this.fileLeft;
  }

  /** Spends `n` tokens of the item's and the file's budgets. */
  charge(n: number): void {
    this.spent += n;
    if (this.spent - this.base > this.peak) this.peak = this.spent - this.base;
    this.left -= n;
    this.fileLeft -= n;
    if (this.left < 0) this.size();
    if (this.left < 0) this.exhausted = true;
    if (this.fileLeft < 0) this.exhausted = this.truncated = true;
  }

  /** Past the base, the item's own size counts too. */
  private size(): void {
    if (this.sized) return;
    this.sized = true;
    const end = new TopLevelScanner(this.source, this.itemStart).finishItem();
    this.left += ITEM_BUDGET_PER_BYTE * budgetLength(this.source, this.itemStart, end);
  }
}

/**
 * Whether no top-level item can run out of its budget, however the text is cut into items, given
 * the invocations' source ranges (flat [start, end) pairs, in order) in `text` and their costs
 * (flat [spent, peak demand] pairs, from an expansion where none ran out). An item from invocation
 * i to invocation j asks at most the spending of i..j-1 plus j's peak, and its budget is at least
 * the base plus ITEM_BUDGET_PER_BYTE per byte (budgetLength) from i's start to j's start; the
 * file's budget holds the spending before j plus j's peak. O(invocations + lines): it runs on every
 * keystroke (expandEdit.ts).
 */
export function fitsEveryItem(invocations: ArrayLike<number>, costs: ArrayLike<number>, text: string): boolean {
  const starts: number[] = [];
  for (let k = 0; k < invocations.length; k += 2) starts.push(invocations[k] as number);
  starts.push(text.length);
  // Where each invocation starts, and the file's end, in budgetLength from the start of the file.
  const at = budgetOffsets(text, starts);
  const file = fileBudget(at[at.length - 1] as number);
  let spentBefore = 0;
  // min over i <= j of (spending before i - ITEM_BUDGET_PER_BYTE * start of i)
  let lowest = Infinity;
  for (let k = 0; k < invocations.length; k += 2) {
    const start = at[k / 2] as number;
    const spent = costs[k] as number;
    const peak = costs[k + 1] as number;
    const here = spentBefore - ITEM_BUDGET_PER_BYTE * start;
    if (here < lowest) lowest = here;
    if (spentBefore + peak > file) return false;
    if (here + peak - lowest > ITEM_BUDGET) return false;
    spentBefore += spent;
  }
  return true;
}
