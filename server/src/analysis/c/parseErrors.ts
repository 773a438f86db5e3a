// Where a parse went wrong, in offsets of the source text: tree-sitter's ERROR and MISSING nodes,
// the top-level items recovery.ts blanked because they could not be read even alone, and the runs
// longStretches.ts blanked before the parse. Only
// the branches of the tree that hold an error are walked.
import type { ParsedC } from './document';
import type { Node } from './parser';

/** Flat [start, end) pairs of source offsets, in document order; empty for a clean parse. */
export function parseErrors(parsed: ParsedC): number[] {
  const out: number[] = [];
  const map = parsed.expansion.map;
  const add = (start: number, end: number): void => {
    const s = map.toSource(start);
    out.push(s, Math.max(s, map.toSource(end, true)));
  };
  const walk = (n: Node): void => {
    if (n.isError || n.isMissing) {
      add(n.startIndex, n.endIndex);
      return;
    }
    for (const c of n.children) if (c && (c.hasError || c.isMissing)) walk(c);
  };
  if (parsed.tree?.rootNode.hasError) walk(parsed.tree.rootNode);
  for (const u of parsed.unread ?? []) add(u.start, u.end);
  if (!parsed.tooLong?.length) return out;
  // Blanked runs (longStretches.ts) fall anywhere among the others: back in document order.
  for (const s of parsed.tooLong) add(s.start, s.end);
  const pairs: [number, number][] = [];
  for (let i = 0; i < out.length; i += 2) pairs.push([out[i] as number, out[i + 1] as number]);
  return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]).flat();
}
