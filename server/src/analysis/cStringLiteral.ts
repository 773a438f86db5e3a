// Decodes C string literals into bytes, as a C compiler would: escapes (\xNN, \NNN octal, \0, \n,
// \t, ...), backslash-newline continuations, and adjacent literals concatenated across whitespace
// and comments. Written for the multi-megabyte literal in which bpftool embeds a BPF object in a
// skeleton: one pass over char codes into a preallocated Uint8Array, no intermediate strings.

export interface DecodedLiterals {
  bytes: Uint8Array;
  /** Offset just past the last closing quote; -1 when decoding stopped early. */
  end: number;
  /** Why decoding stopped early, or null. */
  error: { message: string; offset: number; cutShort: boolean } | null;
}

const utf8 = new TextEncoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CR = 0x0d;

const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

const SIMPLE_ESCAPES: Record<number, number> = {
  0x6e: 10, // \n
  0x74: 9, // \t
  0x72: 13, // \r
  0x61: 7, // \a
  0x62: 8, // \b
  0x66: 12, // \f
  0x76: 11, // \v
  0x65: 27, // \e (GNU)
};

/**
 * Decodes the literal that opens at `start` (a '"') and every literal adjacent to it.
 * `sizeHint` presizes the output (at most the text left); it grows if the hint is too small.
 */
export function decodeCStringLiterals(text: string, start: number, sizeHint = 0): DecodedLiterals {
  // `out` and `n` stay plain locals (no closure writes them) so that the hot loop stays fast.
  // Each byte takes at least one character of the text: a larger hint (a size the file declares)
  // is never needed, and is not trusted.
  const hint = Number.isFinite(sizeHint) ? Math.min(sizeHint, text.length - start) : 0;
  let out: Uint8Array = new Uint8Array(Math.max(64, hint));
  let n = 0;
  const fail = (message: string, offset: number, cutShort: boolean): DecodedLiterals => ({
    bytes: out.subarray(0, n),
    end: -1,
    error: { message, offset, cutShort },
  });
  const len = text.length;
  let i = start;
  if (text.charCodeAt(i) !== QUOTE) return fail('expected a string literal', i, false);
  for (;;) {
    // Inside a literal; i is at its opening quote.
    i++;
    for (;;) {
      if (i >= len) return fail('the string literal has no closing quote before the end of the file', len, true);
      const c = text.charCodeAt(i);
      let v: number;
      if (c === QUOTE) break;
      if (c === NEWLINE) return fail('the string literal has no closing quote before the end of the line', i, true);
      if (c !== BACKSLASH) {
        if (c >= 0x80) {
          // Non-ASCII source text stands for its UTF-8 bytes.
          const cp = text.codePointAt(i) ?? 0xfffd;
          for (const b of utf8.encode(String.fromCodePoint(cp))) {
            if (n === out.length) out = grow(out);
            out[n++] = b;
          }
          i += cp > 0xffff ? 2 : 1;
          continue;
        }
        v = c;
        i++;
      } else {
        if (i + 1 >= len) return fail('the string literal ends in a backslash at the end of the file', len, true);
        const e = text.charCodeAt(i + 1);
        if (e === 0x78) {
          // \x: every hex digit that follows
          let j = i + 2;
          v = 0;
          for (let d = hexDigit(text.charCodeAt(j)); d >= 0; d = hexDigit(text.charCodeAt(j))) {
            v = ((v << 4) | d) & 0xff;
            j++;
          }
          if (j === i + 2) return fail('\\x without hex digits', i, false);
          i = j;
        } else if (e >= 0x30 && e <= 0x37) {
          // \NNN: up to three octal digits
          let j = i + 1;
          v = 0;
          for (let k = 0; k < 3; k++, j++) {
            const d = text.charCodeAt(j) - 0x30;
            if (d < 0 || d > 7) break;
            v = v * 8 + d;
          }
          v &= 0xff;
          i = j;
        } else if (e === NEWLINE || (e === CR && text.charCodeAt(i + 2) === NEWLINE)) {
          i += e === NEWLINE ? 2 : 3; // continuation
          continue;
        } else if (e === 0x75 || e === 0x55) {
          return fail(`universal character names (\\${String.fromCharCode(e)}) are not supported in an embedded object`, i, false);
        } else {
          v = SIMPLE_ESCAPES[e] ?? e; // \\ \" \' \? and unknown escapes stand for the character
          i += 2;
        }
      }
      if (n === out.length) out = grow(out);
      out[n++] = v;
    }
    // i is at a closing quote: look for an adjacent literal.
    const next = skipBlank(text, i + 1);
    if (text.charCodeAt(next) !== QUOTE) return { bytes: out.subarray(0, n), end: i + 1, error: null };
    i = next;
  }
}

function hexDigit(c: number): number {
  return c < 128 ? (HEX[c] as number) : -1;
}

function grow(out: Uint8Array): Uint8Array {
  const bigger = new Uint8Array(out.length * 2);
  bigger.set(out);
  return bigger;
}

/** Skips whitespace, comments and backslash-newlines. */
function skipBlank(text: string, from: number): number {
  let i = from;
  const len = text.length;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) i++;
    else if (c === BACKSLASH && text.charCodeAt(i + 1) === NEWLINE) i += 2;
    else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? len : close + 2;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const eol = text.indexOf('\n', i + 2);
      i = eol < 0 ? len : eol + 1;
    } else break;
  }
  return i;
}
