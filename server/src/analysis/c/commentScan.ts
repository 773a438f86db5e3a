// C text told apart in one pass: code, comments, string and character literals, and preprocessor
// directive lines. The readers that want code without some of these (a file's kind, the
// identifiers an includer's macros reach, macro bodies, directives, a loader's reading gaps,
// recovery's blanking) share it instead of each running a `\/\*[\s\S]*?\*\/` regular expression,
// which from every `/*` with no `*/` after it searched to the end of the text: 30,000 of them took
// seconds each (issue 12). Every character is looked at once.
//
// As the rest of the C front end reads them: a block comment ends at the first `*/` (at the end of
// the text when there is none); a line comment at the end of its line; a literal at its closing
// quote, a backslash escaping the next character, or at the end of its line when unterminated. A
// directive is a line whose first character, past blanks and comments, is `#`; it goes on over
// escaped newlines and over block comments that end, and stops before one that does not.

export type CPart = 'code' | 'comment' | 'literal';

/**
 * Called for consecutive runs of one part, in order, covering the text; `directive`: in a directive
 * line. Returning true stops the scan there.
 */
export type PartVisitor = (part: CPart, start: number, end: number, directive: boolean) => boolean | void;

const NL = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const APOS = 39;
const STAR = 42;
const SLASH = 47;
const BACKSLASH = 92;

const SPECIAL = /[/\\\n"'#]/g;

/** The end of the literal whose opening quote is at `i`: past its closing quote, or its line's end. */
function literalEnd(text: string, i: number, quote: number): number {
  const n = text.length;
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      // An escaped character, or an escaped newline (CRLF too): the literal goes on.
      if (text.charCodeAt(i + 1) === CR && text.charCodeAt(i + 2) === NL) i++;
      i++;
    } else if (c === quote) return i + 1;
    else if (c === NL) return i;
  }
  return n;
}

/**
 * Visits the parts of `text` (see PartVisitor), merging neighbours of the same kind. `from`: start
 * there instead, a place in code that is neither a directive line nor the start of a line (right
 * after a `;` or `}` of code: where a scan resumes after an edit).
 */
export function scanParts(text: string, visit: PartVisitor, from = 0): void {
  const n = text.length;
  let runPart: CPart = 'code';
  let runDirective = false;
  let runStart = from;
  let stopped = false;
  /** The run from `start` is of this part: a new run unless the current one is the same. */
  const emit = (part: CPart, start: number, directive: boolean): void => {
    if (part === runPart && directive === runDirective) return;
    if (start > runStart && visit(runPart, runStart, start, runDirective) === true) stopped = true;
    runPart = part;
    runDirective = directive;
    runStart = start;
  };
  let lineStart = from === 0;
  let directive = false;
  let i = from;
  while (i < n && !stopped) {
    // Ordinary characters, up to one that may begin a comment, a literal or a directive, or end a line.
    SPECIAL.lastIndex = i;
    const j = SPECIAL.test(text) ? SPECIAL.lastIndex - 1 : n;
    if (j > i) {
      if (runPart !== 'code' || runDirective !== directive) emit('code', i, directive);
      for (let k = i; lineStart && k < j; k++) {
        const d = text.charCodeAt(k);
        if (d !== SPACE && d !== TAB && d !== CR) lineStart = false;
      }
      i = j;
      continue;
    }
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === SLASH && next === STAR) {
      const close = text.indexOf('*/', i + 2);
      // Unterminated: the rest of the text is the comment, and no directive goes on into it.
      if (close < 0) directive = false;
      const end = close < 0 ? n : close + 2;
      emit('comment', i, directive);
      i = end;
      continue;
    }
    if (c === SLASH && next === SLASH) {
      const nl = text.indexOf('\n', i + 2);
      const end = nl < 0 ? n : nl;
      emit('comment', i, directive);
      i = end;
      continue;
    }
    if (c === BACKSLASH && (next === NL || (next === CR && text.charCodeAt(i + 2) === NL))) {
      // An escaped newline: the line (and a directive) goes on.
      emit('code', i, directive);
      i += next === NL ? 2 : 3;
      continue;
    }
    if (c === NL) {
      directive = false;
      lineStart = true;
      emit('code', i, false);
      i++;
      continue;
    }
    if (c === QUOTE || c === APOS) {
      const end = literalEnd(text, i, c);
      emit('literal', i, directive);
      lineStart = false;
      i = end;
      continue;
    }
    if (c === HASH && lineStart) {
      directive = true;
      // The blanks before `#` belong to the directive line.
      let start = i;
      while (start > runStart && runPart === 'code' && !runDirective && (text.charCodeAt(start - 1) === SPACE || text.charCodeAt(start - 1) === TAB)) start--;
      emit('code', start, true);
    } else if (runPart !== 'code' || runDirective !== directive) {
      emit('code', i, directive);
    }
    if (c !== SPACE && c !== TAB && c !== CR) lineStart = false;
    i++;
  }
  if (!stopped && n > runStart) visit(runPart, runStart, n, runDirective);
}

export interface CodeTextOptions {
  /** A comment becomes one space (as the compiler reads it), or blanks of its length with its newlines kept. */
  comments: 'space' | 'blank';
  /** String and character literals: kept as written (the default), or blanked. */
  literals?: 'keep' | 'blank';
  /** Escaped newlines in what is kept: kept (the default), removed (lines joined), or one space each. */
  splices?: 'keep' | 'join' | 'space';
}

const blanked = (s: string): string => s.replace(/[^\n]/g, ' ');

/** `text` without its comments, and as asked without its literals. Linear. */
export function codeText(text: string, options: CodeTextOptions): string {
  const literals = options.literals ?? 'keep';
  const splices = options.splices ?? 'keep';
  const kept = (s: string): string => (splices === 'keep' || s.indexOf('\\') < 0 ? s : s.replace(/\\\r?\n/g, splices === 'join' ? '' : ' '));
  const out: string[] = [];
  scanParts(text, (part, start, end) => {
    const s = text.slice(start, end);
    if (part === 'comment') out.push(options.comments === 'space' ? ' ' : blanked(s));
    else if (part === 'literal' && literals === 'blank') out.push(blanked(s));
    else out.push(kept(s));
  });
  return out.join('');
}

/** Where the directive lines of `text` are: from the blanks before `#` to the end of the line (newline excluded). */
export function directiveSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  scanParts(text, (_part, start, end, directive) => {
    if (!directive) return;
    const last = spans[spans.length - 1];
    if (last && last[1] === start) last[1] = end;
    else spans.push([start, end]);
  });
  return spans;
}
