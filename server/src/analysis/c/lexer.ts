// A small C lexer for the macro expander: enough to find identifiers, literals, punctuation,
// comments and preprocessor lines with their offsets. It never throws; unknown bytes become
// one-character punctuation tokens.

export type TokenKind = 'id' | 'num' | 'str' | 'chr' | 'punct' | 'ws' | 'nl' | 'comment' | 'directive';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset of the token in the source it was lexed from. */
  start: number;
}

const enum Ch {
  Tab = 9,
  Nl = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Hash = 35,
  Apos = 39,
  Star = 42,
  Dot = 46,
  Slash = 47,
  Backslash = 92,
}

function isIdStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
}

function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const PUNCT3 = new Set(['...', '<<=', '>>=']);
const PUNCT2 = new Set([
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=',
  '|=', '##',
]);

/**
 * Lexes `text` from `from` to `to`. With `directives`, a `#` that starts a line begins a
 * directive token that runs to the end of the (continued) line.
 */
export function lex(text: string, from = 0, to = text.length, directives = true): Token[] {
  const out: Token[] = [];
  let i = from;
  let lineStart = true;
  while (i < to) {
    const c = text.charCodeAt(i);
    const start = i;
    if (c === Ch.Nl) {
      out.push({ kind: 'nl', text: '\n', start });
      i++;
      lineStart = true;
      continue;
    }
    if (c === Ch.Space || c === Ch.Tab || c === Ch.Cr || c === 11 || c === 12) {
      while (i < to) {
        const d = text.charCodeAt(i);
        if (d !== Ch.Space && d !== Ch.Tab && d !== Ch.Cr && d !== 11 && d !== 12) break;
        i++;
      }
      out.push({ kind: 'ws', text: text.slice(start, i), start });
      continue;
    }
    if (c === Ch.Backslash && text.charCodeAt(i + 1) === Ch.Nl) {
      out.push({ kind: 'ws', text: text.slice(i, i + 2), start });
      i += 2;
      continue;
    }
    if (c === Ch.Backslash && text.charCodeAt(i + 1) === Ch.Cr && text.charCodeAt(i + 2) === Ch.Nl) {
      out.push({ kind: 'ws', text: text.slice(i, i + 3), start });
      i += 3;
      continue;
    }
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 || end + 2 > to ? to : end + 2;
      out.push({ kind: 'comment', text: text.slice(start, i), start });
      continue;
    }
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Slash) {
      i = lineEnd(text, i, to);
      out.push({ kind: 'comment', text: text.slice(start, i), start });
      continue;
    }
    if (c === Ch.Hash && lineStart && directives) {
      i = directiveEnd(text, i, to);
      out.push({ kind: 'directive', text: text.slice(start, i), start });
      continue;
    }
    lineStart = false;
    if (isIdStart(c)) {
      i++;
      while (i < to && isIdPart(text.charCodeAt(i))) i++;
      // String and character prefixes: L"..", u8"..", U'..'
      const q = text.charCodeAt(i);
      if ((q === Ch.Quote || q === Ch.Apos) && /^(L|u|U|u8)$/.test(text.slice(start, i))) {
        i = quotedEnd(text, i, to, q);
        out.push({ kind: q === Ch.Quote ? 'str' : 'chr', text: text.slice(start, i), start });
        continue;
      }
      out.push({ kind: 'id', text: text.slice(start, i), start });
      continue;
    }
    if (isDigit(c) || (c === Ch.Dot && isDigit(text.charCodeAt(i + 1)))) {
      i++;
      while (i < to) {
        const d = text.charCodeAt(i);
        if (isIdPart(d) || d === Ch.Dot) i++;
        else if ((d === 43 || d === 45) && /[eEpP]/.test(text[i - 1] ?? '')) i++;
        else break;
      }
      out.push({ kind: 'num', text: text.slice(start, i), start });
      continue;
    }
    if (c === Ch.Quote || c === Ch.Apos) {
      i = quotedEnd(text, i, to, c);
      out.push({ kind: c === Ch.Quote ? 'str' : 'chr', text: text.slice(start, i), start });
      continue;
    }
    const three = text.slice(i, i + 3);
    if (PUNCT3.has(three)) {
      out.push({ kind: 'punct', text: three, start });
      i += 3;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      out.push({ kind: 'punct', text: two, start });
      i += 2;
      continue;
    }
    out.push({ kind: 'punct', text: text[i] ?? '', start });
    i++;
  }
  return out;
}

function lineEnd(text: string, i: number, to: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 || nl > to ? to : nl;
}

/** A directive ends at the first newline not preceded by a backslash, outside block comments. */
function directiveEnd(text: string, i: number, to: number): number {
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === Ch.Nl) return i;
    if (c === Ch.Backslash && text.charCodeAt(i + 1) === Ch.Nl) {
      i += 2;
      continue;
    }
    if (c === Ch.Backslash && text.charCodeAt(i + 1) === Ch.Cr && text.charCodeAt(i + 2) === Ch.Nl) {
      i += 3;
      continue;
    }
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? to : end + 2;
      continue;
    }
    i++;
  }
  return to;
}

/** End of a string or character literal; an unterminated one ends at the line end. */
function quotedEnd(text: string, i: number, to: number, quote: number): number {
  i++;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === Ch.Backslash) {
      i += 2;
      continue;
    }
    if (c === quote) return i + 1;
    if (c === Ch.Nl) return i;
    i++;
  }
  return to;
}

/** Value of a C string literal token (escapes decoded), or null when it is not one. */
export function stringValue(tok: string): string | null {
  const m = /^(?:L|u8|u|U)?"([\s\S]*)"$/.exec(tok);
  if (!m || m[1] === undefined) return null;
  return m[1].replace(/\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)/g, (_all, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16) & 0xff);
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', '"': '"', "'": "'" };
    return simple[e] ?? e;
  });
}
