// Whether a file's expansion stands when its macro table changes: a `#define` typed (half-typed,
// unused), a header's definition edited, an include that brings other definitions. An expansion
// depends on the table only through the names it looked up (Expansion.lookups) and the names the
// table would take for invocations; when the new table expands none of those differently, and no
// name it newly expands stands in code, expanding the text again would give the same expansion.
import type { Expansion } from './expand';
import { EXPANSION_CACHE_LIMIT, expansionCache } from './expansionCache';
import type { MacroTable } from './macros';
import { TopLevelScanner } from './topLevel';

/**
 * Whether `text`, expanded with `before` into `expansion`, expands alike with `after`. False
 * (expand again) when it cannot tell: a table whose definitions change along the file, an
 * expansion that ran out of budget or did not note its lookups.
 */
export function expandsAlike(text: string, expansion: Expansion, before: MacroTable, after: MacroTable): boolean {
  if (before === after) return true;
  // Definitions in force by offset (#undef, redefinition): which one a use sees moves with the text.
  if (before.lastChange >= 0 || after.lastChange >= 0) return false;
  if (expansion.truncated || expansion.overBudget) return false;
  const changed = before.changedNames(after);
  if (!changed.size) return true;
  // Not expanded at all (no name leading to SEC outside comments and strings): the same with `after`?
  if (expansion.map.isIdentity) return !after.mentionsOutsideText(text);
  if (!expansion.lookups) return false;
  // A name leading to SEC where it did not (or the reverse): whether the file is expanded at all may change.
  const secChanged = [...changed].some((name) => before.leadsToSection(name) !== after.leadsToSection(name));
  if (secChanged && !after.mentionsOutsideText(text)) return false;
  for (const name of expansion.lookups) if (changed.has(name)) return false;
  // A name `after` expands and `before` did not is an invocation wherever it stands in code.
  const added = [...changed].filter((n) => after.isExpanded(n) && !before.isExpanded(n));
  return !added.length || !standsInCode(text, added);
}

/**
 * When the file is expanded again with `after` (it did not expand alike): the invocations recorded
 * with `before` that looked up no name `after` changes expand alike, so `after`'s cache starts with
 * them, and only the invocations that use a changed name are expanded anew.
 */
export function carryExpansions(before: MacroTable, after: MacroTable): void {
  if (before === after || before.lastChange >= 0 || after.lastChange >= 0) return;
  const changed = before.changedNames(after);
  const from = expansionCache(before);
  const into = expansionCache(after);
  for (const [key, recorded] of from) {
    if (into.size >= EXPANSION_CACHE_LIMIT) break;
    if (recorded.names && !into.has(key) && !recorded.names.some((n) => changed.has(n))) into.set(key, recorded);
  }
}

/** Whether one of `names` stands in `text` where the expander takes invocations (code, not a comment, literal or directive). */
function standsInCode(text: string, names: readonly string[]): boolean {
  const pattern = new RegExp(`\\b(?:${names.map((n) => n.replace(/\$/g, '\\$')).join('|')})\\b`, 'g');
  let scan: TopLevelScanner | null = null;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    scan ??= new TopLevelScanner(text);
    if (scan.advance(m.index)) return true;
  }
  return false;
}
