// The preprocessor directives of one C text, in order, read the way the compiler reads them:
// a `#` that starts a line outside comments and strings, continued lines joined, comments dropped.
// Only what the conditional reading of a translation unit needs is kept.
import { codeText } from './commentScan';
import { CodeScanner, lex, type Token } from './lexer';
import { parseDefine, type MacroDef } from './macros';

export type Directive =
  | { kind: 'define'; line: number; def: MacroDef }
  | { kind: 'undef'; line: number; name: string }
  | { kind: 'include'; line: number; name: string; angled: boolean }
  | { kind: 'if' | 'elif'; line: number; expr: Token[] }
  | { kind: 'ifdef' | 'ifndef' | 'elifdef' | 'elifndef'; line: number; name: string }
  | { kind: 'else' | 'endif' | 'once'; line: number };

const CANDIDATE = /^[ \t]*#/gm;
const CONDITIONAL = /^#\s*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif|define|undef|include|include_next|import|pragma)\b/;

/** Directive text with continuations joined and comments replaced by a space. */
function clean(text: string): string {
  return codeText(text, { comments: 'space', splices: 'join' });
}

function directiveEnd(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i;
    if (c === 92 && text.charCodeAt(i + 1) === 10) i++;
    else if (c === 92 && text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) i += 2;
    else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 1;
    }
  }
  return text.length;
}

/**
 * Every directive a conditional reading uses (`#if` family, `#define`, `#undef`, `#include`,
 * `#pragma once`), with its zero-based line. Never throws; a malformed directive is left out.
 */
export function scanDirectives(text: string, file: string): Directive[] {
  const out: Directive[] = [];
  if (text.indexOf('#') < 0) return out;
  const code = new CodeScanner(text);
  let line = 0;
  let counted = 0;
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const hash = m.index + m[0].length - 1;
    if (hash < counted || !code.isCode(hash)) continue;
    for (let i = text.indexOf('\n', counted); i >= 0 && i < hash; i = text.indexOf('\n', i + 1)) line++;
    const end = directiveEnd(text, hash);
    counted = hash;
    const body = clean(text.slice(hash, end));
    const kw = CONDITIONAL.exec(body);
    CANDIDATE.lastIndex = end;
    if (!kw) continue;
    const rest = body.slice(kw[0].length).trim();
    const d = directive(kw[1] as string, rest, line, text.slice(hash, end), file);
    if (d) out.push(d);
  }
  return out;
}

function directive(kw: string, rest: string, line: number, raw: string, file: string): Directive | null {
  switch (kw) {
    case 'if':
    case 'elif':
      return { kind: kw, line, expr: lex(rest, 0, rest.length, false).filter((t) => t.kind !== 'ws' && t.kind !== 'comment' && t.kind !== 'nl') };
    case 'ifdef':
    case 'ifndef':
    case 'elifdef':
    case 'elifndef': {
      const name = /^[A-Za-z_]\w*/.exec(rest)?.[0];
      return name ? { kind: kw, line, name } : null;
    }
    case 'else':
    case 'endif':
      return { kind: kw, line };
    case 'undef': {
      const name = /^[A-Za-z_]\w*/.exec(rest)?.[0];
      return name ? { kind: 'undef', line, name } : null;
    }
    case 'define': {
      const def = parseDefine(raw, file, line);
      return def ? { kind: 'define', line, def } : null;
    }
    case 'include':
    case 'include_next':
    case 'import': {
      const q = /^"([^"]+)"|^<([^>]+)>/.exec(rest);
      if (!q) return null;
      return { kind: 'include', line, name: (q[1] ?? q[2]) as string, angled: q[2] !== undefined };
    }
    case 'pragma':
      return /^once\b/.test(rest) ? { kind: 'once', line } : null;
    default:
      return null;
  }
}
