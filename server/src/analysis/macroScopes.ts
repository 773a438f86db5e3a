// Which macro definitions a C file is expanded with. The workspace's headers give one table (their
// first definition of each name wins), but a name several headers define differently — sched_ext's
// `__COMPAT_ENUM_OR_ZERO` in the user-side compat.h and the BPF-side compat.bpf.h, or each
// scheduler's own config.h — takes, in each translation unit, the definition the unit's includes
// compile: in include order, `#if`s evaluated as the unit evaluates them (c/preprocess.ts). Names
// the unit does not define keep the workspace's definition (system headers are not in the
// workspace, and include paths often cannot be resolved), but only from headers the unit's include
// graph can name: resolved, or matched loosely by file name (nameableHeaders); headers the unit does
// not include never override it.
import type { Directive } from './c/directives';
import { MacroTable, type MacroDef } from './c/macros';
import type { MacroUndef } from './c/macroTimeline';
import type { Decisions, UnitReading } from './c/preprocess';

export function definesKey(defs: readonly MacroDef[]): string {
  return defs.map(defKey).join('\n');
}

function defKey(d: MacroDef): string {
  return `${d.name}(${d.params?.join(',') ?? ''})=${d.body.map((t) => t.text).join('')}`;
}

/** A file that redefines, or `#undef`s, a macro it defines (as MacroTimeline reads it). */
export function changesMacros(f: { defines: readonly MacroDef[]; undefs?: readonly MacroUndef[] }): boolean {
  const names = new Set<string>();
  for (const d of f.defines) {
    if (names.has(d.name)) return true;
    names.add(d.name);
  }
  return !!f.undefs?.some((u) => names.has(u.name));
}

/** A file's own macros; where they change along the file, where each change stands too. */
export function ownMacrosKey(f: { defines: readonly MacroDef[]; undefs?: readonly MacroUndef[] }): string {
  const key = definesKey(f.defines);
  if (!changesMacros(f)) return key;
  return `${key}\n@${f.defines.map((d) => d.offset).join(',')}\n-${(f.undefs ?? []).map((u) => `${u.name}@${u.offset}`).join(',')}`;
}

type Region = 'yes' | 'maybe' | 'no';

/**
 * The lines of a file's directives that a unit compiles, from the values its conditionals took
 * there (`decisions`): 'yes', or 'maybe' under a condition that cannot be known. Lines not compiled
 * are absent. Replays the branch structure the way readUnit walked it.
 */
export function compiledLines(dirs: readonly Directive[], decisions: Decisions | undefined): Map<number, 'yes' | 'maybe'> {
  const out = new Map<number, 'yes' | 'maybe'>();
  const stack: { outer: Region; branch: Region; taken: boolean; unknownBefore: boolean }[] = [];
  let region = 'yes' as Region;
  const recompute = (): void => {
    region = stack.some((g) => g.branch === 'no') ? 'no' : stack.some((g) => g.branch === 'maybe') ? 'maybe' : 'yes';
  };
  const open = (line: number): void => {
    const g = stack[stack.length - 1];
    if (!g) return;
    const v = g.outer === 'no' || g.taken ? undefined : decisions?.get(line);
    if (!v || v.value === false) g.branch = 'no';
    else if (v.value === null) {
      g.branch = 'maybe';
      g.unknownBefore = true;
    } else {
      g.branch = g.unknownBefore ? 'maybe' : 'yes';
      g.taken = true;
    }
  };
  for (const d of dirs) {
    switch (d.kind) {
      case 'if':
      case 'ifdef':
      case 'ifndef':
        stack.push({ outer: region, branch: 'no', taken: false, unknownBefore: false });
        open(d.line);
        recompute();
        break;
      case 'elif':
      case 'elifdef':
      case 'elifndef':
      case 'else':
        open(d.line);
        recompute();
        break;
      case 'endif':
        stack.pop();
        recompute();
        break;
      default:
        if (region !== 'no') out.set(d.line, region);
    }
  }
  return out;
}

/** What the scopes need of the workspace's files. */
export interface ScopeFiles {
  /** A file's `#define`s as collectDefines reads them (with offsets). */
  defines(path: string): readonly MacroDef[] | undefined;
  directives(path: string): readonly Directive[] | undefined;
  /** Where `#include` finds a name (TranslationUnits.resolve). */
  resolve(from: string, name: string, angled: boolean): string | undefined;
}

/** A file as the scopes cache its table on it. */
export interface ScopedFile {
  kind: string;
  defines: MacroDef[];
  undefs?: MacroUndef[];
  table?: MacroTable;
  tableKey?: string;
}

/** How many tables of the headers without some of them are kept (MacroScopes.headersTable). */
const HEADER_TABLES_KEPT = 8;

export class MacroScopes {
  /** The workspace-wide table: every header's definitions, the first of each name winning. */
  readonly global: MacroTable;
  readonly key: string;
  /** Names headers define more than once, differently: each with the workspace-wide choice. */
  private readonly contested = new Map<string, MacroDef>();
  /** overrides() per unit reading (a unit is read again whenever a file it reached changes its directives). */
  private readonly byUnit = new WeakMap<UnitReading, MacroDef[]>();

  /** Every header definition by name. */
  private readonly byName = new Map<string, MacroDef[]>();
  /** The headers with definitions, by file name. */
  private readonly headersByBase = new Map<string, Set<string>>();
  /** nameableHeaders() per unit reading. */
  private readonly graphs = new WeakMap<UnitReading, Set<string>>();

  constructor(readonly headerDefs: readonly MacroDef[]) {
    this.key = definesKey(headerDefs);
    this.global = new MacroTable(headerDefs);
    const first = new Map<string, MacroDef>();
    for (const d of headerDefs) {
      const list = this.byName.get(d.name);
      if (list) list.push(d);
      else this.byName.set(d.name, [d]);
      const file = d.location?.file;
      if (file !== undefined) {
        const base = file.slice(file.lastIndexOf('/') + 1);
        const set = this.headersByBase.get(base);
        if (set) set.add(file);
        else this.headersByBase.set(base, new Set([file]));
      }
      const chosen = first.get(d.name);
      if (!chosen) first.set(d.name, d);
      else if (!this.contested.has(d.name) && defKey(chosen) !== defKey(d)) this.contested.set(d.name, chosen);
    }
  }

  /** Whether headers define any name more than once, differently (else no unit overrides anything). */
  get contestsAny(): boolean {
    return this.contested.size > 0;
  }

  /**
   * The definitions a unit's include closure gives contested names, where they differ from the
   * workspace-wide choice: per name the last one compiled for certain, else the first under a
   * condition that cannot be known (an `#undef` leaves the workspace's definition).
   */
  overrides(unit: UnitReading, files: ScopeFiles): MacroDef[] {
    if (!this.contested.size) return [];
    const cached = this.byUnit.get(unit);
    if (cached) return cached;
    const chosen = new Map<string, { def: MacroDef | null; certain: boolean }>();
    const reached = new Set(unit.files);
    const visited = new Set<string>();
    // Directives in the order the compiler meets them: an included file's where its #include stands.
    const visit = (path: string, depth: number): void => {
      if (visited.has(path) || depth > 64) return;
      visited.add(path);
      const dirs = files.directives(path);
      if (!dirs) return;
      const compiled = compiledLines(dirs, unit.decisions.get(path));
      const atLine = new Map((files.defines(path) ?? []).map((d) => [d.location?.range.start.line ?? -1, d]));
      for (const d of dirs) {
        const region = compiled.get(d.line);
        if (!region) continue;
        if (d.kind === 'include') {
          const target = files.resolve(path, d.name, d.angled);
          if (target !== undefined && reached.has(target)) visit(target, depth + 1);
          continue;
        }
        if ((d.kind !== 'define' && d.kind !== 'undef') || path === unit.root) continue;
        const name = d.kind === 'define' ? d.def.name : d.name;
        if (!this.contested.has(name)) continue;
        const certain = region === 'yes';
        if (!certain && chosen.has(name)) continue;
        chosen.set(name, { def: d.kind === 'define' ? (atLine.get(d.line) ?? d.def) : null, certain });
      }
    };
    visit(unit.root, 0);
    const out: MacroDef[] = [];
    for (const [name, c] of chosen) if (c.def && defKey(c.def) !== defKey(this.contested.get(name) as MacroDef)) out.push(c.def);
    this.byUnit.set(unit, out);
    return out;
  }

  /**
   * The files a unit's include graph can name: the files it reached, and transitively every file
   * an `#include` of theirs resolves to or names loosely (a header with that file name anywhere in
   * the workspace, since real include paths are often not the workspace's), whatever the `#if`s.
   */
  nameableHeaders(unit: UnitReading, files: ScopeFiles): ReadonlySet<string> {
    const cached = this.graphs.get(unit);
    if (cached) return cached;
    const graph = new Set(unit.files);
    const queue = [...unit.files];
    const add = (p: string): void => {
      if (graph.has(p)) return;
      graph.add(p);
      queue.push(p);
    };
    for (let i = 0; i < queue.length; i++) {
      const from = queue[i] as string;
      for (const d of files.directives(from) ?? []) {
        if (d.kind !== 'include') continue;
        const target = files.resolve(from, d.name, d.angled);
        if (target !== undefined) add(target);
        for (const h of this.headersByBase.get(d.name.slice(d.name.lastIndexOf('/') + 1)) ?? []) add(h);
      }
    }
    this.graphs.set(unit, graph);
    return graph;
  }

  /**
   * The headers with definitions that `unit`'s include graph cannot name (nameableHeaders): only
   * these can be unnameable for a file of it, whatever its code uses. Most units include every
   * such header themselves, and then the graph is not walked.
   */
  outsideHeaders(unit: UnitReading, files: ScopeFiles): ReadonlySet<string> {
    const cached = this.outside.get(unit);
    if (cached) return cached;
    const out = new Set<string>();
    const reached = new Set(unit.files);
    const missing = [...this.headersByBase.values()].flatMap((set) => [...set]).filter((h) => !reached.has(h));
    if (missing.length) {
      const graph = this.nameableHeaders(unit, files);
      for (const h of missing) if (!graph.has(h)) out.add(h);
    }
    this.outside.set(unit, out);
    return out;
  }

  /** outsideHeaders() per unit reading. */
  private readonly outside = new WeakMap<UnitReading, Set<string>>();

  /**
   * The headers whose definitions must not reach a file of `unit`: those its include graph cannot
   * name (outsideHeaders) that define a name its code can reach (`used`, through macro bodies).
   */
  unnameable(unit: UnitReading, files: ScopeFiles, used: ReadonlySet<string>): ReadonlySet<string> {
    const out = new Set<string>();
    const outside = this.outsideHeaders(unit, files);
    if (!outside.size) return out;
    for (const name of this.namesReached(used, new Map())) {
      for (const d of this.byName.get(name) ?? []) {
        const file = d.location?.file;
        if (file !== undefined && outside.has(file)) out.add(file);
      }
    }
    return out;
  }

  /**
   * The overrides a file's code can reach: the names it uses, and those in the bodies of any
   * definition of them, transitively. The rest would change nothing in its expansion.
   */
  reachable(overrides: readonly MacroDef[], used: ReadonlySet<string>): MacroDef[] {
    if (!overrides.length) return [];
    const seen = this.namesReached(used, new Map(overrides.map((d) => [d.name, d])));
    return overrides.filter((d) => seen.has(d.name));
  }

  /** The header-defined names `used` reaches, through the bodies of their definitions (and `extra`'s). */
  private namesReached(used: ReadonlySet<string>, extra: ReadonlyMap<string, MacroDef>): Set<string> {
    const seen = new Set<string>();
    const queue = [...used].filter((n) => this.byName.has(n));
    while (queue.length) {
      const name = queue.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const d of [...(this.byName.get(name) ?? []), ...(extra.has(name) ? [extra.get(name) as MacroDef] : [])]) {
        for (const t of d.body) if (t.kind === 'id' && !seen.has(t.text) && this.byName.has(t.text)) queue.push(t.text);
      }
    }
    return seen;
  }

  private modelledTable: { modelled: (name: string) => boolean; table: MacroTable } | null = null;

  /** The workspace-wide table without the names a reader models (shared by the loaders it serves). */
  withModelled(modelled: (name: string) => boolean): MacroTable {
    if (this.modelledTable?.modelled !== modelled) this.modelledTable = { modelled, table: new MacroTable(this.headerDefs, undefined, modelled) };
    return this.modelledTable.table;
  }

  /** Tables of the headers without some of them (headersTable), the last few used. */
  private readonly without = new Map<string, { modelled?: (name: string) => boolean; table: MacroTable }>();

  /**
   * The table of the headers' definitions without those of the `unnameable` headers: the
   * workspace's when there are none; else made once for each such set the last few units asked
   * for (units of one directory tend to leave out the same headers).
   */
  private headersTable(unnameable: ReadonlySet<string>, modelled?: (name: string) => boolean): MacroTable {
    if (!unnameable.size) return modelled ? this.withModelled(modelled) : this.global;
    const key = `${modelled ? 'm' : ''}|${[...unnameable].sort().join('\n')}`;
    let kept = this.without.get(key);
    this.without.delete(key);
    if (!kept || kept.modelled !== modelled) kept = { modelled, table: new MacroTable(this.headerDefs.filter((d) => !unnameable.has(d.location?.file ?? '')), undefined, modelled) };
    this.without.set(key, kept);
    if (this.without.size > HEADER_TABLES_KEPT) this.without.delete(this.without.keys().next().value as string);
    return kept.table;
  }

  /**
   * The table a file is expanded with: its own definitions (a BPF source's or a loader's, or a
   * header's whose macros change along it), then its unit's `overrides`, then the workspace's but
   * those of the `unnameable` headers. `modelled`: names a loader's reader models itself (never
   * expanded). Cached on the file.
   */
  tableFor(f: ScopedFile, overrides: readonly MacroDef[], modelled?: (name: string) => boolean, unnameable: ReadonlySet<string> = new Set()): MacroTable {
    if (modelled && !overrides.length && !f.defines.length && !unnameable.size) return this.withModelled(modelled);
    const own = f.defines.length > 0 && (f.kind === 'bpf' || f.kind === 'loader' || (f.kind === 'header' && changesMacros(f)));
    if (!own && !overrides.length && !modelled && !unnameable.size) return this.global;
    const key = `${overrides.map((d) => `${d.location?.file}:${d.location?.range.start.line}`).join(',')}|${modelled ? 'm' : ''}|${[...unnameable].sort().join(',')}`;
    if (f.table && f.tableKey === key) return f.table;
    const file = f.defines[0]?.location?.file ?? '';
    const front = [...(own ? f.defines : []), ...overrides];
    // A header's own definitions are among the headers' (unless it is unnameable itself).
    const inBase = f.kind === 'header' && !unnameable.has(file) ? f.defines : undefined;
    const timeline = own ? { file, undefs: f.undefs ?? [], ...(inBase ? { inBase } : {}) } : undefined;
    // Over the table of the headers it sees: the workspace's, or the workspace's without the unnameable headers.
    f.table = MacroTable.over(this.headersTable(unnameable, modelled), front, timeline, modelled);
    f.tableKey = key;
    return f.table;
  }
}
