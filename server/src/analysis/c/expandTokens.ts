// Tokens on their way through the macro expander: where each came from, which macros may not
// expand it again (the hide set), and the stream that feeds them back for rescanning.
import type { Lexer, Token, TokenKind } from './lexer';

export interface XTok {
  kind: TokenKind;
  text: string;
  /** Offset in the source, or -1 when the token was produced by a macro body. */
  src: number;
  /** Source range the token stands for: itself, or the outermost macro invocation. */
  originStart: number;
  originEnd: number;
  hide: readonly string[] | null;
}

export function fromSource(t: Token): XTok {
  return { kind: t.kind, text: t.text, src: t.start, originStart: t.start, originEnd: t.start + t.text.length, hide: null };
}

export function isBlank(t: { kind: TokenKind }): boolean {
  return t.kind === 'ws' || t.kind === 'nl' || t.kind === 'comment';
}

/** Tokens to expand: pushed-back expansion results first, then a pulled source. */
export class Stream {
  private readonly pending: XTok[] = [];
  private readonly ahead: XTok[] = [];
  constructor(private readonly pull: () => XTok | undefined) {}

  static of(tokens: readonly XTok[]): Stream {
    let i = 0;
    return new Stream(() => tokens[i++]);
  }

  static lexing(lexer: Lexer): Stream {
    return new Stream(() => {
      const t = lexer.next();
      return t ? fromSource(t) : undefined;
    });
  }

  next(): XTok | undefined {
    if (this.pending.length) return this.pending.pop();
    if (this.ahead.length) return this.ahead.shift();
    return this.pull();
  }

  pushFront(toks: XTok[]): void {
    for (let k = toks.length - 1; k >= 0; k--) this.pending.push(toks[k] as XTok);
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Source offset of the first token pulled ahead but not consumed, if any. */
  get firstAhead(): number | undefined {
    return this.ahead[0]?.src;
  }

  /** The next token that is not whitespace or a comment, without consuming anything. */
  peekSignificant(): XTok | undefined {
    for (let k = this.pending.length - 1; k >= 0; k--) {
      const t = this.pending[k] as XTok;
      if (!isBlank(t)) return t;
    }
    for (const t of this.ahead) {
      if (t.kind === 'directive') return undefined;
      if (!isBlank(t)) return t;
    }
    for (;;) {
      const t = this.pull();
      if (!t) return undefined;
      this.ahead.push(t);
      if (t.kind === 'directive') return undefined;
      if (!isBlank(t)) return t;
    }
  }
}

export interface Collected {
  args: XTok[][];
  end: XTok;
}

/** Reads `( a, b, ... )` after a function-like macro name. Returns null when unbalanced. */
export function collectArgs(stream: Stream): Collected | null {
  let open: XTok | undefined;
  while ((open = stream.next()) && isBlank(open));
  if (!open || open.text !== '(') return null;
  const args: XTok[][] = [[]];
  let depth = 0;
  for (;;) {
    const t = stream.next();
    if (!t) return null;
    // `#if` inside the arguments (legal in GCC and clang): every branch is kept.
    if (t.kind === 'directive') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      if (depth === 0 && t.text === ')') return { args, end: t };
      depth--;
    } else if (t.text === ',' && depth === 0) {
      args.push([]);
      continue;
    }
    (args[args.length - 1] as XTok[]).push(t);
  }
}

export function trim(toks: XTok[]): XTok[] {
  let a = 0;
  let b = toks.length;
  while (a < b && isBlank(toks[a] as XTok)) a++;
  while (b > a && isBlank(toks[b - 1] as XTok)) b--;
  return toks.slice(a, b);
}

export function stringify(toks: XTok[]): string {
  const text = trim(toks)
    .map((t) => (isBlank(t) ? ' ' : t.text))
    .join('')
    .replace(/\s+/g, ' ');
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function nextSignificant(body: readonly Token[], from: number): Token | undefined {
  for (let j = from; j < body.length; j++) if (!isBlank(body[j] as Token)) return body[j];
  return undefined;
}

export function needsSpace(a: XTok, b: XTok): boolean {
  const word = (k: TokenKind): boolean => k === 'id' || k === 'num';
  return word(a.kind) && word(b.kind);
}
