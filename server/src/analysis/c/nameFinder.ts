// Finding the next use of any of a set of names in a text, as `\b(?:name1|name2|...)\b` finds it,
// without compiling that pattern: a macro table's names (some 600 in sched-ext/scx: every project
// macro) make an alternation that V8 compiles to about 240 KB of code or bytecode per table, 9 MB
// for the 37 distinct tables of a cold check of that tree, a fifth of its live heap. This reads
// each word and asks the set, at about the same cost per scan and with nothing to compile.

/** A name the word pattern below finds whole: ASCII letters, digits and `_`, not starting with a digit. */
const PLAIN_NAME = /^[A-Za-z_]\w*$/;

/**
 * A global RegExp (callers set `lastIndex` and call `exec`, as with the alternation) whose `exec`
 * returns the next word that is one of `names`. Words are maximal runs of `\w` that start at a
 * word boundary, so a match is exactly one the alternation with `\b` on both sides would give.
 */
class NameFinder extends RegExp {
  constructor(private readonly names: ReadonlySet<string>) {
    super('\\b[A-Za-z_]\\w*', 'g');
  }

  override exec(text: string): RegExpExecArray | null {
    for (let m = super.exec(text); m; m = super.exec(text)) if (this.names.has(m[0])) return m;
    return null;
  }
}

/** Whether the word finder finds `name` whole (else namesPattern compiles the alternation). */
export function isPlainName(name: string): boolean {
  return PLAIN_NAME.test(name);
}

/** A global pattern matching each of `names` as a whole word; `plain`: whether every name isPlainName, when the caller knows. */
export function namesPattern(names: ReadonlySet<string>, plain?: boolean): RegExp {
  if (plain ?? [...names].every(isPlainName)) return new NameFinder(names);
  // A name with `$` (a GCC extension) or non-ASCII letters: the alternation, longest first.
  const alternatives = [...names].sort((a, b) => b.length - a.length).map((n) => n.replace(/[$\\^.*+?()[\]{}|]/g, '\\$&'));
  return new RegExp(`\\b(?:${alternatives.join('|')})\\b`, 'g');
}
