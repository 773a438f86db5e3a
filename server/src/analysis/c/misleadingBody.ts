// A statement read as the body of an `if`, `else`, `for` or `while` that was just typed above it,
// although it is indented no deeper than that keyword: `if (err)` typed on a line of its own, the
// body not written yet, makes the next statement conditional. GCC calls the finished form of this
// -Wmisleading-indentation; while typing it is a statement not finished yet. Only statements whose
// head (keyword, condition) the edit wrote part of are looked at.
import type { ParsedC } from './document';
import type { Node } from './parser';

const BODY: Record<string, string | null> = { if_statement: 'consequence', while_statement: 'body', for_statement: 'body', else_clause: null };

/** Width of the blanks that start the line of `offset` (a tab to the next multiple of 8), and the line's start. */
function indentOf(text: string, offset: number): { width: number; lineStart: number } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let width = 0;
  for (let i = lineStart; i < offset && (text[i] === ' ' || text[i] === '\t'); i++) width = text[i] === '\t' ? (width + 8) & ~7 : width + 1;
  return { width, lineStart };
}

/**
 * Whether an `if`, `else`, `for` or `while` written in source [start, end) (an edit) has a body
 * that is not a block, on a later line, indented no deeper than its keyword.
 */
export function misleadingBody(parsed: ParsedC, start: number, end: number): boolean {
  const tree = parsed.tree;
  if (!tree) return false;
  const map = parsed.expansion.map;
  const from = map.toExpanded(start);
  const to = map.toExpanded(end);
  if (from < 0 || to < 0) return false;
  const text = parsed.text;
  const misleading = (n: Node): boolean => {
    const field = BODY[n.type];
    const b = field ? n.childForFieldName(field) : n.namedChildren[0];
    // The edit wrote part of its head (keyword, condition), not only its body.
    if (!b || b.type === 'compound_statement' || from >= b.startIndex) return false;
    const keyword = indentOf(text, map.toSource(n.startIndex));
    const body = indentOf(text, map.toSource(b.startIndex));
    return keyword.lineStart < body.lineStart && body.width <= keyword.width;
  };
  // The statements whose head the edit wrote part of: the smallest node around the edit and its
  // ancestors, and the nodes inside it that meet the edit (not the whole file's items).
  const around = tree.rootNode.descendantForIndex(from, Math.max(from, to - 1));
  if (!around) return false;
  for (let n: Node | null = around; n; n = n.parent) if (n.type in BODY && misleading(n)) return true;
  const visit = (n: Node): boolean => {
    // A cursor walks the children: no node is made for those that do not meet the edit.
    const cursor = n.walk();
    try {
      if (!cursor.gotoFirstChild()) return false;
      do {
        if (cursor.startIndex > to) break;
        if (cursor.endIndex < from) continue;
        const c = cursor.currentNode;
        if ((c.type in BODY && misleading(c)) || visit(c)) return true;
      } while (cursor.gotoNextSibling());
      return false;
    } finally {
      cursor.delete();
    }
  };
  return visit(around);
}
