// Whether two readings of a Rust loader are the same facts (plain data: objects, arrays, strings,
// numbers, booleans, null). A keystroke that changes nothing a reading says (a statement typed
// that makes no loader call, on a line of its own) keeps the previous facts object, so everything
// made from it downstream (links, replays, the object's part of the model, its diagnostics) is
// kept by identity instead of being made again.

/** Deep equality of plain data; a Map, Set or class instance is compared by identity only. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
