// Small syntax helpers of the loader reader's walker.
import type { SyntaxNode as Node } from '../c/syntaxNode';

/** The expression inside any parentheses. */
export function unwrapParens(n: Node | null): Node | null {
  let e = n;
  while (e && e.type === 'parenthesized_expression') e = e.namedChildren[0] ?? null;
  return e;
}

/** The identifier inside any parentheses; null when it is no identifier. */
export function unwrapIdent(n: Node | null): Node | null {
  const e = unwrapParens(n);
  return e?.type === 'identifier' ? e : null;
}
