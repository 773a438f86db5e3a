// Stretches of C text the parser cannot resynchronise in. tree-sitter's error recovery over such a
// run costs more per step the longer the run grows (ts_parser__recover,
// ts_subtree_summarize_children), so it is quadratic in the run's length, while the step and read
// budgets (parser.ts) count steps, not what a step costs (issue 12). Two shapes of run:
//
// - Long code with no `;`, `{` or `}`, no `,` inside braces and no complete, balanced preprocessor
//   line: one 110 KB `#if` line of `1\n` (a backslash and an n), 27,000 lines of `#define F(`, or
//   `int a =` and 110 KB with no `;` each took 7-16 s of CPU. A comma ends a run only inside
//   braces: at file scope `int a = 1\n,1\n,...` (120 KB) took 37 s.
// - Long code inside a broken expression: a parenthesis, a bracket or an initialiser's brace (`= {`,
//   and braces nested in it) that is still open where a `;` stands directly in it, which no valid
//   code has. From there until it closes, `;`, `,`, `{`, `}` and directive lines are no place to
//   resynchronise: `int a = {{{` then 60 KB of identifier runs ending in `;` took 2.3 s of CPU and
//   120 KB 9 s; the same after `(void 1, 1,` (the fuzzed c-source-100-8962) 4-6 s; the same
//   inside `(((` with a `,` every 8 KB as slow as without. A brace opened inside such an
//   expression after `)` or a name (a function body in a file whose initialiser the user has not
//   closed yet, `sizeof(struct { int a; })`) is a block again, where `;` ends runs.
//
// Real code has no such run: every declaration, statement, initialiser element and balanced
// directive line ends one, and its parentheses close within a statement.
//
// Only code counts toward a run's length (comments and literals do not), and blanks do not. Which
// bracket is open is followed as clang reads one configuration: the branches of a conditional
// after its first (`#elif`, `#else`) start from the brackets open at its `#if`, and the brackets of
// the first branch go on after `#endif`. Linear: one pass of scanParts, every character looked at
// once, a closer looks at most MAX_MISMATCH brackets down.
import { scanParts } from './commentScan';

/** The longest run, in non-blank code characters, the parser is given to read. */
export const MAX_STRETCH = 8 * 1024;

export interface Stretch {
  start: number;
  end: number;
  /** Where the broken parenthesis, bracket or initialiser brace the run is inside opens, if it is. */
  openedAt?: number;
}

type Kind = 'paren' | 'bracket' | 'init' | 'block';

/** The open brackets, innermost first; shared between snapshots (a conditional's branches). */
interface Open {
  kind: Kind;
  at: number;
  below: Open | null;
  /** The outermost unclosed expression bracket (paren, bracket, init) from here down, if any. */
  expression: Open | null;
  /** Braces open from here down. */
  braces: number;
  /** On an outermost expression: a `;` stood directly in it (or in one nested in it). */
  broken?: boolean;
}

const push = (kind: Kind, at: number, below: Open | null): Open => {
  const node: Open = { kind, at, below, expression: null, braces: (below?.braces ?? 0) + (kind === 'init' || kind === 'block' ? 1 : 0) };
  node.expression = below?.expression ?? (kind === 'block' ? null : node);
  return node;
};

/** A closer pops the nearest bracket of its kind within this many; a stray one closes nothing. */
const MAX_MISMATCH = 8;

function close(open: Open | null, braces: boolean, kind: 'paren' | 'bracket'): Open | null {
  let n = open;
  for (let i = 0; n && i < MAX_MISMATCH; i++, n = n.below) {
    if (braces ? n.kind === 'init' || n.kind === 'block' : n.kind === kind) return n.below;
  }
  return open;
}

const SEMI = 59;
const COMMA = 44;
const LBRACE = 123;
const RBRACE = 125;
const LPAREN = 40;
const RPAREN = 41;
const LBRACKET = 91;
const RBRACKET = 93;
const EQUALS = 61;
const SPACE = 32;
const TAB = 9;
const NL = 10;
const CR = 13;

const isNameChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const CONDITIONAL = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b/;

/** The runs of `text` longer than `max` non-blank code characters (see above), in order. */
export function longStretches(text: string, max = MAX_STRETCH): Stretch[] {
  return scanStretches(text, max).stretches;
}

/**
 * A scan's stretches, and the places it can resume from after an edit: flat pairs of an offset
 * right after a `;` or `}` of code at file scope, outside every conditional and bracket (where the
 * scan's whole state is that character), and the character.
 */
export interface StretchScan {
  text: string;
  max: number;
  stretches: Stretch[];
  resumes: number[];
}

/** Where a scan starts (0: the text's start) and where it may stop: a resume point whose state equals one of the scan before. */
interface Window {
  from: number;
  previous: number;
  /** A resume point at `offset` with `previous` before it: true when the rest is known (the scan stops there). */
  stop?: (offset: number, previous: number) => boolean;
}

/** The offset of the first pair of `flat` (pairs) whose first value is >= `at`, by bisection: its index. */
function firstPairAtOrAfter(flat: readonly number[], at: number): number {
  let lo = 0;
  let hi = flat.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((flat[mid * 2] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo * 2;
}

/**
 * longStretches() of `text` made from the scan of the text before an edit (`[start, oldEnd)` of it
 * became `[start, newEnd)`): scanned again from the last resume point before the edit up to the
 * first one after it whose state is the same as before, and the rest moved. The same answer as a
 * whole scan (test/unit/longStretches.test.ts), without looking at the rest of the text.
 */
export function stretchesAfterEdit(before: StretchScan, text: string, edit: { start: number; oldEnd: number; newEnd: number }): StretchScan {
  const delta = edit.newEnd - edit.oldEnd;
  if (text.length !== before.text.length + delta) return scanStretches(text, before.max);
  const old = before.resumes;
  // The last resume point at or before the edit's start (the text before it is as it was).
  const k = firstPairAtOrAfter(old, edit.start + 1) - 2;
  const from = k >= 0 ? (old[k] as number) : 0;
  const previous = k >= 0 ? (old[k + 1] as number) : 0;
  let stopOld = -1;
  const scan = scanStretches(text, before.max, {
    from,
    previous,
    stop: (offset, prev) => {
      if (offset < edit.newEnd || offset - delta <= edit.oldEnd - 1) return false;
      const j = firstPairAtOrAfter(old, offset - delta);
      if (old[j] !== offset - delta || old[j + 1] !== prev) return false;
      stopOld = j;
      return true;
    },
  });
  const stretches = before.stretches.filter((x) => x.end < from);
  stretches.push(...scan.stretches);
  const resumes = old.slice(0, k + 2);
  resumes.push(...scan.resumes);
  if (stopOld >= 0) {
    const at = old[stopOld] as number;
    for (const x of before.stretches) {
      if (x.start < at) continue;
      stretches.push(x.openedAt === undefined ? { start: x.start + delta, end: x.end + delta } : { start: x.start + delta, end: x.end + delta, openedAt: x.openedAt + delta });
    }
    for (let j = stopOld + 2; j < old.length; j += 2) resumes.push((old[j] as number) + delta, old[j + 1] as number);
  }
  return { text, max: before.max, stretches, resumes };
}

/** The whole scan, or the scan of a window of it (stretchesAfterEdit). */
export function scanStretches(text: string, max = MAX_STRETCH, window: Window = { from: 0, previous: 0 }): StretchScan {
  const out: Stretch[] = [];
  const resumes: number[] = [];
  let start = window.from;
  let length = 0;
  /** The open brackets of code (directive lines apart), and the code character before this one. */
  let open: Open | null = null;
  let previous = window.previous;
  /** Per open conditional: the brackets at its `#if`, and after its first branch (once known). */
  const conditionals: { atIf: Open | null; afterFirst: Open | null | undefined }[] = [];
  let depth = 0;
  let directiveBraces = 0;
  let inDirective = false;
  /** Where the broken expression the current run went through opens. */
  let openedAt = -1;
  const end = (at: number, next: number): void => {
    if (length > max) out.push(openedAt >= 0 ? { start, end: at, openedAt } : { start, end: at });
    start = next;
    length = 0;
    openedAt = -1;
  };
  const conditional = (from: number): void => {
    const keyword = CONDITIONAL.exec(text.slice(from, from + 64))?.[1];
    if (!keyword) return;
    if (keyword.startsWith('if')) conditionals.push({ atIf: open, afterFirst: undefined });
    else if (keyword === 'endif') {
      const c = conditionals.pop();
      if (c && c.afterFirst !== undefined) open = c.afterFirst;
    } else {
      const c = conditionals[conditionals.length - 1];
      if (!c) return;
      if (c.afterFirst === undefined) c.afterFirst = open;
      open = c.atIf;
    }
  };
  /** Directly inside an expression: a `;` there breaks it. */
  const inExpression = (): boolean => !!open && open.kind !== 'block';
  /** Directly inside a broken expression: its separators, braces and directive lines end no run. */
  const inBroken = (): boolean => inExpression() && !!open?.expression?.broken;
  /** After a `;` or `}` that ended a run at `at`: a resume point when nothing is open; true when the scan stops there. */
  const resumable = (at: number, c: number): boolean => {
    if (open !== null || conditionals.length) return false;
    resumes.push(at, c);
    return !!window.stop?.(at, c);
  };
  let stoppedAt = -1;
  scanParts(text, (part, from, to, directive) => {
    if (inDirective && !directive) {
      // A directive line ended: a complete one (its parentheses balanced) is a place to resync,
      // except inside an unclosed expression.
      if (depth === 0 && !inBroken()) end(from, from);
      inDirective = false;
    }
    if (directive && !inDirective) {
      inDirective = true;
      depth = 0;
      directiveBraces = 0;
      if (part === 'code') conditional(from);
    }
    if (part !== 'code') return;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === TAB || c === NL || c === CR) continue;
      if (directive) {
        if (c === LBRACE || c === RBRACE) {
          directiveBraces = Math.max(0, directiveBraces + (c === LBRACE ? 1 : -1));
          end(i, i + 1);
          continue;
        }
        if (c === SEMI || (c === COMMA && directiveBraces > 0)) {
          end(i, i + 1);
          continue;
        }
        if (c === LPAREN) depth++;
        else if (c === RPAREN && depth > 0) depth--;
      } else if (c === LBRACE) {
        const wasBroken = inBroken();
        // An initialiser: after `=`, or nested in one after `{` or `,`. Otherwise a body.
        const init = previous === EQUALS || (open?.kind === 'init' && (previous === LBRACE || previous === COMMA));
        open = push(init ? 'init' : 'block', i, open);
        previous = c;
        if (!wasBroken) {
          end(i, i + 1);
          continue;
        }
      } else if (c === RBRACE) {
        const wasBroken = inBroken();
        open = close(open, true, 'paren');
        previous = c;
        if (!wasBroken) {
          end(i, i + 1);
          if (resumable(i + 1, c)) {
            stoppedAt = i + 1;
            return true;
          }
          continue;
        }
      } else if (c === SEMI || c === COMMA) {
        previous = c;
        if (c === SEMI && inExpression() && open?.expression) open.expression.broken = true;
        const ends = c === SEMI ? !inExpression() : !inBroken() && (open?.braces ?? 0) > 0;
        if (ends) {
          end(i, i + 1);
          if (c === SEMI && resumable(i + 1, c)) {
            stoppedAt = i + 1;
            return true;
          }
          continue;
        }
      } else {
        if (c === LPAREN || c === LBRACKET) open = push(c === LPAREN ? 'paren' : 'bracket', i, open);
        else if (c === RPAREN || c === RBRACKET) open = close(open, false, c === RPAREN ? 'paren' : 'bracket');
        previous = isNameChar(c) ? 65 : c;
      }
      // The run starts at its first character of code (not at the blanks after the last end).
      if (length++ === 0) start = i;
      if (openedAt < 0 && inBroken() && open?.expression) openedAt = open.expression.at;
    }
    return false;
  }, window.from);
  if (stoppedAt < 0) end(text.length, text.length);
  return { text, max, stretches: out, resumes };
}

/** `text` with the stretches blanked: spaces, newlines kept, so every offset and line stays. */
export function blankStretches(text: string, stretches: readonly Stretch[]): string {
  let out = '';
  let at = 0;
  for (const s of stretches) {
    out += text.slice(at, s.start) + text.slice(s.start, s.end).replace(/[^\n]/g, ' ');
    at = s.end;
  }
  return out + text.slice(at);
}
