// Where a parse went wrong, in offsets of the source text: tree-sitter's ERROR and MISSING nodes,
// the top-level items recovery.ts blanked because they could not be read even alone, and the runs
// longStretches.ts blanked before the parse. Only the branches of the tree that hold an error are
// walked; after an incremental re-parse, only the top-level items that meet what changed
// (treeErrorsAfterEdit: an edited buffer asks on every keystroke).
import type { ParsedC } from './document';
import type { Node, Range, Tree } from './parser';

/** The ERROR and MISSING nodes under `n` (itself included), as flat [start, end) pairs of the tree's text, in document order. */
function collect(n: Node, out: number[]): void {
  if (n.isError || n.isMissing) {
    out.push(n.startIndex, n.endIndex);
    return;
  }
  for (const c of n.children) if (c && (c.hasError || c.isMissing)) collect(c, out);
}

/** The ERROR and MISSING nodes of a tree, as flat [start, end) pairs of the text it was parsed from. */
export function treeErrors(tree: Tree): number[] {
  const out: number[] = [];
  if (tree.rootNode.hasError) collect(tree.rootNode, out);
  return out;
}

/** The edit an incremental parse was given, in offsets of the tree's texts. */
export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
}

const meets = (s: number, e: number, r: readonly number[]): boolean => {
  for (let i = 0; i < r.length; i += 2) if (s <= (r[i + 1] as number) && e >= (r[i] as number)) return true;
  return false;
};

/**
 * treeErrors() of a tree parsed incrementally from `old` (edited with `edit`), from the old tree's
 * errors (`before`): outside the ranges tree-sitter reports as changed (`changed`, from
 * getChangedRanges) and the edit itself, every node has the same ancestors in both trees, so the
 * errors there are the old ones, moved by the edit; the top-level items that meet a changed range
 * are walked again. Gives what treeErrors() gives (test/unit/parseErrors.test.ts).
 */
export function treeErrorsAfterEdit(tree: Tree, changed: readonly Range[], before: readonly number[], edit: TreeEdit | null): number[] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  if (root.isError || root.isMissing) return treeErrors(tree);
  // What changed, in the new tree's offsets: tree-sitter's ranges and the edited span.
  const spans: [number, number][] = changed.map((r) => [r.startIndex, r.endIndex]);
  if (edit) spans.push([edit.startIndex, edit.newEndIndex]);
  // In document order, so that each block of items is walked once.
  const ranges = spans.sort((a, b) => a[0] - b[0]).flat();
  const delta = edit ? edit.newEndIndex - edit.oldEndIndex : 0;
  // The top-level items that meet a changed range, found by bisection (nodes are made only for
  // them), with the items that touch them: an error where two items meet (a MISSING `;` at the
  // end of one) belongs to either, so the walked blocks end where no item touches the next.
  const count = root.childCount;
  const walked: number[] = [];
  const found: number[] = [];
  const seen = new Set<number>();
  for (let k = 0; k < ranges.length; k += 2) {
    const from = ranges[k] as number;
    const to = ranges[k + 1] as number;
    let lo = 0;
    let hi = count;
    // The first child that ends at or after `from`.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((root.child(mid)?.endIndex ?? 0) < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= count) continue;
    let first = root.child(lo);
    while (lo > 0 && first) {
      const previous = root.child(lo - 1);
      if (!previous || previous.endIndex < first.startIndex) break;
      lo--;
      first = previous;
    }
    let i = lo;
    let last: Node | null = null;
    for (; i < count; i++) {
      const c = root.child(i);
      if (!c || (c.startIndex > to && (!last || c.startIndex > last.endIndex))) break;
      last = c;
      if (seen.has(i)) continue;
      seen.add(i);
      if (c.hasError || c.isMissing) collect(c, found);
    }
    if (first && last) walked.push(first.startIndex, last.endIndex);
  }
  const out: number[] = [];
  for (let i = 0; i < before.length; i += 2) {
    let s = before[i] as number;
    let e = before[i + 1] as number;
    if (edit) {
      // An error that meets the edit is found again by the walk (the edited span is a changed range).
      if (s <= edit.oldEndIndex && e >= edit.startIndex) continue;
      if (s >= edit.oldEndIndex) s += delta;
      if (e >= edit.oldEndIndex) e += delta;
    }
    if (meets(s, e, ranges) || meets(s, e, walked)) continue;
    out.push(s, e);
  }
  if (!found.length) return out;
  // Back in document order.
  const pairs: [number, number][] = [];
  for (let i = 0; i < out.length; i += 2) pairs.push([out[i] as number, out[i + 1] as number]);
  for (let i = 0; i < found.length; i += 2) pairs.push([found[i] as number, found[i + 1] as number]);
  return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]).flat();
}

/** Flat [start, end) pairs of source offsets, in document order; empty for a clean parse. */
export function parseErrors(parsed: ParsedC): number[] {
  const out: number[] = [];
  const map = parsed.expansion.map;
  const add = (start: number, end: number): void => {
    const s = map.toSource(start);
    out.push(s, Math.max(s, map.toSource(end, true)));
  };
  if (parsed.tree?.rootNode.hasError) {
    const inTree = parsed.treeErrors ? parsed.treeErrors() : treeErrors(parsed.tree);
    for (let i = 0; i < inTree.length; i += 2) add(inTree[i] as number, inTree[i + 1] as number);
  }
  for (const u of parsed.unread ?? []) add(u.start, u.end);
  if (!parsed.tooLong?.length) return out;
  // Blanked runs (longStretches.ts) fall anywhere among the others: back in document order.
  for (const s of parsed.tooLong) add(s.start, s.end);
  const pairs: [number, number][] = [];
  for (let i = 0; i < out.length; i += 2) pairs.push([out[i] as number, out[i + 1] as number]);
  return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]).flat();
}
