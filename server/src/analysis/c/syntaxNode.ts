// Syntax-tree nodes as a reader that visits the same nodes again and again sees them: each node's
// type, extent, text, children and fields are asked of the parser's runtime once and kept. A
// web-tree-sitter node answers every property by a call into WebAssembly that first copies the
// node into the runtime's memory, and hands out a new object for every child it is asked for; a
// path-by-path reader (loader/flow.ts) asks the same node the same thing once per path.
import type { Node } from './parser';

/** What the readers ask of a node: the real one and the kept one both answer it. */
export interface SyntaxNode {
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly parent: SyntaxNode | null;
  readonly namedChildren: (SyntaxNode | null)[];
  readonly children: (SyntaxNode | null)[];
  readonly hasError: boolean;
  childForFieldName(fieldName: string): SyntaxNode | null;
  childrenForFieldName(fieldName: string): (SyntaxNode | null)[];
}

const NONE = Symbol('none');

/** One node of one tree, its answers kept; the same object for the same node (by `SyntaxCache`). */
export class KeptNode implements SyntaxNode {
  readonly id: number;
  private typeOf: string | undefined = undefined;
  private textOf: string | undefined = undefined;
  private start = -1;
  private end = -1;
  private parentOf: KeptNode | null | typeof NONE = NONE;
  private named: (KeptNode | null)[] | undefined = undefined;
  private all: (KeptNode | null)[] | undefined = undefined;
  private errors: boolean | undefined = undefined;
  /** Fields asked for so far: name, then what it held, for each (a node is asked for few). */
  private fields: (string | KeptNode | null)[] | undefined = undefined;
  private fieldLists: Map<string, (KeptNode | null)[]> | undefined = undefined;
  /**
   * What the reader that owns the cache derived from this node, kept with it. (A WeakMap keyed by
   * nodes makes every scavenge of the young generation walk its entries: many times slower.)
   */
  derived: unknown = undefined;

  constructor(
    /** The parser's node. */
    readonly node: Node,
    private readonly cache: SyntaxCache,
  ) {
    this.id = node.id;
  }

  get type(): string {
    return (this.typeOf ??= this.node.type);
  }

  get text(): string {
    if (this.textOf === undefined) {
      // A slice of the text the tree was parsed from (what the runtime's `text` is), without its call.
      const source = this.cache.source;
      const start = this.startIndex;
      const end = this.endIndex;
      this.textOf = source && start >= source.start && end <= source.end ? source.text.slice(start - source.start, end - source.start) : this.node.text;
    }
    return this.textOf;
  }

  get startIndex(): number {
    if (this.start < 0) this.start = this.node.startIndex;
    return this.start;
  }

  get endIndex(): number {
    if (this.end < 0) this.end = this.node.endIndex;
    return this.end;
  }

  get parent(): KeptNode | null {
    if (this.parentOf === NONE) this.parentOf = this.cache.keepOrNull(this.node.parent);
    return this.parentOf;
  }

  get namedChildren(): (KeptNode | null)[] {
    return (this.named ??= this.cache.keepAll(this.node.namedChildren));
  }

  get children(): (KeptNode | null)[] {
    return (this.all ??= this.cache.keepAll(this.node.children));
  }

  get hasError(): boolean {
    return (this.errors ??= this.node.hasError);
  }

  childForFieldName(fieldName: string): KeptNode | null {
    const fields = (this.fields ??= []);
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === fieldName) return fields[i + 1] as KeptNode | null;
    const id = this.cache.fieldId(fieldName, this.node);
    const c = id === null ? null : this.cache.keepOrNull(this.node.childForFieldId(id));
    fields.push(fieldName, c);
    return c;
  }

  childrenForFieldName(fieldName: string): (KeptNode | null)[] {
    this.fieldLists ??= new Map();
    let c = this.fieldLists.get(fieldName);
    if (!c) {
      c = this.cache.keepAll(this.node.childrenForFieldName(fieldName));
      this.fieldLists.set(fieldName, c);
    }
    return c;
  }
}

/** The kept nodes of one tree, by node id; dropped with the reader that made it. */
export class SyntaxCache {
  private readonly nodes = new Map<number, KeptNode>();
  /** Field ids by name (the runtime looks a name up in the language's list on every call). */
  private readonly fieldIds = new Map<string, number | null>();

  fieldId(fieldName: string, n: Node): number | null {
    let id = this.fieldIds.get(fieldName);
    if (id === undefined) {
      id = n.tree.language.fieldIdForName(fieldName);
      this.fieldIds.set(fieldName, id);
    }
    return id;
  }

  /** The text of the tree's root, where it starts and ends: node texts are slices of it. */
  source: { text: string; start: number; end: number } | null = null;

  /** Keeps the tree's root, and its text for the texts of the nodes under it. */
  keepRoot(root: Node): KeptNode {
    const k = this.keep(root);
    this.source = { text: root.text, start: k.startIndex, end: k.endIndex };
    return k;
  }

  keep(n: Node): KeptNode {
    let k = this.nodes.get(n.id);
    if (!k) {
      k = new KeptNode(n, this);
      this.nodes.set(n.id, k);
    }
    return k;
  }

  keepOrNull(n: Node | null): KeptNode | null {
    return n ? this.keep(n) : null;
  }

  keepAll(ns: (Node | null)[]): (KeptNode | null)[] {
    return ns.map((n) => (n ? this.keep(n) : null));
  }
}

/** The parser's node under a node a reader holds (for queries, which run on the parser's tree). */
export function parserNode(n: SyntaxNode): Node {
  return n instanceof KeptNode ? n.node : (n as Node);
}
