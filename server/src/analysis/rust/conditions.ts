// A Rust condition as a path literal says it, and its negation (`opts.x` / `!opts.x`).
/** A binary operator outside parentheses and string literals: `a && b`, `x == 1`. */
function hasTopLevelOperator(t: string): boolean {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '"') {
      for (i++; i < t.length && t[i] !== '"'; i++) if (t[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && /^(?:&&|\|\||==|!=|<=|>=| < | > )/.test(t.slice(i, i + 3))) return true;
  }
  return false;
}

/** `opts.x` -> `!opts.x`, `!f(a, b)` -> `f(a, b)`, `a && b` -> `!(a && b)`. */
export function negateRust(text: string): string {
  const t = text.trim();
  if (t.startsWith('!') && !t.startsWith('!=') && !hasTopLevelOperator(t.slice(1))) return t.slice(1).trim().replace(/^\((.*)\)$/, '$1');
  return hasTopLevelOperator(t) || /^let\b/.test(t) ? `!(${t})` : `!${t}`;
}
