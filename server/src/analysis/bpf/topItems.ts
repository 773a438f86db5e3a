// One top-level declaration of a BPF source, read into plain data with offsets relative to the
// declaration. An item depends only on its own text, so it is kept across re-parses by text: an
// edit re-reads the declarations it touched and nothing else.
import type { Node } from '../c/parser';
import type { SyntaxNode } from '../c/syntaxNode';
import { bodyEdges } from './bodyEdges';

/** Offsets relative to the item's start in the expanded text. */
export type Rel = readonly [number, number];

export interface RawSlot {
  member: string;
  /** The identifier the member is set to (after casts), or null for NULL. */
  value: string | null;
  rel: Rel;
}

export interface RawDeclarator {
  name: string;
  rel: Rel;
  isFunction: boolean;
  /** Designated initializers `.member = value`, when the declarator has an initializer list. */
  slots: RawSlot[] | null;
}

export type TopItem =
  | {
      kind: 'function';
      name: string;
      nameRel: Rel;
      /** Start of the body, relative; markers past it are not this function's section. */
      bodyRel: number | null;
      attributeSection: string | null;
      calls: { name: string; rel: Rel }[];
      /** Names passed as arguments (callbacks, function pointers). */
      args: string[];
    }
  | { kind: 'declaration'; structType: string; declarators: RawDeclarator[]; attributeSection: string | null }
  | { kind: 'other' };

/** The identifier a declarator declares, through pointers, arrays, parentheses and attributes. */
export function declaredName(d: Node | null): Node | null;
export function declaredName(d: SyntaxNode | null): SyntaxNode | null;
export function declaredName(d: SyntaxNode | null): SyntaxNode | null {
  let n = d;
  for (let i = 0; n && i < 16; i++) {
    if (n.type === 'identifier' || n.type === 'field_identifier') return n;
    n = n.childForFieldName('declarator') ?? n.namedChildren.find((c) => c?.type.endsWith('declarator')) ?? null;
  }
  return null;
}

function isFunctionDeclarator(d: Node | null): boolean {
  let n = d;
  for (let i = 0; n && i < 16; i++) {
    if (n.type === 'function_declarator') return true;
    n = n.childForFieldName('declarator');
  }
  return false;
}

/**
 * A section given with `__attribute__((section("...")))` written out (or `__section__`), adjacent
 * string literals joined as the compiler joins them (`"?" "cgroup/dev"`).
 */
function attributeSection(node: Node): string | null {
  let section: string | null = null;
  for (const c of node.namedChildren) {
    if (!c) continue;
    // A `;` the parser could not place ends an earlier declaration that it folded into this item
    // (`int hits __attribute__((section(".data.x")));`, an attribute after a variable's name, which
    // the C grammar does not take): the attributes before it are that declaration's.
    if (c.type === 'ERROR' && c.text.includes(';')) section = null;
    if (section !== null || c.type !== 'attribute_specifier') continue;
    const m = /(?:\b__section__|\bsection)\s*\(\s*((?:"[^"\n]*"\s*)+)\)/.exec(c.text);
    if (m?.[1] !== undefined) section = own([...m[1].matchAll(/"([^"\n]*)"/g)].map((s) => s[1]).join(''));
  }
  return section;
}

/**
 * A node's text as a string of its own. Node texts are slices of the whole expanded file, and a
 * name kept in the facts (or in the document's memo) would keep all of that text alive with it.
 */
function own(text: string): string {
  return (' ' + text).slice(1);
}

function rel(n: Node, base: number): Rel {
  return [n.startIndex - base, n.endIndex - base];
}

/** `.member = (void *)prog`, `.member = prog`, `.member = NULL`; other values are data. */
function slots(list: Node, base: number): RawSlot[] {
  const out: RawSlot[] = [];
  for (const pair of list.namedChildren) {
    if (pair?.type !== 'initializer_pair') continue;
    const designators = pair.childrenForFieldName('designator');
    const last = designators[designators.length - 1];
    if (designators.length !== 1 || last?.type !== 'field_designator') continue;
    const member = own(last.namedChildren[0]?.text ?? last.text.replace(/^\./, ''));
    let value = pair.childForFieldName('value');
    let pointerCast = false;
    while (value && (value.type === 'cast_expression' || value.type === 'parenthesized_expression' || value.type === 'pointer_expression')) {
      if (value.type === 'cast_expression' && value.childForFieldName('type')?.text.includes('*')) pointerCast = true;
      value =
        value.type === 'cast_expression'
          ? value.childForFieldName('value')
          : value.type === 'pointer_expression'
            ? value.childForFieldName('argument')
            : (value.namedChildren[0] ?? null);
    }
    if (!value) continue;
    // NULL as written, or as a header defines it, `((void *)0)`: the same empty slot. A plain `0`
    // may be a data member's value (`.flags = 0`), and stays data.
    const nullPointer = value.type === 'null' || value.text === 'NULL' || (pointerCast && value.type === 'number_literal' && /^0+[uUlL]*$/.test(value.text));
    if (nullPointer) out.push({ member, value: null, rel: rel(pair, base) });
    else if (value.type === 'identifier') out.push({ member, value: own(value.text), rel: rel(pair, base) });
  }
  return out;
}

function readFunction(node: Node): TopItem {
  const base = node.startIndex;
  const nameNode = declaredName(node.childForFieldName('declarator'));
  if (!nameNode) return { kind: 'other' };
  const body = node.childForFieldName('body');
  const calls: { name: string; rel: Rel }[] = [];
  const args: string[] = [];
  if (body) {
    for (const c of bodyEdges(body)) {
      if (c.kind === 'callee') calls.push({ name: own(c.node.text), rel: rel(c.node, base) });
      else args.push(own(c.node.text));
    }
  }
  return {
    kind: 'function',
    name: own(nameNode.text),
    nameRel: rel(nameNode, base),
    bodyRel: body ? body.startIndex - base : null,
    attributeSection: attributeSection(node),
    calls,
    args,
  };
}

function readDeclaration(node: Node): TopItem {
  const base = node.startIndex;
  const type = node.childForFieldName('type');
  const structType = own(type?.type === 'struct_specifier' ? (type.childForFieldName('name')?.text ?? '') : (type?.text ?? ''));
  const declarators: RawDeclarator[] = [];
  for (const d of node.childrenForFieldName('declarator')) {
    const nameNode = d ? declaredName(d) : null;
    if (!d || !nameNode) continue;
    const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
    declarators.push({
      name: own(nameNode.text),
      rel: rel(nameNode, base),
      isFunction: isFunctionDeclarator(d),
      slots: value?.type === 'initializer_list' ? slots(value, base) : null,
    });
  }
  return { kind: 'declaration', structType, declarators, attributeSection: attributeSection(node) };
}

/** Reads one top-level node, or takes it from `memo` when a node with the same text was read. */
export function readTopItem(node: Node, memo: Map<string, unknown> | undefined, used: Map<string, unknown>): TopItem {
  if (node.type !== 'function_definition' && node.type !== 'declaration') return { kind: 'other' };
  const key = `${node.type}\0${node.text}`;
  const hit = (memo?.get(key) ?? used.get(key)) as TopItem | undefined;
  const item = hit ?? (node.type === 'function_definition' ? readFunction(node) : readDeclaration(node));
  used.set(key, item);
  return item;
}
