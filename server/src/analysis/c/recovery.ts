// Recovery from a parse error at file scope. tree-sitter recovers inside a function well, but a
// construct the C grammar does not cover at file scope (HID's report-descriptor macros expand to
// `sizeof(struct { _Static_assert(...); ... })` in an initialiser) can make it read the items
// after it as statements and garbage, and every program after it disappears. Here the broken
// region is cut into top-level items found lexically (topLevel.ts), each item is parsed alone,
// and the items that cannot be read even alone are blanked (their newlines and preprocessor lines
// kept, so offsets, lines and `#if` structure stay as they were): the file is parsed again and
// everything outside the blanked items reads as if they were not there. The blanked items are
// returned so that the readers say which lines were not understood.
import { declaredName } from '../bpf/topItems';
import { directiveSpans } from './commentScan';
import { LineIndex } from './lineIndex';
import { parseC, type Node, type Tree } from './parser';
import { topLevelItems, type TopLevelItems } from './topLevel';

/** A top-level item the parser could not read (offsets in the expanded text). */
export interface UnreadItem {
  start: number;
  end: number;
  /** The end of the item before it: a section marker between the two belongs to this one. */
  claimFrom: number;
  /** Its place among the file's top-level items (consecutive unread items are one region). */
  index: number;
  /** What it declares, and whether as a function definition, when a parse of the item alone tells. */
  name: string | null;
  isFunction: boolean;
  /**
   * It declares data and nothing else: alone it reads as one declaration, or lexically it is not
   * a function definition (no `{` right after a `)`). Without a section it holds no program or map.
   */
  declaresData: boolean;
  /** A section marker (`SEC(...)`) that makes a program or a map belongs to it. */
  sectioned?: boolean;
}

export interface Recovery {
  /** The text the tree was parsed from: the expanded text with the unread items blanked. */
  text: string;
  tree: Tree;
  unread: UnreadItem[];
}

const CONTAINERS = /^preproc_(?:if|ifdef|elif|elifdef|else)$/;
const MAX_ROUNDS = 4;

type Reading = 'clean' | 'local' | 'unreadable';

/**
 * The file-scope nodes, looking into preprocessor conditionals, in document order. A loop over an
 * explicit stack: conditionals nested thousands deep (a fuzzed file) overflowed the call stack.
 */
function fileScope(root: Node): Node[] {
  const out: Node[] = [];
  const stack: { nodes: (Node | null)[]; at: number }[] = [{ nodes: root.children, at: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1] as { nodes: (Node | null)[]; at: number };
    if (top.at >= top.nodes.length) {
      stack.pop();
      continue;
    }
    const c = top.nodes[top.at++];
    if (!c) continue;
    if (CONTAINERS.test(c.type)) stack.push({ nodes: c.children, at: 0 });
    else out.push(c);
  }
  return out;
}

/** What a file-scope item of real C reads as (besides preprocessor lines). */
const FILE_SCOPE = new Set([
  'declaration', 'function_definition', 'type_definition', 'linkage_specification', 'expression_statement', 'attributed_statement',
  'comment', 'struct_specifier', 'union_specifier', 'enum_specifier', ';',
]);

/** Wrong at file scope: where the parser gave up, a function body torn apart, or loose tokens. */
function lost(n: Node): boolean {
  return n.isMissing || !(FILE_SCOPE.has(n.type) || n.type.startsWith('preproc_'));
}

/**
 * Items (flat [start, end) pairs) the tree misreads: the file-scope node where one starts is an
 * error or a torn-up statement, starts before it (the item was swallowed), or runs past its end
 * with errors (it swallowed the next). An item whose own node starts it and ends within it was
 * read, even with an error inside (tree-sitter's local recovery keeps what matters there).
 */
function misread(nodes: Node[], items: number[], definitions: ReadonlySet<number>): number[] {
  const out: number[] = [];
  let j = 0;
  for (let k = 0; k < items.length; k += 2) {
    const start = items[k] as number;
    const end = items[k + 1] as number;
    while (j + 1 < nodes.length && (nodes[j + 1] as Node).startIndex <= start) j++;
    const n = nodes[j];
    if (!n || n.startIndex > start || n.endIndex <= start) continue;
    if (lost(n) || n.startIndex < start || (n.endIndex > end && n.hasError)) out.push(k);
    else if (n.endIndex < end && definitions.has(k >> 1) && n.type !== 'function_definition') {
      // A function definition cut into several nodes before its name (a `#if` among its
      // attributes): misread when any of them has an error. One whose own node starts it was
      // read (the rest of a body tree-sitter gave up on is its local error).
      for (let i = j; i < nodes.length && (nodes[i] as Node).startIndex < end; i++) {
        const m = nodes[i] as Node;
        if (m.type !== 'comment' && (lost(m) || m.hasError)) {
          out.push(k);
          break;
        }
      }
    }
  }
  return out;
}

interface Alone {
  reading: Reading;
  name: string | null;
  isFunction: boolean;
  /** One declaration (not a definition) that is the whole item. */
  declaration: boolean;
}

function readAlone(text: string): Alone {
  const tree = parseC(text);
  if (!tree) return { reading: 'unreadable', name: null, isFunction: false, declaration: false };
  try {
    const nodes = tree.rootNode.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const only = nodes.length === 1 ? (nodes[0] as Node) : null;
    // Only a declaration or definition that starts the item names it (the rest may be debris).
    const first = nodes[0]?.startIndex === 0 && (nodes[0].type === 'function_definition' || nodes[0].type === 'declaration') ? nodes[0] : null;
    const isFunction = first?.type === 'function_definition';
    const name = (first && declaredName(isFunction ? first.childForFieldName('declarator') : (first.childrenForFieldName('declarator')[0] ?? null))?.text) ?? null;
    const whole = !!only && !lost(only) && only.startIndex === 0 && only.endIndex === text.length;
    const declaration = whole && only?.type === 'declaration';
    if (!tree.rootNode.hasError) return { reading: 'clean', name, isFunction, declaration };
    return { reading: whole ? 'local' : 'unreadable', name, isFunction, declaration };
  } finally {
    tree.delete();
  }
}

const NOT_NAMES = new Set([
  'sizeof', 'typeof', '__typeof__', '_Static_assert', 'static_assert', '_Alignas', '_Alignof', '__builtin_offsetof', 'if', 'while', 'for',
  'switch', 'return', 'struct', 'union', 'enum', 'static', 'extern', 'const', 'volatile', 'inline', 'int', 'char', 'void', 'long', 'unsigned',
]);

/**
 * For the message when even a parse alone names nothing: the function a definition's header
 * declares (the first name before a `(`, attributes left out), or the name before `=`/`[`/`;`.
 */
function nameInText(text: string, isDefinition: boolean): string | null {
  const head = text.slice(0, text.search(/[{=]/) >>> 0).replace(/__attribute__\s*\(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\)/g, ' ');
  // A name starts a word and takes all of it: a match tried at every character of a long word
  // (a 100,000-digit literal) backtracked through the rest of the word each time, quadratic.
  const re = isDefinition ? /(?<!\w)([A-Za-z_]\w*)(?!\w)\s*\(/g : /(?<!\w)([A-Za-z_]\w*)(?!\w)\s*(?:\[|=|;|$)/g;
  for (const m of head.matchAll(re)) if (m[1] && !NOT_NAMES.has(m[1])) return m[1];
  return null;
}

/**
 * `text` with [start, end) blanked: spaces, except newlines and preprocessor lines (directiveSpans:
 * from `#` at the start of a line through escaped newlines and through the comments that start on
 * it, since a `#define` of a statement may go on over lines inside a comment).
 */
function blank(text: string, start: number, end: number): string {
  const part = text.slice(start, end);
  let out = '';
  let at = 0;
  for (const [from, to] of directiveSpans(part)) {
    out += part.slice(at, from).replace(/[^\n]/g, ' ') + part.slice(from, to);
    at = to;
  }
  out += part.slice(at).replace(/[^\n]/g, ' ');
  return text.slice(0, start) + out + text.slice(end);
}

/** An item's text with its preprocessor lines blanked (every branch kept), when it has any. */
function withoutDirectives(text: string): string | null {
  const spans = directiveSpans(text);
  if (!spans.length) return null;
  let out = '';
  let at = 0;
  for (const [from, to] of spans) {
    out += text.slice(at, from) + text.slice(from, to).replace(/[^\n]/g, ' ');
    at = to;
  }
  return out + text.slice(at);
}

/** The same header is parsed once per object that includes it: its items are found once. */
const recentItems = new Map<string, TopLevelItems>();

function itemsOf(text: string): TopLevelItems {
  let hit = recentItems.get(text);
  if (!hit) {
    hit = topLevelItems(text);
    if (recentItems.size >= 16) recentItems.delete(recentItems.keys().next().value as string);
    recentItems.set(text, hit);
  }
  return hit;
}

/**
 * Re-reads a file whose tree has errors at file scope. Returns null when there is nothing to
 * recover; otherwise a new tree (the caller still owns, and deletes, `tree`).
 */
export function recoverTopLevel(text: string, tree: Tree, items: (text: string) => TopLevelItems = itemsOf): Recovery | null {
  if (!tree.rootNode.hasError) return null;
  // Cheap first: without a lost node at file scope, or an erroneous one, nothing is misread.
  const scope = fileScope(tree.rootNode);
  if (!scope.some((n) => lost(n) || n.hasError)) return null;
  const { items: order, definitions } = items(text);
  const readings = new Map<number, Alone>();
  const unread: UnreadItem[] = [];
  const mendedStarts = new Set<number>();
  let current = tree;
  let currentText = text;
  let lines: LineIndex | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // The first round reads the tree it was given (its file-scope nodes are already listed).
    const touched = misread(round === 0 ? scope : fileScope(current.rootNode), order, definitions)
      .map((k) => ({ start: order[k] as number, end: order[k + 1] as number, claimFrom: k ? (order[k - 1] as number) : 0, index: k >> 1 }))
      .filter((t) => !unread.some((u) => u.start === t.start) && !mendedStarts.has(t.start));
    if (!touched.length) break;
    for (const t of touched) if (!readings.has(t.start)) readings.set(t.start, readAlone(text.slice(t.start, t.end)));
    // Blank what cannot be read even alone first; only if that is not the cause, what reads
    // alone with errors. An item that reads cleanly alone is never blanked.
    let chosen = touched.filter((t) => readings.get(t.start)?.reading === 'unreadable');
    if (!chosen.length) chosen = touched.filter((t) => readings.get(t.start)?.reading === 'local');
    if (!chosen.length) break;
    lines ??= new LineIndex(text);
    for (const t of chosen) {
      // A `#if` inside an item (attributes that differ by clang version before a definition):
      // with its directive lines blank the item may read as one definition; then only those go.
      const open = withoutDirectives(text.slice(t.start, t.end));
      const mended = open !== null && readAlone(open).reading !== 'unreadable';
      currentText = mended ? currentText.slice(0, t.start) + (open as string) + currentText.slice(t.end) : blank(currentText, t.start, t.end);
      const s = lines.position(t.start);
      const e = lines.position(t.end);
      const startPosition = { row: s.line, column: s.character };
      const endPosition = { row: e.line, column: e.character };
      current.edit({ startIndex: t.start, oldEndIndex: t.end, newEndIndex: t.end, startPosition, oldEndPosition: endPosition, newEndPosition: endPosition });
      if (mended) {
        mendedStarts.add(t.start);
        continue;
      }
      const alone = readings.get(t.start);
      const declaresData = !!alone?.declaration || !definitions.has(t.index);
      const name = (alone?.name && !NOT_NAMES.has(alone.name) ? alone.name : null) ?? nameInText(text.slice(t.start, t.end), definitions.has(t.index));
      unread.push({ ...t, name, isFunction: alone?.isFunction ?? definitions.has(t.index), declaresData });
    }
    const next = parseC(currentText, current);
    if (current !== tree) current.delete();
    if (!next) return null;
    current = next;
  }
  if (!unread.length && !mendedStarts.size) return null;
  unread.sort((a, b) => a.start - b.start);
  return { text: currentText, tree: current, unread };
}
