// Replaying expansions: an invocation's expansion depends only on its text (and the macro
// table, and in a file that redefines macros which definitions are in force: the key starts with
// MacroTable.versionAt), so it is recorded once and replayed wherever the same text appears again.
import type { MacroTable } from './macros';
import type { TokenKind } from './lexer';
import type { SectionMarker } from './expand';

export interface Recorded {
  pieces: { text: string; src: number; originStart: number; originEnd: number }[];
  sections: SectionMarker[];
  last: { kind: TokenKind; text: string } | null;
  /** Tokens the expansion cost (charged again on every replay). */
  spent: number;
  /** The names the expansion looked up in the table (Expansion.lookups), each once. */
  names?: readonly string[];
}

export const EXPANSION_CACHE_LIMIT = 50_000;
const caches = new WeakMap<MacroTable, Map<string, Recorded>>();

export function expansionCache(table: MacroTable): Map<string, Recorded> {
  let c = caches.get(table);
  if (!c) {
    c = new Map();
    caches.set(table, c);
  }
  return c;
}

/**
 * Where the invocation of `name` at `at` ends: after the name for an object-like macro, after
 * the balanced `( ... )` for a function-like one, or `at` when it cannot tell (then no caching).
 */
export function invocationEnd(text: string, at: number, name: string, functionLike: boolean): number {
  let i = at + name.length;
  if (!functionLike) return i;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (text.charCodeAt(i) !== 40) return at;
  let depth = 0;
  const limit = Math.min(text.length, at + 4096);
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) {
      if (--depth === 0) return i + 1;
    } else if (c === 34 || c === 39) {
      for (i++; i < limit && text.charCodeAt(i) !== c && text.charCodeAt(i) !== 10; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 47 && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) return at;
    else if (c === 10 && text.charCodeAt(i + 1) === 35) return at;
  }
  return at;
}
