// Macro definitions: the conventions of libbpf, sched_ext and HID-BPF headers built in, plus the
// project's own `#define`s. Only macros that (transitively) produce a `SEC(...)` are expanded;
// everything else is left for tree-sitter to read as written.
import type { Location } from '../facts';
import type { Token } from './lexer';
import { makeDef, parseParams } from './defineLines';
import { MacroTimeline, type MacroUndef } from './macroTimeline';
import { TopLevelScanner } from './topLevel';
import { isPlainName, namesPattern } from './nameFinder';
import { directlySection, SECTION_MACRO, sectionAttributeMacros, spreadSection } from './sectionMacros';
import { ExpandedNames, LayeredDefs, usersByName, type BaseIndex } from './macroLayers';

export { collectDefines, parseDefine } from './defineLines';

export interface MacroDef {
  name: string;
  /** Parameter names, or null for an object-like macro. A variadic `...` is named `__VA_ARGS__`. */
  params: string[] | null;
  /** The name the variadic arguments are known by in the body (`__VA_ARGS__` or `args` for `args...`). */
  variadic: string | null;
  body: Token[];
  /** Where it was defined; undefined for built-ins. */
  location?: Location;
  /** Offset of its `#define` line in its file (collectDefines), for definitions that change along the file. */
  offset?: number;
}

/** Macros of libbpf's own headers whose expansion is replaced by the shape the analysis needs. */
const LIBBPF_SHAPES: Record<string, string> = {
  // bpf_tracing.h: the program's C name and its arguments as written.
  BPF_PROG: 'name, args... | name(args)',
  BPF_PROG2: 'name, args... | name(args)',
  BPF_KPROBE: 'name, args... | name(args)',
  BPF_KRETPROBE: 'name, args... | name(args)',
  BPF_KSYSCALL: 'name, args... | name(args)',
  BPF_KPROBE_SYSCALL: 'name, args... | name(args)',
  BPF_UPROBE: 'name, args... | name(args)',
  BPF_URETPROBE: 'name, args... | name(args)',
  BPF_USDT: 'name, args... | name(args)',
};

/**
 * bpf_helpers.h's map-definition macros, in a shape tree-sitter reads as field declarations
 * (`__uint(type, X)` is `int (*type)[X]` in libbpf too).
 */
const MAP_DEFINITION_SHAPES: Record<string, string> = {
  __uint: 'name, val | int (*name)[val]',
  __ulong: 'name, val | unsigned long name',
  __type: 'name, val | val *name',
  __array: 'name, val | val *name[]',
};

/** Defaults for conventions that projects usually define in their own headers. */
const CONVENTIONS: Record<string, string> = {
  BPF_STRUCT_OPS: 'name, args... | SEC("struct_ops/" #name) BPF_PROG(name, ##args)',
  BPF_STRUCT_OPS_SLEEPABLE: 'name, args... | SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)',
  SCX_OPS_DEFINE: '__name, ... | SEC(".struct_ops.link") struct sched_ext_ops __name = { __VA_ARGS__, };',
  HID_BPF_OPS: 'name | SEC(".struct_ops.link") struct hid_bpf_ops name',
};

/**
 * libbpf's token-pasting helpers (bpf_helpers.h), with which projects' own macros make names — a
 * scope guard's label, `___bpf_apply(__label_, __COUNTER__)`. Unexpanded, such a label reads as a
 * call and tree-sitter loses the rest of the function.
 */
const LIBBPF_HELPERS: Record<string, string> = {
  ___bpf_concat: 'a, b | a ## b',
  ___bpf_apply: 'fn, n | ___bpf_concat(fn, n)',
};

/**
 * Attribute-like macros of libbpf's headers that tree-sitter cannot read where they stand
 * (`extern int f(void) __ksym __weak;`). They expand to nothing.
 */
const BLANKS = ['__ksym', '__kconfig', '__weak', '__always_inline', '__noinline', '__hidden', '__maybe_unused'];

export { SECTION_MACRO, sectionAttributeMacros } from './sectionMacros';

/** Names every table gives its built-in definition, whatever the project defines. */
const FIXED_NAMES: ReadonlySet<string> = new Set([...BLANKS, ...Object.keys(LIBBPF_SHAPES), ...Object.keys(MAP_DEFINITION_SHAPES)]);

/** Built-in definitions, lexed once (every table holds them; definitions are never changed). */
const builtins = new Map<string, MacroDef>();

function builtin(name: string, spec: string): MacroDef {
  const key = `${name}\u0000${spec}`;
  let def = builtins.get(key);
  if (!def) {
    const [paramText = '', bodyText = ''] = spec.split(' | ');
    def = makeDef(name, parseParams(paramText), bodyText);
    builtins.set(key, def);
  }
  return def;
}

const blanks = new Map<string, MacroDef>();

function blank(name: string): MacroDef {
  let def = blanks.get(name);
  if (!def) blanks.set(name, (def = makeDef(name, null, '')));
  return def;
}

/** Two definitions of a name that expand alike: the same parameters and body tokens. */
function sameDefinition(a: MacroDef, b: MacroDef): boolean {
  if (a.variadic !== b.variadic || a.body.length !== b.body.length) return false;
  if (a.params !== b.params && (a.params === null || b.params === null || a.params.join(',') !== b.params.join(','))) return false;
  for (let i = 0; i < a.body.length; i++) {
    const x = a.body[i] as Token;
    const y = b.body[i] as Token;
    if (x.text !== y.text || x.kind !== y.kind) return false;
  }
  return true;
}

/**
 * The file a table expands, with its `#undef`s (its definitions then change along it).
 * `inBase`: for a table made over a base (MacroTable.over), the file's definitions the base's
 * definitions hold too, in their order there (a header's own).
 */
export interface OwnFile {
  file: string;
  undefs: readonly MacroUndef[];
  inBase?: readonly MacroDef[];
}

/**
 * The macros the expander uses: libbpf's shapes always, then the project's definitions, then the
 * defaults for conventions the project did not define. Only macros that lead to `SEC` are kept.
 */
export class MacroTable {
  private readonly defs: Map<string, MacroDef> | LayeredDefs;
  private interesting: ReadonlySet<string> = new Set<string>();
  private projectLeadsToSec = new Set<string>();
  /** The names whose expansion reaches `SEC` (what makes a file worth expanding: mentionsOutsideText). */
  private leadsToSec: ReadonlySet<string> = new Set();
  private pattern: RegExp | null = null;
  /** The same, global: where each use stands (mentionsOutsideText). */
  private patternAll: RegExp | null = null;
  /** The expanded file's macros whose definition changes along it (`#undef`, redefinition). */
  private readonly timeline: MacroTimeline | null = null;

  /**
   * `own`: the file this table expands, with its `#undef`s; its definitions then apply from their
   * `#define` to the next `#undef` or redefinition of the same name, in file order.
   * `modelled`: names a reader models itself, never expanded whatever the project defines
   * (a loader's SCX_OPS_LOAD: loader/loaderCalls.ts).
   */
  constructor(projectDefines: Iterable<MacroDef> = [], own?: OwnFile, modelled?: (name: string) => boolean, base?: MacroTable) {
    const ownDefs: MacroDef[] = [];
    const defs = new Map<string, MacroDef>();
    const skipped = (def: MacroDef): boolean => def.name in LIBBPF_SHAPES || def.name in MAP_DEFINITION_SHAPES || def.name === SECTION_MACRO || !!modelled?.(def.name);
    for (const def of projectDefines) {
      if (skipped(def)) continue;
      if (own && def.location?.file === own.file) ownDefs.push(def);
      // Over a base, the names every table gives its built-in definition stay the base's.
      if (base && FIXED_NAMES.has(def.name)) continue;
      if (!defs.has(def.name)) defs.set(def.name, def);
    }
    // A header's own definitions are among the base's too: its timeline reads them there as well.
    if (base && own?.inBase) for (const def of own.inBase) if (!skipped(def) && def.location?.file === own.file) ownDefs.push(def);
    if (own) {
      const timeline = new MacroTimeline(ownDefs, own.undefs);
      if (!timeline.empty) this.timeline = timeline;
    }
    if (base) {
      if (base.defs instanceof LayeredDefs) throw new Error('a macro table is made over a table made from scratch');
      this.defs = new LayeredDefs(defs, base.defs);
      this.baseOf = base;
      this.computeInteresting(base);
      return;
    }
    this.defs = defs;
    for (const [name, spec] of Object.entries(CONVENTIONS)) if (!defs.has(name)) defs.set(name, builtin(name, spec));
    for (const [name, spec] of Object.entries(LIBBPF_HELPERS)) if (!defs.has(name)) defs.set(name, builtin(name, spec));
    for (const [name, spec] of Object.entries(LIBBPF_SHAPES)) defs.set(name, builtin(name, spec));
    for (const name of BLANKS) defs.set(name, blank(name));
    for (const [name, spec] of Object.entries(MAP_DEFINITION_SHAPES)) defs.set(name, builtin(name, spec));
    this.computeInteresting();
  }

  /**
   * The table with `front` before the definitions `base` was made from: the same table as
   * `new MacroTable([...front, ...theirs], own, modelled)`, where `base` is
   * `new MacroTable(theirs, undefined, modelled)` (the same `modelled`), made without copying or
   * walking the base's definitions again.
   */
  static over(base: MacroTable, front: Iterable<MacroDef>, own?: OwnFile, modelled?: (name: string) => boolean): MacroTable {
    return new MacroTable(front, own, modelled, base);
  }

  private baseIndex: BaseIndex | null = null;
  /** The table this one was made over (MacroTable.over). */
  private baseOf: MacroTable | null = null;

  /** What tables made over this one read of it (macroLayers.ts), computed once. */
  private index(): BaseIndex {
    if (this.baseIndex) return this.baseIndex;
    const all = [...this.defs.values()];
    const directSection = new Set<string>();
    const locatedAt = new Map<string, number>();
    for (const d of all) {
      if (!d.location) continue;
      locatedAt.set(d.name, locatedAt.size);
      if (directlySection(d)) directSection.add(d.name);
    }
    this.baseIndex = { usedBy: usersByName(all), directSection, locatedAt, plainNames: [...this.interesting].every(isPlainName) };
    return this.baseIndex;
  }

  /** Macros whose expansion reaches `SEC`, directly or through other such macros. */
  private computeInteresting(base?: MacroTable): void {
    const reaches = new Set<string>([SECTION_MACRO]);
    for (const name of Object.keys(LIBBPF_SHAPES)) reaches.add(name);
    const timelineDefs = this.timeline?.definitions() ?? [];
    // The definitions that use each name; from the names known to reach SEC, what uses them does too.
    let usersOf: (name: string) => readonly string[];
    if (base && this.defs instanceof LayeredDefs) {
      const index = base.index();
      const front = this.defs.front;
      const extra = usersByName([...front.values(), ...timelineDefs]);
      // The base's users of a name, but those whose definition this table replaces, then its own.
      usersOf = (name) => {
        const theirs = index.usedBy.get(name) ?? [];
        const kept = front.size ? theirs.filter((u) => !front.has(u)) : theirs;
        const mine = extra.get(name);
        return mine ? [...kept, ...mine] : kept;
      };
      for (const name of this.sectionOverBase(base.defs as Map<string, MacroDef>, index, front, timelineDefs, usersOf)) reaches.add(name);
    } else {
      const all = [...this.defs.values(), ...timelineDefs];
      for (const name of sectionAttributeMacros(all.filter((d) => d.location))) reaches.add(name);
      const usedBy = usersByName(all);
      usersOf = (name) => usedBy.get(name) ?? [];
    }
    const work = [...reaches];
    for (let name = work.pop(); name !== undefined; name = work.pop()) {
      for (const user of usersOf(name)) {
        if (reaches.has(user)) continue;
        reaches.add(user);
        work.push(user);
      }
    }
    // Only these make a file worth expanding. In such a file, blanks and the project's macros are
    // expanded too (a slot written as `SHARED_SLOT`, a section as `SEC(MY_SECTION)`).
    const names = [...reaches].sort((a, b) => b.length - a.length);
    this.leadsToSec = new Set(reaches);
    this.pattern = new RegExp(`\\b(?:${names.join('|')})\\b`);
    this.patternAll = new RegExp(this.pattern.source, 'g');
    this.projectLeadsToSec = new Set([...reaches].filter((n) => this.defs.get(n)?.location));
    for (const name of BLANKS) reaches.add(name);
    for (const name of Object.keys(MAP_DEFINITION_SHAPES)) reaches.add(name);
    for (const name of Object.keys(LIBBPF_HELPERS)) reaches.add(name);
    // The project's own macros are expanded wherever they appear, like the compiler does: an
    // attribute macro before a program, a slot written through a macro, a kfunc call in one.
    if (this.defs instanceof LayeredDefs) this.interesting = new ExpandedNames(reaches, this.defs);
    else {
      for (const def of this.defs.values()) if (def.location) reaches.add(def.name);
      this.interesting = reaches;
    }
    this.invocations = null;
  }

  /**
   * sectionAttributeMacros() of this table's definitions, over a base: the same rounds, in the
   * same order, but only over the definitions that use, through other definitions, a name that is
   * itself a section attribute (no other can be added).
   */
  private sectionOverBase(theirs: ReadonlyMap<string, MacroDef>, index: BaseIndex, front: ReadonlyMap<string, MacroDef>, timelineDefs: readonly MacroDef[], usersOf: (name: string) => readonly string[]): Set<string> {
    const mine = [...front.values()].filter((d) => d.location);
    const late = timelineDefs.filter((d) => d.location);
    const out = new Set<string>();
    for (const d of mine) if (directlySection(d)) out.add(d.name);
    for (const name of index.directSection) if (!front.has(name)) out.add(name);
    for (const d of late) if (directlySection(d)) out.add(d.name);
    if (!out.size) return out;
    const reached = new Set(out);
    const work = [...out];
    for (let name = work.pop(); name !== undefined; name = work.pop()) {
      for (const user of usersOf(name)) {
        if (reached.has(user)) continue;
        reached.add(user);
        work.push(user);
      }
    }
    const at = (name: string): number => index.locatedAt.get(name) ?? -1;
    const fromBase = [...reached].filter((n) => !front.has(n) && at(n) >= 0).sort((a, b) => at(a) - at(b));
    const candidates = [...mine.filter((d) => reached.has(d.name)), ...fromBase.map((n) => theirs.get(n) as MacroDef), ...late.filter((d) => reached.has(d.name))];
    spreadSection(candidates, out);
    return out;
  }

  private invocations: RegExp | null = null;

  /** A global pattern matching every name the expander may expand (callers set lastIndex; nameFinder.ts). */
  invocationPattern(): RegExp {
    return (this.invocations ??= namesPattern(this.interesting, this.plainNames()));
  }

  /** Over a base: whether every name it expands is plain, without walking the base's names (undefined: let namesPattern look). */
  private plainNames(): boolean | undefined {
    if (!(this.defs instanceof LayeredDefs) || !this.baseOf) return undefined;
    if (!this.baseOf.index().plainNames) return false;
    for (const name of this.defs.front.keys()) if (!isPlainName(name)) return false;
    for (const name of this.leadsToSec) if (!isPlainName(name)) return false;
    return true;
  }

  /** The definition expanded for `name`; `at`: where the use stands in the expanded file. */
  get(name: string, at = -1): MacroDef | undefined {
    if (!this.interesting.has(name)) return undefined;
    if (this.timeline && at >= 0) {
      const def = this.timeline.at(name, at);
      if (def !== undefined) return def ?? undefined;
    }
    return this.defs.get(name);
  }

  /**
   * What an invocation's expansion depends on besides its text: '' for a file whose definitions
   * never change, else which of its changes precede `at`.
   */
  versionAt(at: number): string {
    return this.timeline ? `${this.timeline.epoch(at)}\u0000` : '';
  }

  /** Where the last `#undef` or redefinition of the expanded file stands (-1: none). */
  get lastChange(): number {
    return this.timeline?.lastChange ?? -1;
  }

  isExpanded(name: string): boolean {
    return this.interesting.has(name);
  }

  /** Quick test: does this text mention any macro we expand? */
  mentionsAny(text: string): boolean {
    return this.pattern?.test(text) ?? false;
  }

  /**
   * Does this text mention a macro that leads to `SEC` outside comments and strings (in code or
   * in a directive)? A loader whose help text says "SEC" is not expanded for it.
   */
  mentionsOutsideText(text: string): boolean {
    const uses = this.patternAll;
    if (!this.pattern || !uses || !this.pattern.test(text)) return false;
    uses.lastIndex = 0;
    const scan = new TopLevelScanner(text);
    for (let m = uses.exec(text); m; m = uses.exec(text)) {
      scan.advance(m.index);
      if (!scan.inCommentOrString) return true;
    }
    return false;
  }

  /**
   * The names `other` expands differently from this table: defined in one only, defined
   * differently (params or body; where a definition stands does not count), expanded in one only,
   * or leading to `SEC` in one only. An expansion that never looked any of them up, and holds none
   * of them where it could be an invocation, is the same with either table (c/tableChange.ts).
   */
  changedNames(other: MacroTable): Set<string> {
    const out = new Set<string>();
    for (const [name, d] of this.defs) {
      const e = other.defs.get(name);
      if (e !== d && (!e || !sameDefinition(d, e))) out.add(name);
    }
    for (const name of other.defs.keys()) if (!this.defs.has(name)) out.add(name);
    for (const [a, b] of [
      [this.interesting, other.interesting],
      [other.interesting, this.interesting],
      [this.leadsToSec, other.leadsToSec],
      [other.leadsToSec, this.leadsToSec],
    ] as const) {
      for (const name of a) if (!b.has(name)) out.add(name);
    }
    return out;
  }

  /** Whether `[from, to)` of `text` names a macro that leads to `SEC`, wherever (code, comment, directive). */
  mentionsSectionIn(text: string, from: number, to: number): boolean {
    const uses = this.patternAll;
    if (!uses) return false;
    uses.lastIndex = from;
    const m = uses.exec(text);
    return m !== null && m.index < to;
  }

  /** Whether `name` leads to `SEC` (mentionsOutsideText looks for these). */
  leadsToSection(name: string): boolean {
    return this.leadsToSec.has(name);
  }

  /** The project's definitions that lead to `SEC` (for hover and docs). */
  projectMacros(): MacroDef[] {
    return [...this.defs.values()].filter((d) => this.projectLeadsToSec.has(d.name));
  }
}
