// Re-expansion after an edit, without expanding the file again: when the lines an edit touches
// were copied verbatim (no macro invocation in or around them, before or after the edit) and the
// edit leaves the lexical state after them as it was (no comment or string left open), the new
// expansion is the old one with the same lines replaced and everything after them moved.
// Anything else returns null and the caller expands the whole file; both give the same result.
import { CodeScanner } from './lexer';
import type { Expansion } from './expand';
import { fitsEveryItem } from './expansionBudget';
import type { MacroTable } from './macros';
import { spanEdit } from '../relocate';
import { TopLevelScanner } from './topLevel';

/**
 * The lines `[start, end)` changed between `before` and `after` (end in `before`, at the newline
 * that ends the last of them, or the text's end), or null if none. Whole lines inserted or removed
 * (an empty line opened, a line deleted) change no line around them: the span then starts at the
 * newline before them, so that a macro invocation on a neighbouring line does not stop the splice.
 */
function changedLines(before: string, after: string): { start: number; oldEnd: number; newEnd: number } | null {
  const span = spanEdit(before, after);
  if (!span) return null;
  const pure = span.oldEnd === span.start || span.newEnd === span.start;
  if (pure && wholeLines(span.oldEnd > span.start ? before : after, span.start, Math.max(span.oldEnd, span.newEnd))) return { start: span.start - 1, oldEnd: span.oldEnd - 1, newEnd: span.newEnd - 1 };
  const start = span.start === 0 ? 0 : before.lastIndexOf('\n', span.start - 1) + 1;
  const nl = before.indexOf('\n', span.oldEnd);
  const oldEnd = nl < 0 ? before.length : nl;
  return { start, oldEnd, newEnd: oldEnd + after.length - before.length };
}

/** `[from, to)` of `text` is whole lines inserted or removed after a line's newline (spanEdit puts such a run at a line start). */
function wholeLines(text: string, from: number, to: number): boolean {
  return from > 0 && to > from && text.charCodeAt(from - 1) === NEWLINE && text.charCodeAt(to - 1) === NEWLINE;
}

const NEWLINE = 10;

/**
 * Whether `pattern` matches in `[from, to)` of `text` where the expander takes invocations: in
 * code, as the expander's scanner sees it from `from` (the start of a line that begins in code).
 * A name in a comment, a literal or a directive (a `#define` being typed) is copied as written.
 */
function mentionsInCode(pattern: RegExp, text: string, from: number, to: number): boolean {
  let scan: TopLevelScanner | null = null;
  pattern.lastIndex = from;
  for (let m = pattern.exec(text); m !== null && m.index < to; m = pattern.exec(text)) {
    scan ??= new TopLevelScanner(text, from);
    if (scan.advance(m.index)) return true;
  }
  return false;
}

/**
 * Offsets of the source text an expansion was made from (keyed by its source map, which a splice
 * replaces) where a line starts in code, about every MARK_SPACING characters: the lexical state
 * before an edit is scanned from the last of them, not from the file's start. An edit leaves those
 * before it; those after it move with the text when the state after the edit is as before.
 */
const CODE_LINE_STARTS = new WeakMap<object, number[]>();
const MARK_SPACING = 4096;

function codeLineStarts(map: object, text: string): number[] {
  let marks = CODE_LINE_STARTS.get(map);
  if (marks) return marks;
  marks = [];
  const scan = new CodeScanner(text);
  for (let at = text.indexOf('\n', MARK_SPACING) + 1; at > 0; at = text.indexOf('\n', at + MARK_SPACING) + 1) {
    if (scan.stateAt(at) === 'code^+0') marks.push(at);
  }
  CODE_LINE_STARTS.set(map, marks);
  return marks;
}

/** The last mark at or before `offset` (0: the file's start). */
function markBefore(marks: readonly number[], offset: number): number {
  let lo = 0;
  let hi = marks.length - 1;
  let best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = marks[mid] as number;
    if (m <= offset) {
      best = m;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

export function reexpandEdit(before: string, prev: Expansion, after: string, table: MacroTable): Expansion | null {
  if (prev.truncated || prev.overBudget || prev.map.isIdentity || !prev.invocations || !prev.costs || prev.spent === undefined) return null;
  const lines = changedLines(before, after);
  if (!lines) return prev;
  const { start, oldEnd, newEnd } = lines;
  // The table's `#undef`s and redefinitions stand at offsets of the text it was made for: an edit
  // before the last of them moves them, and the file is expanded again (with a new table).
  if (start <= table.lastChange) return null;
  const d = after.length - before.length;

  // No invocation may touch the lines, nor start in them before or after the edit.
  const inv = prev.invocations;
  for (let k = 0; k < inv.length; k += 2) {
    if ((inv[k + 1] as number) >= start && (inv[k] as number) <= oldEnd) return null;
  }
  // The lines start in code (or the span at the newline before whole lines, in code), and the text after them is scanned as before.
  const marks = codeLineStarts(prev.map, before);
  const scan = new CodeScanner(after, markBefore(marks, start));
  const state = scan.stateAt(start);
  if (state !== 'code^+0' && !(state === 'code+0' && before.charCodeAt(start) === NEWLINE)) return null;
  const pattern = table.invocationPattern();
  if (mentionsInCode(pattern, before, start, oldEnd) || mentionsInCode(pattern, after, start, newEnd)) return null;
  // A name leading to SEC on the old lines (in a directive) may be the only one that made the file
  // worth expanding: without any, it is not expanded at all (identity, c/expand.ts).
  if (table.mentionsSectionIn(before, start, oldEnd) && !table.mentionsOutsideText(after)) return null;
  if (newEnd < after.length && scan.stateAt(newEnd + 1) !== new CodeScanner(before, start).stateAt(oldEnd + 1)) return null;

  // The old lines must be where the map says, verbatim.
  const outFrom = prev.map.toExpanded(start);
  const oldLength = oldEnd - start;
  if (outFrom < 0 || prev.text.slice(outFrom, outFrom + oldLength) !== before.slice(start, oldEnd)) return null;
  const map = prev.map.afterVerbatimEdit(outFrom, start, oldLength, newEnd - start);
  if (!map) return null;

  const moved = (x: number): number => (x >= oldEnd ? x + d : x);
  const invocations = inv.map(moved);
  // Budgets are per top-level item, and an edit may split or join items (a `}` typed or deleted):
  // when no way of cutting the file into items runs out, none of the new ones does either.
  if (!fitsEveryItem(invocations, prev.costs, after)) return null;
  const outEnd = outFrom + oldLength;
  // The scanner's state after the lines is as before (checked above): the marks past them move with the text.
  CODE_LINE_STARTS.set(map, [...marks.filter((m) => m <= start), ...marks.filter((m) => m > oldEnd).map((m) => m + d)]);
  return {
    text: prev.text.slice(0, outFrom) + after.slice(start, newEnd) + prev.text.slice(outEnd),
    map,
    sections: prev.sections.map((m) =>
      m.offset < outEnd ? m : { ...m, offset: m.offset + d, sourceStart: moved(m.sourceStart), sourceEnd: moved(m.sourceEnd) },
    ),
    truncated: false,
    invocations,
    spent: prev.spent,
    costs: prev.costs,
    ...(prev.lookups ? { lookups: prev.lookups } : {}),
  };
}
