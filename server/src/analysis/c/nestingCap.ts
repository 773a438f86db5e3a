// Conditionals nested past any real file's depth. C requires 63 levels of `#if` nesting and
// real BPF code uses a handful, but a fuzzed file nests 20,000 deep: every reader that follows the
// conditionals (recovery, the BPF source reader, conditions, directives) then costs seconds, or
// overflows the call stack (issue 12). Past MAX_NESTING the conditional lines themselves (`#if`,
// `#ifdef`, `#ifndef`, `#elif`, `#else`, `#endif` of those levels) are blanked, offsets and lines
// kept, so what they enclose is read as if unconditional; a parse-limit note says so.
// Linear: one pass of scanParts.
import { scanParts } from './commentScan';

export const MAX_NESTING = 256;

export interface NestingCut {
  /** The text with the conditional lines past MAX_NESTING blanked (the same text when none). */
  text: string;
  /** The offset of the first blanked line; -1 when nothing was blanked. */
  firstAt: number;
  blanked: number;
}

const KEYWORD = /^[ \t]*#[ \t]*([a-z]+)/;

/** Blanks the conditional directive lines of `text` nested deeper than `max`. */
export function capNesting(text: string, max = MAX_NESTING): NestingCut {
  // A cheap test first: fewer `#` than the cap cannot nest past it.
  let hashes = 0;
  for (let i = text.indexOf('#'); i >= 0 && hashes <= max; i = text.indexOf('#', i + 1)) hashes++;
  if (hashes <= max) return { text, firstAt: -1, blanked: 0 };
  const cut: [number, number][] = [];
  /** Per open conditional: whether its lines are blanked. */
  const open: boolean[] = [];
  let lineStart = -1;
  let keyword = '';
  const directiveEnded = (end: number): void => {
    if (lineStart < 0) return;
    let blank = false;
    if (keyword === 'if' || keyword === 'ifdef' || keyword === 'ifndef') {
      blank = open.length >= max;
      open.push(blank);
    } else if (keyword === 'elif' || keyword === 'elifdef' || keyword === 'elifndef' || keyword === 'else') blank = open[open.length - 1] ?? false;
    else if (keyword === 'endif') blank = open.pop() ?? false;
    if (blank) cut.push([lineStart, end]);
    lineStart = -1;
  };
  let inDirective = false;
  scanParts(text, (part, from, _to, directive) => {
    if (inDirective && !directive) directiveEnded(from);
    if (directive && !inDirective && part === 'code') {
      lineStart = from;
      keyword = KEYWORD.exec(text.slice(from, from + 64))?.[1] ?? '';
    }
    inDirective = directive;
  });
  if (inDirective) directiveEnded(text.length);
  if (!cut.length) return { text, firstAt: -1, blanked: 0 };
  let out = '';
  let at = 0;
  for (const [s, e] of cut) {
    out += text.slice(at, s) + text.slice(s, e).replace(/[^\n]/g, ' ');
    at = e;
  }
  return { text: out + text.slice(at), firstAt: (cut[0] as [number, number])[0], blanked: cut.length };
}
