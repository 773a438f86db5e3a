// Which macro definitions a C file is expanded with. The workspace's headers give one table (their
// first definition of each name wins), but a name several headers define differently — sched_ext's
// `__COMPAT_ENUM_OR_ZERO` in the user-side compat.h and the BPF-side compat.bpf.h, or each
// scheduler's own config.h — takes, in each translation unit, the definition the unit's includes
// compile: in include order, `#if`s evaluated as the unit evaluates them (c/preprocess.ts). Names
// the unit does not define keep the workspace's definition (system headers are not in the
// workspace); headers the unit does not include never override it.
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

  constructor(readonly headerDefs: readonly MacroDef[]) {
    this.key = definesKey(headerDefs);
    this.global = new MacroTable(headerDefs);
    const first = new Map<string, MacroDef>();
    for (const d of headerDefs) {
      const list = this.byName.get(d.name);
      if (list) list.push(d);
      else this.byName.set(d.name, [d]);
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
   * The overrides a file's code can reach: the names it uses, and those in the bodies of any
   * definition of them, transitively. The rest would change nothing in its expansion.
   */
  reachable(overrides: readonly MacroDef[], used: ReadonlySet<string>): MacroDef[] {
    if (!overrides.length) return [];
    const seen = new Set<string>();
    const queue = [...used].filter((n) => this.byName.has(n));
    const extra = new Map(overrides.map((d) => [d.name, d]));
    while (queue.length) {
      const name = queue.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const d of [...(this.byName.get(name) ?? []), ...(extra.has(name) ? [extra.get(name) as MacroDef] : [])]) {
        for (const t of d.body) if (t.kind === 'id' && !seen.has(t.text) && this.byName.has(t.text)) queue.push(t.text);
      }
    }
    return overrides.filter((d) => seen.has(d.name));
  }

  private modelledTable: { modelled: (name: string) => boolean; table: MacroTable } | null = null;

  /** The workspace-wide table without the names a reader models (shared by the loaders it serves). */
  withModelled(modelled: (name: string) => boolean): MacroTable {
    if (this.modelledTable?.modelled !== modelled) this.modelledTable = { modelled, table: new MacroTable(this.headerDefs, undefined, modelled) };
    return this.modelledTable.table;
  }

  /**
   * The table a file is expanded with: its own definitions (a BPF source's or a loader's, or a
   * header's whose macros change along it), then its unit's `overrides`, then the workspace's.
   * `modelled`: names a loader's reader models itself (never expanded). Cached on the file.
   */
  tableFor(f: ScopedFile, overrides: readonly MacroDef[], modelled?: (name: string) => boolean): MacroTable {
    if (modelled && !overrides.length && !f.defines.length) return this.withModelled(modelled);
    const own = f.defines.length > 0 && (f.kind === 'bpf' || f.kind === 'loader' || (f.kind === 'header' && changesMacros(f)));
    if (!own && !overrides.length && !modelled) return this.global;
    const key = `${overrides.map((d) => `${d.location?.file}:${d.location?.range.start.line}`).join(',')}|${modelled ? 'm' : ''}`;
    if (f.table && f.tableKey === key) return f.table;
    const file = f.defines[0]?.location?.file ?? '';
    f.table = new MacroTable([...(own ? f.defines : []), ...overrides, ...this.headerDefs], own ? { file, undefs: f.undefs ?? [] } : undefined, modelled);
    f.tableKey = key;
    return f.table;
  }
}
