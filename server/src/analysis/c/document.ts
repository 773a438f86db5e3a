// One C file, parsed: source text, expanded text, syntax tree. Re-parsing after an edit reuses
// the previous tree (tree-sitter's incremental parsing) on the expanded text.
import type { Edit, Point } from 'web-tree-sitter';
import { expandSource, type Expansion } from './expand';
import { reexpandEdit } from './expandEdit';
import { carryExpansions, expandsAlike } from './tableChange';
import { LineIndex } from './lineIndex';
import { blankStretches, scanStretches, stretchesAfterEdit, type Stretch, type StretchScan } from './longStretches';
import { topLevelItems, topLevelItemsAfterEdit, type TopLevelItems } from './topLevel';
import type { MacroTable } from './macros';
import { parseC, type Tree } from './parser';
import { treeErrors, treeErrorsAfterEdit } from './parseErrors';
import { commonEnds, type SpanEdit } from '../relocate';
import { composeEdits } from './textEdit';
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

/**
 * The scans of the expanded text before an edit of it, and the edit (in its offsets): the scans
 * of the new text start from them (longStretches.ts, topLevel.ts) instead of reading it all.
 */
interface AfterEdit {
  scan: StretchScan | null;
  items: TopLevelItems | null;
  edit: SpanEdit;
}

/** What a parse of an expansion gave: the tree, the text it was parsed from, the items left out. */
interface Parse {
  tree: Tree | null;
  treeText: string;
  /** longStretches' scan of the expanded text, and recovery's top-level items of it when it asked. */
  scan?: StretchScan;
  items?: TopLevelItems;
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
function parseExpanded(text: string, old: Tree | null, after?: AfterEdit): Parse {
  const scan = after?.scan ? stretchesAfterEdit(after.scan, text, after.edit) : scanStretches(text);
  const stretches = scan.stretches;
  const input = stretches.length ? blankStretches(text, stretches) : text;
  const tree = parseC(input, stretches.length ? null : old);
  const tooLong = stretches.length ? { tooLong: stretches } : {};
  let items: TopLevelItems | undefined;
  // Recovery's top-level items, from the last ones where the text was not blanked.
  const itemsOf = (t: string): TopLevelItems => (items = t === text && after?.items ? topLevelItemsAfterEdit(after.items, t, after.edit) : topLevelItems(t));
  const recovered = tree ? recoverTopLevel(input, tree, itemsOf) : null;
  const scans = { scan, ...(items && input === text ? { items } : {}) };
  if (!recovered) return { tree, treeText: input, ...tooLong, ...scans };
  tree?.delete();
  return { tree: recovered.tree, treeText: recovered.text, unread: recovered.unread, ...tooLong, ...scans };
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

/**
 * The editor's source edit as an edit of the expanded text, when the expansion was spliced: the
 * edited lines are verbatim there (expandEdit.ts), so the span moves by where its line starts.
 * Null when the offsets do not account for the new expansion (the texts are compared then).
 */
function expandedEdit(before: string, prev: Expansion, source: string, after: string, e: SpanEdit, next: Expansion): Edit | null {
  const lineStart = e.start === 0 ? 0 : source.lastIndexOf('\n', e.start - 1) + 1;
  const outFrom = prev.map.toExpanded(lineStart);
  if (outFrom < 0) return null;
  const startIndex = outFrom + e.start - lineStart;
  const oldEndIndex = startIndex + e.oldEnd - e.start;
  const newEndIndex = startIndex + e.newEnd - e.start;
  if (next.text.length !== before.length + newEndIndex - oldEndIndex || oldEndIndex > before.length) return null;
  // The span's lines are verbatim in both expansions (no invocation on them), so it moved as a whole.
  if (before.slice(outFrom, oldEndIndex) !== source.slice(lineStart, e.oldEnd) || next.text.slice(outFrom, newEndIndex) !== after.slice(lineStart, e.newEnd)) return null;
  const startPosition = pointIn(before, startIndex);
  const lineAt = startIndex - startPosition.column;
  return {
    startIndex,
    oldEndIndex,
    newEndIndex,
    startPosition,
    oldEndPosition: pointIn(before, oldEndIndex, startIndex, startPosition.row, lineAt),
    newEndPosition: pointIn(next.text, newEndIndex, startIndex, startPosition.row, lineAt),
  };
}

export class CDocument {
  private current: ParsedC | null = null;
  /** The full expansion and the text the current tree was parsed from (for the next edit). */
  private expansion: Expansion | null = null;
  private treeText = '';
  private readonly memo = new Map<string, unknown>();
  /**
   * The editor's edits since the current text, composed into one span (noteEdit); 'unknown' when
   * the text was replaced without one, and the texts are compared instead.
   */
  private pending: SpanEdit | null | 'unknown' = null;
  /** longStretches' scan of the current expansion, and recovery's top-level items of it (when it asked for them). */
  private scan: StretchScan | null = null;
  private items: TopLevelItems | null = null;

  /** The table the current expansion was made with. */
  private expandedWith: MacroTable;

  constructor(private table: MacroTable) {
    this.expandedWith = table;
  }

  get macros(): MacroTable {
    return this.table;
  }

  get parsed(): ParsedC | null {
    return this.current;
  }

  /**
   * New macro definitions: the next update() keeps the expansion if the new table expands the
   * text alike (tableChange.ts), else expands it again, and re-parses from the tree either way
   * (the memo is keyed by the expanded text, so it stands too).
   */
  setMacros(macros: MacroTable): void {
    this.table = macros;
  }

  /**
   * The editor changed the text the next update() is given: [start, oldEnd) of the text before
   * became [start, newEnd). Null: it was replaced without a change range (the texts are compared).
   */
  noteEdit(edit: SpanEdit | null): void {
    if (!this.current) this.pending = null;
    else if (this.pending !== 'unknown') this.pending = edit ? composeEdits(this.pending, edit) : 'unknown';
  }

  update(text: string): ParsedC {
    const previous = this.current;
    const pending = this.pending;
    this.pending = null;
    // The expansion stands for the current table when it was made with it or the table expands alike.
    const alike = !!previous && !!this.expansion && (this.expandedWith === this.table || expandsAlike(previous.text, this.expansion, this.expandedWith, this.table));
    // Expanded again with another table: its invocations that use no changed name are replayed.
    if (!alike && previous && this.expandedWith !== this.table) carryExpansions(this.expandedWith, this.table);
    this.expandedWith = this.table;
    if (previous && previous.text === text && alike) return previous;
    // The editor's span, when it accounts for the new text's length.
    const sourceEdit = previous && pending && pending !== 'unknown' && text.length === previous.text.length + pending.newEnd - pending.oldEnd ? pending : undefined;
    const spliced = previous && this.expansion && alike ? reexpandEdit(previous.text, this.expansion, text, this.table) : null;
    const expansion = spliced ?? expandSource(text, this.table);
    let old: Tree | null = null;
    let edit: Edit | null = null;
    // The tree was parsed from the expanded text itself (no run or item blanked).
    const unblanked = !!this.expansion && this.treeText === this.expansion.text;
    // The previous tree's errors, worked out before the tree is edited: the new ones start from them.
    const errorsBefore = previous?.tree ? (previous.treeErrors?.() ?? treeErrors(previous.tree)) : null;
    if (previous?.tree) {
      // The tree was parsed from the text with unread items blanked: the edit is from that text
      // (the editor's span moved into the expansion, when it was spliced and nothing was blanked).
      edit = (spliced && sourceEdit && unblanked ? expandedEdit(this.treeText, this.expansion as Expansion, previous.text, text, sourceEdit, expansion) : null) ?? diffEdit(this.treeText, expansion.text);
      old = previous.tree;
      if (edit) old.edit(edit);
    }
    // The edit is one of the expanded text the scans were made of (nothing was blanked): they start from theirs.
    const after: AfterEdit | undefined = edit && unblanked ? { scan: this.scan, items: this.items, edit: { start: edit.startIndex, oldEnd: edit.oldEndIndex, newEnd: edit.newEndIndex } } : undefined;
    const parse = parseExpanded(expansion.text, old, after);
    this.scan = parse.scan ?? null;
    this.items = parse.items ?? null;
    const tree = parse.tree;
    if (tree) {
      // Re-parsed from the edited tree, with nothing blanked: only what changed is walked again.
      const changed = old && errorsBefore && !parse.unread && !parse.tooLong && tree.rootNode.hasError ? tree.getChangedRanges(old) : null;
      parse.errors = once(() => (changed && errorsBefore ? treeErrorsAfterEdit(tree, changed, errorsBefore, edit) : treeErrors(tree)));
    }
    if (previous?.tree && previous.tree !== parse.tree) previous.tree.delete();
    this.expansion = expansion;
    this.treeText = parse.treeText;
    const lines = previous && sourceEdit ? LineIndex.afterEdit(previous.lines, text, sourceEdit) : new LineIndex(text);
    this.current = readersView(text, lines, expansion, parse, this.memo);
    return this.current;
  }

  dispose(): void {
    this.pending = null;
    this.scan = null;
    this.items = null;
    this.current?.tree?.delete();
    this.current = null;
    this.expansion = null;
    this.treeText = '';
  }

  /**
   * Frees the syntax tree of a file nobody is editing, and the memo of read declarations (keyed by
   * their whole text, about the file's expanded size again: 3 MB for sched-ext/scx, kept to the end
   * of a cold check for nothing): the next update parses and reads from scratch, which is what a
   * file changed on disk needs anyway.
   */
  releaseTree(): void {
    this.memo.clear();
    this.dispose();
  }
}

/** Parses once, for callers that do not keep the document. The caller must delete the tree. */
export function parseOnce(text: string, macros: MacroTable): ParsedC {
  const expansion = expandSource(text, macros);
  return readersView(text, new LineIndex(text), expansion, parseExpanded(expansion.text, null));
}
