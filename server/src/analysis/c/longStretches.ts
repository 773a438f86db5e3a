// Stretches of C text the parser cannot resynchronise in: long runs of code with no `;`, `{` or `}`,
// no `,` inside braces and no complete, balanced preprocessor line. tree-sitter's error recovery over such a run
// costs more per step the longer the run grows (ts_parser__recover, ts_subtree_summarize_children),
// so it is quadratic in the run's length: one 110 KB `#if` line of `1\n` (a backslash and an n),
// 27,000 lines of `#define F(`, or `int a =` and 110 KB with no `;` each took 7-16 s of CPU while
// staying inside the step and read budgets (parser.ts), which count steps, not what a step costs
// (issue 12). A comma ends a run only inside braces: at file scope `int a = 1\n,1\n,...` (120 KB)
// took 37 s, while the same inside a function body or an initialiser is near linear. Real code has
// no such run: every declaration, statement, initialiser element and balanced directive line ends
// one.
//
// Only code counts toward a run's length (comments and literals do not), and blanks do not.
// Linear: one pass of scanParts, every character looked at once.
import { scanParts } from './commentScan';

/** The longest run, in non-blank code characters, the parser is given to read. */
export const MAX_STRETCH = 8 * 1024;

export interface Stretch {
  start: number;
  end: number;
}

const SEMI = 59;
const COMMA = 44;
const LBRACE = 123;
const RBRACE = 125;
const LPAREN = 40;
const RPAREN = 41;
const SPACE = 32;
const TAB = 9;
const NL = 10;
const CR = 13;

/** The runs of `text` longer than `max` non-blank code characters (see above), in order. */
export function longStretches(text: string, max = MAX_STRETCH): Stretch[] {
  const out: Stretch[] = [];
  let start = 0;
  let length = 0;
  let depth = 0;
  /** Braces open in code, and in the current directive line (`#define T { 1, 2 }`). */
  let braces = 0;
  let directiveBraces = 0;
  let inDirective = false;
  const end = (at: number, next: number): void => {
    if (length > max) out.push({ start, end: at });
    start = next;
    length = 0;
  };
  scanParts(text, (part, from, to, directive) => {
    if (inDirective && !directive) {
      // A directive line ended: a complete one (its parentheses balanced) is a place to resync.
      if (depth === 0) end(from, from);
      inDirective = false;
    }
    if (directive && !inDirective) {
      inDirective = true;
      depth = 0;
      directiveBraces = 0;
    }
    if (part !== 'code') return;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === LBRACE || c === RBRACE) {
        const delta = c === LBRACE ? 1 : -1;
        if (directive) directiveBraces = Math.max(0, directiveBraces + delta);
        else braces = Math.max(0, braces + delta);
        end(i, i + 1);
      } else if (c === SEMI || (c === COMMA && (directive ? directiveBraces : braces) > 0)) end(i, i + 1);
      else if (c !== SPACE && c !== TAB && c !== NL && c !== CR) {
        // The run starts at its first character of code (not at the blanks after the last end).
        if (length++ === 0) start = i;
        if (directive && c === LPAREN) depth++;
        else if (directive && c === RPAREN && depth > 0) depth--;
      }
    }
  });
  end(text.length, text.length);
  return out;
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
