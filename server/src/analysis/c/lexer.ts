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
 * Lexes `text` on demand, one token at a time, from `from` to `to`. With `directives`, a `#` that
 * starts a line begins a directive token that runs to the end of the (continued) line.
 */
export class Lexer {
  private lineStart: boolean;

  constructor(
    private readonly text: string,
    private i: number = 0,
    private readonly to: number = text.length,
    private readonly directives = true,
  ) {
    this.lineStart = i === 0 || text[i - 1] === '\n';
  }

  /** Offset of the next token. */
  get position(): number {
    return this.i;
  }

  private tok(kind: TokenKind, start: number, end: number): Token {
    this.i = end;
    return { kind, text: this.text.slice(start, end), start };
  }

  next(): Token | undefined {
    const { text, to } = this;
    let i = this.i;
    if (i >= to) return undefined;
    const c = text.charCodeAt(i);
    const start = i;
    if (c === Ch.Nl) {
      this.lineStart = true;
      return this.tok('nl', start, i + 1);
    }
    if (c === Ch.Space || c === Ch.Tab || c === Ch.Cr || c === 11 || c === 12) {
      while (i < to) {
        const d = text.charCodeAt(i);
        if (d !== Ch.Space && d !== Ch.Tab && d !== Ch.Cr && d !== 11 && d !== 12) break;
        i++;
      }
      return this.tok('ws', start, i);
    }
    if (c === Ch.Backslash && text.charCodeAt(i + 1) === Ch.Nl) return this.tok('ws', start, i + 2);
    if (c === Ch.Backslash && text.charCodeAt(i + 1) === Ch.Cr && text.charCodeAt(i + 2) === Ch.Nl) return this.tok('ws', start, i + 3);
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      const end = text.indexOf('*/', i + 2);
      return this.tok('comment', start, end < 0 || end + 2 > to ? to : end + 2);
    }
    if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Slash) return this.tok('comment', start, lineEnd(text, i, to));
    if (c === Ch.Hash && this.lineStart && this.directives) return this.tok('directive', start, directiveEnd(text, i, to));
    this.lineStart = false;
    if (isIdStart(c)) {
      i++;
      while (i < to && isIdPart(text.charCodeAt(i))) i++;
      // String and character prefixes: L"..", u8"..", U'..'
      const q = text.charCodeAt(i);
      if ((q === Ch.Quote || q === Ch.Apos) && i - start <= 2 && /^(L|u|U|u8)$/.test(text.slice(start, i))) {
        return this.tok(q === Ch.Quote ? 'str' : 'chr', start, quotedEnd(text, i, to, q));
      }
      return this.tok('id', start, i);
    }
    if (isDigit(c) || (c === Ch.Dot && isDigit(text.charCodeAt(i + 1)))) {
      i++;
      while (i < to) {
        const d = text.charCodeAt(i);
        if (isIdPart(d) || d === Ch.Dot) i++;
        else if ((d === 43 || d === 45) && /[eEpP]/.test(text[i - 1] ?? '')) i++;
        else break;
      }
      return this.tok('num', start, i);
    }
    if (c === Ch.Quote || c === Ch.Apos) return this.tok(c === Ch.Quote ? 'str' : 'chr', start, quotedEnd(text, i, to, c));
    const n = text.charCodeAt(i + 1);
    // Most punctuation is one character; only look up the multi-character ones when they can start.
    if (n === 46 || n === 61 || n === 62 || n === 60 || n === 43 || n === 45 || n === 38 || n === 124 || n === 35) {
      if (PUNCT3.has(text.slice(i, i + 3))) return this.tok('punct', start, i + 3);
      if (PUNCT2.has(text.slice(i, i + 2))) return this.tok('punct', start, i + 2);
    }
    return this.tok('punct', start, i + 1);
  }
}

/** All tokens of `text` from `from` to `to`. */
export function lex(text: string, from = 0, to = text.length, directives = true): Token[] {
  const lexer = new Lexer(text, from, to, directives);
  const out: Token[] = [];
  for (let t = lexer.next(); t; t = lexer.next()) out.push(t);
  return out;
}

type ScanState = 'code' | 'line' | 'block' | 'str' | 'chr' | 'directive';

/**
 * Tells, for increasing offsets, whether an offset is in code (not in a comment, a string or
 * character literal, or a preprocessor directive). Scans each character once.
 */
export class CodeScanner {
  private i = 0;
  private state: ScanState = 'code';
  private lineStart = true;

  /** Scans from `start`, which must be the start of a line that begins in code. */
  constructor(
    private readonly text: string,
    start = 0,
  ) {
    this.i = start;
  }

  /**
   * The state at `offset` (not before the last one asked), with whether a line starts there, and
   * how far past `offset` the scan went (a directive's comment is skipped whole).
   */
  stateAt(offset: number): string {
    this.isCode(offset);
    return `${this.state}${this.lineStart ? '^' : ''}+${this.i - offset}`;
  }

  isCode(offset: number): boolean {
    const t = this.text;
    while (this.i < offset) {
      const c = t.charCodeAt(this.i);
      const n = t.charCodeAt(this.i + 1);
      switch (this.state) {
        case 'code':
          if (c === Ch.Slash && n === Ch.Star) { this.state = 'block'; this.i++; }
          else if (c === Ch.Slash && n === Ch.Slash) this.state = 'line';
          else if (c === Ch.Quote) this.state = 'str';
          else if (c === Ch.Apos) this.state = 'chr';
          else if (c === Ch.Hash && this.lineStart) this.state = 'directive';
          break;
        case 'line':
          if (c === Ch.Nl) this.state = 'code';
          break;
        case 'block':
          if (c === Ch.Star && n === Ch.Slash) { this.state = 'code'; this.i++; }
          break;
        case 'str':
        case 'chr':
          if (c === Ch.Backslash) this.i++;
          else if (c === (this.state === 'str' ? Ch.Quote : Ch.Apos) || c === Ch.Nl) this.state = 'code';
          break;
        case 'directive':
          if (c === Ch.Backslash && n === Ch.Nl) this.i++;
          else if (c === Ch.Slash && n === Ch.Star) {
            const end = t.indexOf('*/', this.i + 2);
            this.i = end < 0 ? t.length : end + 1;
          } else if (c === Ch.Nl) this.state = 'code';
          break;
      }
      if (c === Ch.Nl) this.lineStart = true;
      else if (c !== Ch.Space && c !== Ch.Tab && c !== Ch.Cr) this.lineStart = false;
      this.i++;
    }
    return this.state === 'code';
  }
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
