// Reading `#define` lines: a definition's name, parameters (a variadic `...` or GNU `args...`) and
// body tokens, with where it stands (macros.ts keeps the definitions and the table built from them).
import type { Location } from '../facts';
import { codeText } from './commentScan';
import { lex } from './lexer';
import type { MacroDef } from './macros';

export function parseParams(paramText: string): { params: string[]; variadic: string | null } {
  const params: string[] = [];
  let variadic: string | null = null;
  for (const raw of paramText.split(',')) {
    const p = raw.trim();
    if (!p) continue;
    if (p === '...') {
      variadic = '__VA_ARGS__';
      params.push('__VA_ARGS__');
    } else if (p.endsWith('...')) {
      variadic = p.slice(0, -3).trim();
      params.push(variadic);
    } else params.push(p);
  }
  return { params, variadic };
}

export function makeDef(
  name: string,
  sig: { params: string[]; variadic: string | null } | null,
  bodyText: string,
  location?: Location,
): MacroDef {
  const body = lex(bodyText, 0, bodyText.length, false).filter((t) => t.kind !== 'comment');
  return { name, params: sig ? sig.params : null, variadic: sig ? sig.variadic : null, body, location };
}

/** A definition as its body is read: comments and escaped newlines are one space each. */
const DEFINE_TEXT = { comments: 'space', splices: 'space' } as const;

/**
 * Reads `#define` lines from C text. Bodies keep their tokens; comments and line continuations
 * become whitespace.
 */
export function collectDefines(text: string, file: string): MacroDef[] {
  const defs: MacroDef[] = [];
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\()?/gm;
  // Lines are counted on from the last definition (once over the text, not once per definition).
  let line = 0;
  let counted = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const name = m[1] ?? '';
    let i = m.index + m[0].length;
    let sig: { params: string[]; variadic: string | null } | null = null;
    if (m[2]) {
      const close = text.indexOf(')', i);
      if (close < 0) break;
      sig = parseParams(text.slice(i, close).replace(/\\\r?\n/g, ' '));
      i = close + 1;
    }
    // The definition ends at a newline that is neither escaped nor inside a /* */ comment
    // (comments become one space before directives are read, whatever lines they span).
    let end = i;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (c === 47 && text.charCodeAt(end + 1) === 42) {
        const close = text.indexOf('*/', end + 2);
        end = close < 0 ? text.length - 1 : close + 1;
      } else if (c === 92 && text.charCodeAt(end + 1) === 10) end++;
      else if (c === 92 && text.charCodeAt(end + 1) === 13 && text.charCodeAt(end + 2) === 10) end += 2;
      else if (c === 10) break;
    }
    end = Math.min(end, text.length);
    const body = codeText(text.slice(i, end), DEFINE_TEXT);
    line += countLines(text, counted, m.index);
    counted = m.index;
    const def = makeDef(name, sig, body.trim(), {
      file,
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
    });
    def.offset = m.index;
    defs.push(def);
    re.lastIndex = end;
  }
  return defs;
}

/**
 * One `#define` directive as written (from its `#`, continuations and comments included) at
 * zero-based `line` of `file`. Null when it names no macro.
 */
export function parseDefine(raw: string, file: string, line: number): MacroDef | null {
  const text = codeText(raw, DEFINE_TEXT);
  const m = /^#\s*define[ \t]+([A-Za-z_]\w*)(\()?/.exec(text);
  if (!m) return null;
  let i = m[0].length;
  let sig: { params: string[]; variadic: string | null } | null = null;
  if (m[2]) {
    const close = text.indexOf(')', i);
    if (close < 0) return null;
    sig = parseParams(text.slice(i, close));
    i = close + 1;
  }
  return makeDef(m[1] as string, sig, text.slice(i).trim(), { file, range: { start: { line, character: 0 }, end: { line, character: 0 } } });
}

/** The newlines in `text` from `from` up to `upTo`. */
function countLines(text: string, from: number, upTo: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < upTo; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
