// One C file, parsed: source text, expanded text, syntax tree. Re-parsing after an edit reuses
// the previous tree (tree-sitter's incremental parsing) on the expanded text.
import type { Edit, Point } from 'web-tree-sitter';
import { expandSource, type Expansion } from './expand';
import { reexpandEdit } from './expandEdit';
import { LineIndex } from './lineIndex';
import { blankStretches, longStretches, type Stretch } from './longStretches';
import type { MacroTable } from './macros';
import { parseC, type Tree } from './parser';
import { treeErrors, treeErrorsAfterEdit } from './parseErrors';
import { commonEnds } from '../relocate';
import { recoverTopLevel, type UnreadItem } from './recovery';
import { classifyMapSection } from '../sections';

export interface ParsedC {
  text: string;
  lines: LineIndex;
  /** The expansion as the readers see it: without the section markers of unread items. */
  expansion: Expansion;
  /** Null when the parse ran out of its budget. */
  tree: Tree | null;
  /** Top-level items the parser could not read, even alone; blanked in the tree (recovery.ts). */
  unread?: UnreadItem[];
  /** Runs of the expansion the parser could not resynchronise in, blanked (longStretches.ts). */
  tooLong?: Stretch[];
  /** Per-document memo that readers may keep across re-parses (keyed by the text they cover). */
  memo?: Map<string, unknown>;
  /** treeErrors() of `tree`, worked out once (from the previous tree's after an incremental re-parse). */
  treeErrors?: () => number[];
}

/** What a parse of an expansion gave: the tree, the text it was parsed from, the items left out. */
interface Parse {
  tree: Tree | null;
  treeText: string;
  unread?: UnreadItem[];
  tooLong?: Stretch[];
  /** Its tree's ERROR and MISSING nodes (parseErrors.ts), asked once. */
  errors?: () => number[];
}

/** `compute`, run once on the first call. */
function once<T>(compute: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: compute() }).v;
}

/**
 * Parses expanded text, reusing `old` (already edited), and recovers at file scope. Runs the
 * parser cannot resynchronise in (longStretches.ts) are blanked first and parsed from scratch
 * (`old` was edited against the text as it is).
 */
function parseExpanded(text: string, old: Tree | null): Parse {
  const stretches = longStretches(text);
  const input = stretches.length ? blankStretches(text, stretches) : text;
  const tree = parseC(input, stretches.length ? null : old);
  const tooLong = stretches.length ? { tooLong: stretches } : {};
  const recovered = tree ? recoverTopLevel(input, tree) : null;
  if (!recovered) return { tree, treeText: input, ...tooLong };
  tree?.delete();
  return { tree: recovered.tree, treeText: recovered.text, unread: recovered.unread, ...tooLong };
}

/** The readers' view: a section marker in an unread item marks nothing that was read. */
function readersView(text: string, lines: LineIndex, expansion: Expansion, parse: Parse, memo?: Map<string, unknown>): ParsedC {
  const unread = parse.unread;
  const tooLong = parse.tooLong ? { tooLong: parse.tooLong } : {};
  const errors = parse.errors ? { treeErrors: parse.errors } : {};
  if (!unread) return { text, lines, expansion, tree: parse.tree, ...tooLong, ...(memo ? { memo } : {}), ...errors };
  const owner = (offset: number): UnreadItem | undefined => unread.find((u) => offset >= u.claimFrom && offset < u.end);
  const sections = expansion.sections.filter((m) => {
    const u = owner(m.offset);
    // A section that makes a program (on a definition) or a map; `.data.*`, `.bss.*`, `license`
    // on a declaration are data.
    if (u && (!u.declaresData || m.section === null || m.section === '.maps' || classifyMapSection(m.section))) u.sectioned = true;
    return !u;
  });
  return { text, lines, expansion: { ...expansion, sections }, tree: parse.tree, unread, ...tooLong, ...(memo ? { memo } : {}), ...errors };
}

/** Lines before `offset` in `text`, and where the last of them ends. */
function pointIn(text: string, offset: number, from = 0, row = 0, lineStart = 0): Point {
  for (let i = text.indexOf('\n', from); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** The edit that turns `before` into `after`, found by their common prefix and suffix. */
export function diffEdit(before: string, after: string): Edit | null {
  if (before === after) return null;
  const { prefix, suffix } = commonEnds(before, after);
  const startPosition = pointIn(before, prefix);
  const lineStart = prefix - startPosition.column;
  const oldEndPosition = pointIn(before, before.length - suffix, prefix, startPosition.row, lineStart);
  const newEndPosition = pointIn(after, after.length - suffix, prefix, startPosition.row, lineStart);
  return { startIndex: prefix, oldEndIndex: before.length - suffix, newEndIndex: after.length - suffix, startPosition, oldEndPosition, newEndPosition };
}

export class CDocument {
  private current: ParsedC | null = null;
  /** The full expansion and the text the current tree was parsed from (for the next edit). */
  private expansion: Expansion | null = null;
  private treeText = '';
  private readonly memo = new Map<string, unknown>();

  constructor(private table: MacroTable) {}

  get macros(): MacroTable {
    return this.table;
  }

  get parsed(): ParsedC | null {
    return this.current;
  }

  /** New macro definitions invalidate the expansion; the next update parses from scratch. */
  setMacros(macros: MacroTable): void {
    this.table = macros;
    this.memo.clear();
    this.dispose();
  }

  update(text: string): ParsedC {
    const previous = this.current;
    if (previous && previous.text === text) return previous;
    const expansion = (previous && this.expansion && reexpandEdit(previous.text, this.expansion, text, this.table)) ?? expandSource(text, this.table);
    let old: Tree | null = null;
    let edit: Edit | null = null;
    // The previous tree's errors, worked out before the tree is edited: the new ones start from them.
    const errorsBefore = previous?.tree ? (previous.treeErrors?.() ?? treeErrors(previous.tree)) : null;
    if (previous?.tree) {
      // The tree was parsed from the text with unread items blanked: the edit is from that text.
      edit = diffEdit(this.treeText, expansion.text);
      old = previous.tree;
      if (edit) old.edit(edit);
    }
    const parse = parseExpanded(expansion.text, old);
    const tree = parse.tree;
    if (tree) {
      // Re-parsed from the edited tree, with nothing blanked: only what changed is walked again.
      const changed = old && errorsBefore && !parse.unread && !parse.tooLong && tree.rootNode.hasError ? tree.getChangedRanges(old) : null;
      parse.errors = once(() => (changed && errorsBefore ? treeErrorsAfterEdit(tree, changed, errorsBefore, edit) : treeErrors(tree)));
    }
    if (previous?.tree && previous.tree !== parse.tree) previous.tree.delete();
    this.expansion = expansion;
    this.treeText = parse.treeText;
    this.current = readersView(text, new LineIndex(text), expansion, parse, this.memo);
    return this.current;
  }

  dispose(): void {
    this.current?.tree?.delete();
    this.current = null;
    this.expansion = null;
    this.treeText = '';
  }

  /**
   * Frees the syntax tree of a file nobody is editing (the memo of read declarations stays): the
   * next update parses from scratch, which is what a file changed on disk needs anyway.
   */
  releaseTree(): void {
    this.dispose();
  }
}

/** Parses once, for callers that do not keep the document. The caller must delete the tree. */
export function parseOnce(text: string, macros: MacroTable): ParsedC {
  const expansion = expandSource(text, macros);
  return readersView(text, new LineIndex(text), expansion, parseExpanded(expansion.text, null));
}
