// Small text helpers for code actions: offsets <-> positions (UTF-16, as LSP and the analysis
// count), and finding where a C statement ends so an inserted line lands between statements.
import type { Position, Range } from '../analysis/facts';
import { LineIndex } from '../analysis/c/lineIndex';

/** The line index of the last text asked about: features ask many positions of one text in turn. */
let lastIndex: LineIndex | null = null;

function lineIndex(text: string): LineIndex {
  if (lastIndex?.text !== text) lastIndex = new LineIndex(text);
  return lastIndex;
}

/** The analysis's one converter (c/lineIndex.ts); a line past the last is the end of the text. */
export function offsetAt(text: string, p: Position): number {
  const index = lineIndex(text);
  return p.line >= index.lineCount ? text.length : index.offset(p);
}

export function positionAt(text: string, offset: number): Position {
  return lineIndex(text).position(offset);
}

export function slice(text: string, r: Range): string {
  return text.slice(offsetAt(text, r.start), offsetAt(text, r.end));
}

export function lineStartOffset(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function indentAt(text: string, offset: number): string {
  const start = lineStartOffset(text, offset);
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** Skips whitespace and comments from `i`. */
export function skipBlank(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (text.startsWith('//', i)) i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i) < 0 ? text.length : text.indexOf('*/', i) + 2;
    else return i;
  }
}

/** Index just past the bracket that closes the one at `i` (strings and comments skipped). */
export function closing(text: string, i: number): number {
  const open = text[i] as string;
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const ch = text[j] as string;
    if (ch === '"' || ch === "'") {
      for (j++; j < text.length && text[j] !== ch; j++) if (text[j] === '\\') j++;
    } else if (text.startsWith('//', j) || text.startsWith('/*', j)) j = skipBlank(text, j) - 1;
    else if (ch === open) depth++;
    else if (ch === close && --depth === 0) return j + 1;
  }
  return text.length;
}

/** End of the C statement starting at `i`: `...;`, a `{...}` block, or `if (...) stmt [else stmt]`. */
export function statementEnd(text: string, i: number): number {
  i = skipBlank(text, i);
  if (text[i] === '{') return closing(text, i);
  if (/^(if|while|for)\b/.test(text.slice(i, i + 6))) {
    const paren = text.indexOf('(', i);
    if (paren < 0) return text.length;
    let end = statementEnd(text, closing(text, paren));
    const next = skipBlank(text, end);
    if (/^else\b/.test(text.slice(next, next + 5))) end = statementEnd(text, next + 4);
    return end;
  }
  for (let j = i; j < text.length; j++) {
    const ch = text[j] as string;
    if (ch === '(' || ch === '{') j = closing(text, j) - 1;
    else if (ch === '"' || ch === "'") {
      for (j++; j < text.length && text[j] !== ch; j++) if (text[j] === '\\') j++;
    } else if (ch === ';') return j + 1;
  }
  return text.length;
}

/** `s` matched literally inside a RegExp (names read from objects may hold `.` and the like). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Offset of the start of the line after `offset`'s line (or the end of the text). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** The statement containing `offset` starts at its line start (true for the usual one-statement lines). */
export function previousCodeLine(text: string, offset: number): string {
  const lines = text.slice(0, lineStartOffset(text, offset)).split('\n');
  for (let k = lines.length - 1; k >= 0; k--) if ((lines[k] as string).trim()) return (lines[k] as string).trim();
  return '';
}
