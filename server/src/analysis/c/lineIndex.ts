// Offsets to LSP positions (zero-based line, UTF-16 column) and back.
import type { Position, Range } from '../facts';

export class LineIndex {
  private readonly starts: number[];

  constructor(
    readonly text: string,
    /** The line starts, when the caller already knows them (afterEdit). */
    starts?: number[],
  ) {
    if (starts) {
      this.starts = starts;
      return;
    }
    this.starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /**
   * The index of `text`, made from `before`'s (the index of the text before an edit that replaced
   * `[start, oldEnd)` of it with `[start, newEnd)` of `text`): lines before the edit kept, the
   * edited span searched for line breaks, the lines after it moved. No scan of the rest of the text.
   */
  static afterEdit(before: LineIndex, text: string, edit: { start: number; oldEnd: number; newEnd: number }): LineIndex {
    const old = before.starts;
    const delta = edit.newEnd - edit.oldEnd;
    if (text.length !== before.text.length + delta) return new LineIndex(text);
    const starts: number[] = [];
    let k = 0;
    // Line starts at or before the edit's start stay (a break before them is before the edit).
    for (; k < old.length && (old[k] as number) <= edit.start; k++) starts.push(old[k] as number);
    for (let i = text.indexOf('\n', edit.start); i >= 0 && i < edit.newEnd; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    // Past the old span: a start after oldEnd (its break at or after oldEnd, moved).
    for (; k < old.length && (old[k] as number) <= edit.oldEnd; k++);
    for (; k < old.length; k++) starts.push((old[k] as number) + delta);
    return new LineIndex(text, starts);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - (this.starts[lo] as number) };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(p: Position): number {
    const start = this.starts[Math.max(0, Math.min(p.line, this.starts.length - 1))] ?? 0;
    return Math.min(this.text.length, start + p.character);
  }
}
