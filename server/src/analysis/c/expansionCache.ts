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

/**
 * How many tables keep their cache. A recording is replayed only with the table that made it (the
 * files of one unit, expanded one after another, or an edited file expanded again), so the caches
 * of tables used before the last few are memory nothing reads until their files are expanded anew:
 * in sched-ext/scx (64 objects, 39 tables) they held 9 MB to the end of a cold check, for 16 of
 * 2,123 replays.
 */
export const CACHED_TABLES = 4;
/** The caches, the table used last at the end (a Map keeps insertion order). */
const caches = new Map<MacroTable, Map<string, Recorded>>();

export function expansionCache(table: MacroTable): Map<string, Recorded> {
  let c = caches.get(table);
  if (c) caches.delete(table);
  else c = new Map();
  caches.set(table, c);
  if (caches.size > CACHED_TABLES) caches.delete(caches.keys().next().value as MacroTable);
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
