// A macro table made over another one (macros.ts MacroTable.over): a translation unit's table is
// the workspace's headers' table with a few definitions in front (the unit's overrides, a BPF
// source's own `#define`s). Made from scratch, each unit's table copied every definition the
// workspace has and walked all of them again (tens of thousands in u-boot, once per unit); over a
// base it keeps only its own and reads the base's through these views, and what reaches `SEC` is
// worked out from the base's index of who uses each name.
import type { MacroDef } from './macros';

/** The definitions of a table over a base: its own first, then the base's it does not replace. */
export class LayeredDefs implements Iterable<[string, MacroDef]> {
  constructor(
    readonly front: ReadonlyMap<string, MacroDef>,
    private readonly base: ReadonlyMap<string, MacroDef>,
  ) {}

  get(name: string): MacroDef | undefined {
    return this.front.get(name) ?? this.base.get(name);
  }

  has(name: string): boolean {
    return this.front.has(name) || this.base.has(name);
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this) yield name;
  }

  *values(): IterableIterator<MacroDef> {
    for (const [, def] of this) yield def;
  }

  *[Symbol.iterator](): IterableIterator<[string, MacroDef]> {
    yield* this.front;
    for (const entry of this.base) if (!this.front.has(entry[0])) yield entry;
  }
}

/** What a base table gives the tables made over it, computed once. */
export interface BaseIndex {
  /** For each name, the names of the definitions whose bodies use it. */
  usedBy: ReadonlyMap<string, readonly string[]>;
  /** Names whose own definition puts what follows in a section (macros.ts directSectionMacros). */
  directSection: ReadonlySet<string>;
  /** The position of each name with a project definition, in the base's order. */
  locatedAt: ReadonlyMap<string, number>;
  /** Every name the base expands is a plain C identifier (nameFinder.ts isPlainName). */
  plainNames: boolean;
}

/** For each name, the names of the definitions in `defs` whose bodies use it. */
export function usersByName(defs: Iterable<MacroDef>): Map<string, string[]> {
  const usedBy = new Map<string, string[]>();
  for (const def of defs) {
    for (const t of def.body) {
      if (t.kind !== 'id') continue;
      const users = usedBy.get(t.text);
      if (!users) usedBy.set(t.text, [def.name]);
      else if (users[users.length - 1] !== def.name) users.push(def.name);
    }
  }
  return usedBy;
}

/**
 * The names a table over a base expands: its own set (what reaches `SEC`, the built-ins) and every
 * name with a project definition, its own or the base's, without copying the base's.
 */
export class ExpandedNames implements ReadonlySet<string> {
  private counted = -1;

  constructor(
    private readonly own: ReadonlySet<string>,
    private readonly defs: LayeredDefs,
  ) {}

  has(name: string): boolean {
    return this.own.has(name) || this.defs.get(name)?.location !== undefined;
  }

  get size(): number {
    if (this.counted < 0) {
      this.counted = 0;
      for (const _ of this) this.counted++;
    }
    return this.counted;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    yield* this.own;
    for (const [name, def] of this.defs) if (def.location && !this.own.has(name)) yield name;
  }

  keys(): IterableIterator<string> {
    return this[Symbol.iterator]();
  }

  values(): IterableIterator<string> {
    return this[Symbol.iterator]();
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of this) yield [name, name];
  }

  forEach(fn: (value: string, key: string, set: ReadonlySet<string>) => void): void {
    for (const name of this) fn(name, name, this);
  }
}
