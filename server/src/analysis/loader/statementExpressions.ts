// GNU statement expressions (`({ if (c) exit(1); x; })`, what a CHECK()-style macro expands to)
// inside an expression: the reader walks them as statements where they stand, so an exit or a
// return under a condition in one ends only the path where the condition holds.
import type { SyntaxNode as Node } from '../c/syntaxNode';

/** `({` with anything but code between: where a statement expression can start. */
const OPENS = /\(\s*\{/;

/**
 * The statement expressions' bodies under `n`, in source order: a block whose parent is a
 * parenthesized expression (under an expression only those hold a block; a directive's branch in a
 * function body, `#ifdef X { ... }`, is no expression). A body is not entered.
 */
function collect(n: Node, bodies: Node[]): void {
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'compound_statement' && n.type === 'parenthesized_expression') bodies.push(c);
    else collect(c, bodies);
  }
}

export class StatementExpressions {
  /** By expression node: syntax-tree nodes are new objects on every access, their ids are not. */
  private readonly found = new Map<number, Node[]>();

  /**
   * The bodies (`compound_statement`) of the outermost statement expressions under `n`, in source
   * order; those nested in one are walked with it. Found once per node.
   */
  under(n: Node): Node[] {
    let bodies = this.found.get(n.id);
    if (bodies) return bodies;
    bodies = [];
    // Most expressions hold none: their text tells, without a walk of their nodes.
    if (OPENS.test(n.text)) collect(n, bodies);
    this.found.set(n.id, bodies);
    return bodies;
  }
}
