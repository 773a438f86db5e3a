// Macros whose definition changes along a file: `#define`d more than once (after an `#undef`) or
// `#undef`ined. The compiler expands a use with the definition in force where the use stands, in
// file order; a file without such macros has no timeline and pays nothing for it.
import type { MacroDef } from './macros';

/** An `#undef NAME` at `offset` (of the `#`'s line) in its file. */
export interface MacroUndef {
  name: string;
  offset: number;
}

/** The `#undef` lines of C text. */
export function collectUndefs(text: string): MacroUndef[] {
  if (!text.includes('undef')) return [];
  const out: MacroUndef[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*undef[ \t]+([A-Za-z_]\w*)/gm)) out.push({ name: m[1] as string, offset: m.index });
  return out;
}

interface Change {
  offset: number;
  /** The definition from here on; null after an `#undef`. */
  def: MacroDef | null;
}

export class MacroTimeline {
  private readonly changes = new Map<string, Change[]>();
  /** Every change's offset, ascending: which definitions are in force depends only on how many precede a use. */
  private readonly points: number[] = [];

  /**
   * `defines`: the file's own definitions (with offsets); `undefs`: its `#undef`s. Only names
   * defined more than once or undefined get a timeline.
   */
  constructor(defines: readonly MacroDef[], undefs: readonly MacroUndef[]) {
    const count = new Map<string, number>();
    for (const d of defines) if (d.offset !== undefined) count.set(d.name, (count.get(d.name) ?? 0) + 1);
    const changing = new Set(undefs.map((u) => u.name).filter((n) => count.has(n)));
    for (const [name, n] of count) if (n > 1) changing.add(name);
    if (!changing.size) return;
    const all: (Change & { name: string })[] = [];
    for (const d of defines) if (d.offset !== undefined && changing.has(d.name)) all.push({ name: d.name, offset: d.offset, def: d });
    for (const u of undefs) if (changing.has(u.name)) all.push({ name: u.name, offset: u.offset, def: null });
    all.sort((a, b) => a.offset - b.offset);
    for (const c of all) {
      let list = this.changes.get(c.name);
      if (!list) this.changes.set(c.name, (list = []));
      list.push({ offset: c.offset, def: c.def });
      this.points.push(c.offset);
    }
  }

  get empty(): boolean {
    return this.points.length === 0;
  }

  /** The last change's offset (-1 without any). */
  get lastChange(): number {
    return this.points.length ? (this.points[this.points.length - 1] as number) : -1;
  }

  /** Every definition the timeline holds (for what leads to `SEC`). */
  definitions(): MacroDef[] {
    const out: MacroDef[] = [];
    for (const list of this.changes.values()) for (const c of list) if (c.def) out.push(c.def);
    return out;
  }

  /**
   * The definition of `name` in force at `at`: a definition, null when it is undefined there, or
   * undefined when the timeline says nothing (before the name's first change, or no timeline).
   */
  at(name: string, at: number): MacroDef | null | undefined {
    const list = this.changes.get(name);
    if (!list) return undefined;
    let found: Change | undefined;
    for (const c of list) {
      if (c.offset > at) break;
      found = c;
    }
    return found ? found.def : undefined;
  }

  /** How many changes precede `at`: uses with the same count see the same definitions. */
  epoch(at: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.points[mid] as number) <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
