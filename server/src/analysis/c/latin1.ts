// Expanded text kept one byte per character while a file is edited. V8 keeps a string whose
// characters are all Latin-1 one byte each, and any other two; a string over 128 KiB lives in its
// large-object space, where making one (each keystroke's spliced expansion, flattened for the
// parser) costs about ten times more than making a one-byte string of the same length (measured:
// 1.45 ms against 0.14 ms for scx_layered's 130,000-character expansion). A few characters outside
// Latin-1 in comments (an em dash, an arrow) make the whole text two bytes a character. Inside a
// comment a character is nothing but part of the comment, so the expansion an edited document
// parses has them replaced by a Latin-1 one: same length, same offsets, same tree and facts.
import { CodeScanner } from './lexer';

/** What a character outside Latin-1 in a comment becomes: not `*`, `/`, `\`, a newline or a space, so no comment ends or changes shape. */
export const COMMENT_STAND_IN = 0xb7;

const BEYOND_LATIN1 = /[^\x00-\xff]/g;

/** `text[from, to)` has only Latin-1 characters. */
export function isLatin1(text: string, from = 0, to = text.length): boolean {
  BEYOND_LATIN1.lastIndex = from;
  const m = BEYOND_LATIN1.exec(text);
  return m === null || m.index >= to;
}

/** A fresh copy of `text[from, to)` made from its character codes (all Latin-1): a one-byte string, not a slice of a two-byte one. */
export function latin1Copy(text: string, from: number, to: number, standIn?: ReadonlySet<number>): string {
  const CHUNK = 8192;
  const codes = new Uint16Array(Math.min(CHUNK, to - from));
  let out = '';
  for (let at = from; at < to; at += CHUNK) {
    const n = Math.min(CHUNK, to - at);
    for (let k = 0; k < n; k++) codes[k] = standIn?.has(at + k) ? COMMENT_STAND_IN : text.charCodeAt(at + k);
    out += String.fromCharCode.apply(null, n === codes.length ? (codes as unknown as number[]) : (codes.subarray(0, n) as unknown as number[]));
  }
  return out;
}

/**
 * `text` with every character outside Latin-1 in a comment replaced by COMMENT_STAND_IN, as a
 * one-byte string; null when there is none (the text is what it is) or when one stands outside a
 * comment (in a literal or a directive: it must stay).
 */
export function commentsInLatin1(text: string): string | null {
  const offsets = new Set<number>();
  const scan = new CodeScanner(text);
  BEYOND_LATIN1.lastIndex = 0;
  for (let m = BEYOND_LATIN1.exec(text); m !== null; m = BEYOND_LATIN1.exec(text)) {
    const state = scan.stateAt(m.index);
    if (!state.startsWith('block') && !state.startsWith('line')) return null;
    offsets.add(m.index);
  }
  return offsets.size ? latin1Copy(text, 0, text.length, offsets) : null;
}

/**
 * `expanded` (text an edited document's expansion copied verbatim, with stand-ins) reads as
 * `source`: the same characters, or a stand-in where the source has one outside Latin-1.
 */
export function sameVerbatim(expanded: string, source: string): boolean {
  if (expanded === source) return true;
  if (expanded.length !== source.length) return false;
  for (let i = 0; i < expanded.length; i++) {
    const e = expanded.charCodeAt(i);
    const s = source.charCodeAt(i);
    if (e !== s && !(e === COMMENT_STAND_IN && s > 0xff)) return false;
  }
  return true;
}
