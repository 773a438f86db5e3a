// What the Rust reader's walker asks of a node's text, once per node: may it make a loader call
// (itself or through a helper of the file), may it change what a path does to associations, can
// the path go through it unchanged, does a loader call follow it in its function; and the
// arguments of a macro (`vec![skel.maps.a.attach_struct_ops()?]`) re-parsed as an expression.
import type { Node, Tree } from '../c/parser';
import { LOADER_TEXT, PATH_TEXT, SCX_MACROS } from './calls';
import { parseRust } from './parser';

export class LoaderText {
  private readonly loaderCalls = new Map<number, boolean>();
  private readonly pathChanges = new Map<number, boolean>();
  private readonly inertNodes = new Map<number, boolean>();
  /** Parsed macro arguments, by macro node id; and each such tree's offset in the file and its macro. */
  private readonly macroArgs = new Map<number, Node | null>();
  private readonly macroTrees = new Map<Tree, { shift: number; macro: Node }>();

  constructor(
    private readonly tree: Tree,
    private readonly text: string,
    /** Functions of the file that make loader calls (filled before the walk). */
    private readonly relevant: ReadonlyMap<string, Node>,
  ) {}

  callsLoader(n: Node): boolean {
    let known = this.loaderCalls.get(n.id);
    if (known === undefined) {
      const t = n.text;
      known = LOADER_TEXT.test(t) || this.callsRelevant(t);
      this.loaderCalls.set(n.id, known);
    }
    return known;
  }

  changesPath(n: Node): boolean {
    let known = this.pathChanges.get(n.id);
    if (known === undefined) {
      const t = n.text;
      known = PATH_TEXT.test(t) || this.callsRelevant(t);
      this.pathChanges.set(n.id, known);
    }
    return known;
  }

  private callsRelevant(t: string): boolean {
    for (const name of this.relevant.keys()) if (t.includes(name) && new RegExp(`\\b${name}\\s*\\(`).test(t)) return true;
    return false;
  }

  /** Nothing under the node calls the loader or leaves: its paths go through it unchanged. */
  inert(n: Node): boolean {
    let known = this.inertNodes.get(n.id);
    if (known === undefined) {
      known = !this.callsLoader(n) && !/\breturn\b|\bbreak\b|\bcontinue\b|\bbail!|\bexit\s*\(/.test(n.text);
      this.inertNodes.set(n.id, known);
    }
    return known;
  }

  callsAfter(at: Node): boolean {
    const n = at.tree === this.tree ? at : (this.macroTrees.get(at.tree)?.macro ?? at);
    let fn: Node | null = n.parent;
    while (fn && fn.type !== 'function_item') fn = fn.parent;
    const body = fn?.childForFieldName('body');
    if (!body) return false;
    const rest = this.text.slice(n.endIndex, body.endIndex);
    return LOADER_TEXT.test(rest) || this.callsRelevant(rest);
  }

  /** Where a node of a re-parsed macro argument list stands in the file (0 for the file's own nodes). */
  shift(n: Node): number {
    return n.tree === this.tree ? 0 : (this.macroTrees.get(n.tree)?.shift ?? 0);
  }

  macroArguments(n: Node): Node | null {
    const known = this.macroArgs.get(n.id);
    if (known !== undefined) return known;
    const name = n.childForFieldName('macro')?.text.replace(/^.*::/, '') ?? '';
    const args = n.namedChildren.find((c) => c?.type === 'token_tree');
    let out: Node | null = null;
    if (!SCX_MACROS.has(name) && args && this.callsLoader(args)) {
      // The arguments re-parsed as an array expression; the tree's offset maps its places back.
      const head = 'fn __m(){';
      const tree = parseRust(`${head}[${this.text.slice(args.startIndex + 1, args.endIndex - 1)}];}`);
      if (tree) {
        this.macroTrees.set(tree, { shift: args.startIndex - head.length, macro: n });
        const e = tree.rootNode.descendantForIndex(head.length)?.parent ?? null;
        out = e?.type === 'array_expression' ? e : null;
      }
    }
    this.macroArgs.set(n.id, out);
    return out;
  }

  /** Frees the re-parsed trees (after the reading: facts keep no nodes). */
  dispose(): void {
    for (const t of this.macroTrees.keys()) t.delete();
  }
}
