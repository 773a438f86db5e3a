// What a function body calls by name and the names it passes as arguments (queries/bodyEdges.scm).
// The query costs time in proportion to the nodes times the argument lists open around them, so
// a body nested thousands deep (`f(f(f(...)))` 20,000 times: 5 s) is read by one walk of the tree
// instead, which finds the same names in the same order in linear time.
import type { Node } from '../c/parser';
import { query } from '../c/queries';

/** Bracket nesting past which a body is walked rather than queried; real code stays far below. */
export const QUERY_DEPTH_LIMIT = 200;

export interface BodyEdge {
  kind: 'callee' | 'arg';
  node: Node;
}

export function bodyEdges(body: Node): BodyEdge[] {
  if (bracketDepth(body.text) <= QUERY_DEPTH_LIMIT) {
    return query('bodyEdges').captures(body).map((c) => ({ kind: c.name === 'callee' ? 'callee' : 'arg', node: c.node }));
  }
  return walkEdges(body);
}

/** The deepest nesting of (), [] and {} in `text` (strings and comments counted too: an upper bound). */
function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > max) max = depth;
    } else if (c === 41 || c === 93 || c === 125) depth--;
  }
  return max;
}

/** The query's captures, by one pre-order walk with a cursor (no recursion, no stack of matches). */
export function walkEdges(body: Node): BodyEdge[] {
  const out: BodyEdge[] = [];
  // Types of the nodes above the cursor's node.
  const types: string[] = [];
  const cursor = body.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      if (type === 'identifier' && cursor.nodeIsNamed) {
        const field = cursor.currentFieldName;
        const parent = types[types.length - 1];
        const grand = types[types.length - 2];
        if (parent === 'call_expression' && field === 'function') out.push({ kind: 'callee', node: cursor.currentNode });
        else if (parent === 'argument_list') out.push({ kind: 'arg', node: cursor.currentNode });
        else if (grand === 'argument_list' && ((parent === 'pointer_expression' && field === 'argument') || (parent === 'cast_expression' && field === 'value'))) {
          out.push({ kind: 'arg', node: cursor.currentNode });
        }
      }
      if (cursor.gotoFirstChild()) {
        types.push(type);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!types.length || !cursor.gotoParent()) return out;
        types.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}
