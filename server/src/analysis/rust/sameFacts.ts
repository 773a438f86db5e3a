// Whether two readings of a Rust loader are the same facts (plain data: objects, arrays, strings,
// numbers, booleans, null). A keystroke that changes nothing a reading says (a statement typed
// that makes no loader call, on a line of its own) keeps the previous facts object, so everything
// made from it downstream (links, replays, the object's part of the model, its diagnostics) is
// kept by identity instead of being made again.

/** Deep equality of plain data; a Map, Set or class instance is compared by identity only. */
export function sameData(a: unknown, b: unknown): boolean {
  // A reading shares its parts (each path lists the same action objects, the same locations):
  // a pair found equal once is not compared again.
  return same(a, b, new Map());
}

function same(a: unknown, b: unknown, equal: Map<object, object>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (equal.get(a) === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i], equal)) return false;
    equal.set(a, b);
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], equal)) return false;
  }
  equal.set(a, b);
  return true;
}
