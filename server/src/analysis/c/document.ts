// One C file, parsed: source text, expanded text, syntax tree. Re-parsing after an edit reuses
// the previous tree (tree-sitter's incremental parsing) on the expanded text.
import type { Edit, Point } from 'web-tree-sitter';
import { expandSource, type Expansion } from './expand';
import { reexpandEdit } from './expandEdit';
import { LineIndex } from './lineIndex';
import type { MacroTable } from './macros';
import { parseC, type Tree } from './parser';

export interface ParsedC {
  text: string;
  lines: LineIndex;
  expansion: Expansion;
  /** Null when the parse ran out of its budget. */
  tree: Tree | null;
  /** Per-document memo that readers may keep across re-parses (keyed by the text they cover). */
  memo?: Map<string, unknown>;
}

function point(lines: LineIndex, offset: number): Point {
  const p = lines.position(offset);
  return { row: p.line, column: p.character };
}

/** The edit that turns `before` into `after`, found by their common prefix and suffix. */
export function diffEdit(before: string, after: string): Edit | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  )
    suffix++;
  const oldLines = new LineIndex(before);
  const newLines = new LineIndex(after);
  return {
    startIndex: prefix,
    oldEndIndex: before.length - suffix,
    newEndIndex: after.length - suffix,
    startPosition: point(oldLines, prefix),
    oldEndPosition: point(oldLines, before.length - suffix),
    newEndPosition: point(newLines, after.length - suffix),
  };
}

export class CDocument {
  private current: ParsedC | null = null;
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
    const expansion = (previous && reexpandEdit(previous.text, previous.expansion, text, this.table)) ?? expandSource(text, this.table);
    let old: Tree | null = null;
    if (previous?.tree) {
      const edit = diffEdit(previous.expansion.text, expansion.text);
      if (edit) {
        old = previous.tree;
        old.edit(edit);
      } else if (previous.text === text) {
        return previous;
      } else {
        old = previous.tree;
      }
    }
    const tree = parseC(expansion.text, old);
    if (previous?.tree && previous.tree !== tree) previous.tree.delete();
    this.current = { text, lines: new LineIndex(text), expansion, tree, memo: this.memo };
    return this.current;
  }

  dispose(): void {
    this.current?.tree?.delete();
    this.current = null;
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
  return { text, lines: new LineIndex(text), expansion, tree: parseC(expansion.text) };
}
