// The macros each file of the workspace is expanded with: the headers' definitions (the macro
// scopes, rebuilt only when a header's definitions change), what a file's own translation unit
// includes first (macroScopes.ts), and a BPF source's or loader's own `#define`s. The choice per
// file is kept while what it read is the same.
import { sectionAttributeMacros, type MacroDef, type MacroTable } from './c/macros';
import type { Directive } from './c/directives';
import { MacroScopes, ownMacrosKey, type ScopeFiles } from './macroScopes';
import type { MacroUndef } from './c/macroTimeline';
import { isModelledMacro } from './loader/loaderCalls';
import { classify, MAX_PARSED_BYTES, sectionUse, withoutComments } from './fileKinds';
import { codeIdentifiers } from './includers';
import type { TranslationUnits } from './units';
import type { Decisions } from './c/preprocess';
import type { FileEntry } from './workspaceFile';
import { commonEnds } from './relocate';

export class FileMacros {
  scopes = new MacroScopes([]);
  /** Header macros that put their argument in a section (`__section("tc")`): their users are BPF sources. */
  sectionMacros: ReadonlySet<string> = new Set();
  private headerLists: readonly MacroDef[][] = [];
  /** The names the headers define (what a file's code can reach of the scopes). */
  private headerNames: ReadonlySet<string> = new Set();
  readonly scopeFiles: ScopeFiles;
  /** The code identifiers of each edited file, with the text they were read from (tableFor). */
  private readonly liveIdentifiers = new Map<string, { text: string; ids: Set<string> }>();

  constructor(
    private readonly files: ReadonlyMap<string, FileEntry>,
    private readonly units: TranslationUnits,
    directives: (path: string) => readonly Directive[] | undefined,
  ) {
    this.scopeFiles = {
      defines: (p) => this.files.get(p)?.defines,
      directives,
      resolve: (from, name, angled) => this.units.resolve(from, name, angled),
    };
  }

  /**
   * Macros come from the workspace's headers, and each BPF source also sees its own `#define`s
   * (which win, and stay its own: two files may define DEF differently). When the headers'
   * definitions changed, files whose kind depends on the section macros are given to `reclassify`,
   * and every file's table and facts are dropped.
   */
  refresh(reclassify: (path: string, f: FileEntry) => void): void {
    // The headers' definitions as the same lists as last time (no header changed): nothing to redo.
    const lists = [...this.files.values()].filter((f) => f.kind === 'header').map(definedAtEnd);
    if (lists.length === this.headerLists.length && lists.every((l, i) => l === this.headerLists[i])) return;
    this.headerLists = lists;
    const scopes = new MacroScopes(lists.flat());
    if (scopes.key === this.scopes.key) return;
    this.scopes = scopes;
    this.headerNames = new Set(scopes.headerDefs.map((d) => d.name));
    // A header's section attribute macro (`__section("tc")`) makes the files that use it BPF sources.
    const sectionMacros = sectionAttributeMacros(scopes.headerDefs);
    if ([...sectionMacros].sort().join() !== [...this.sectionMacros].sort().join()) {
      this.sectionMacros = sectionMacros;
      const use = sectionUse(sectionMacros);
      for (const [path, f] of [...this.files]) {
        if (f.text === undefined) continue;
        const changes = f.kind === 'header' ? f.holdsPrograms !== use.test(withoutComments(f.text).replace(/^[ \t]*#.*(?:\\\n.*)*$/gm, '')) : path.endsWith('.c') && !path.endsWith('.bpf.c') && f.kind !== classify(path, f.text, sectionMacros);
        if (changes) reclassify(path, f);
      }
    }
    for (const f of this.files.values()) {
      f.table = undefined;
      f.doc?.setMacros(this.scopes.global);
      if (f.kind === 'bpf' || f.kind === 'header' || f.kind === 'loader') {
        f.facts = undefined;
        f.readings = undefined;
      }
    }
  }

  /** The values of a loader's conditionals in its host build (its own translation unit). */
  loaderDecisions(path: string): Decisions | undefined {
    return this.units.hostUnit(path).decisions.get(path);
  }

  /**
   * The macros a file is expanded with: a BPF source's and a loader's come from what its own
   * translation unit includes first (macroScopes.ts); a loader keeps the macros its reader models.
   */
  tableFor(path: string, f: FileEntry): MacroTable {
    // Asked for every loader on every model build (every keystroke): the last choice stands while
    // the scopes, the text and the unit are the same.
    const last = f.tableChoice;
    const known = last && last.scopes === this.scopes && last.text === f.text;
    if (known && last.unit === null) return last.table;
    // A loader that mentions no macro leading to a section is not expanded at all (c/expand.ts):
    // its own unit's definitions would change nothing, so it is not read for them.
    if (f.kind === 'loader' && (f.text === undefined || !this.scopes.withModelled(isModelledMacro).mentionsAny(f.text))) return this.chosen(f, null, this.scopes.withModelled(isModelledMacro));
    const unit = f.text === undefined ? null : f.kind === 'bpf' ? this.units.unit(path) : f.kind === 'loader' ? this.units.hostUnit(path) : null;
    if (known && last.unit === unit) return last.table;
    // An edit (a keystroke) that brings in no header macro name the last choice did not read, with
    // the same own macros, unit and scopes: the same overrides and unnameable headers reach its code.
    if (last?.used && unit && last.unit === unit && last.scopes === this.scopes && last.kind === f.kind && last.text !== undefined && f.text !== undefined) {
      if (last.ownKey === ownMacrosKey(f) && this.bringsNoName(last.text, f.text, last.used)) {
        f.tableChoice = { ...last, text: f.text };
        return last.table;
      }
    }
    // A keystroke on a directive line (a `#define` being typed) leaves the code's identifiers as they were.
    const lastIds = f.live ? this.liveIdentifiers.get(path) : undefined;
    if (lastIds && f.identifiers === undefined && f.text !== undefined && onlyDirectiveLineChanged(lastIds.text, f.text)) f.identifiers = lastIds.ids;
    const all = unit ? this.scopes.overrides(unit, this.scopeFiles) : [];
    // Headers its unit cannot include give it nothing (a header elsewhere in the workspace defining a name it uses).
    const outside = unit ? this.scopes.outsideHeaders(unit, this.scopeFiles) : undefined;
    // Only what the file's code (or its own macros) can reach changes its expansion; without
    // overrides or headers outside its unit, nothing it uses can, and its code is not read for names.
    const used = unit && (all.length || outside?.size) ? new Set([...this.identifiersOf(f), ...f.defines.flatMap((d) => d.body.filter((t) => t.kind === 'id').map((t) => t.text))]) : undefined;
    if (f.live && used && f.text !== undefined) this.liveIdentifiers.set(path, { text: f.text, ids: this.identifiersOf(f) });
    const overrides = used ? this.scopes.reachable(all, used) : [];
    const unnameable = unit && used && outside?.size ? this.scopes.unnameable(unit, this.scopeFiles, used) : undefined;
    const table = this.scopes.tableFor(f, overrides, f.kind === 'loader' ? isModelledMacro : undefined, unnameable);
    return this.chosen(f, unit, table, used ? { used, ownKey: ownMacrosKey(f), kind: f.kind } : undefined);
  }

  private chosen(f: FileEntry, unit: object | null, table: MacroTable, read?: { used: ReadonlySet<string>; ownKey: string; kind: string }): MacroTable {
    f.tableChoice = { scopes: this.scopes, text: f.text, unit, table, ...read };
    return table;
  }

  /**
   * Whether `after` differs from `before` only in lines whose identifiers that headers define are
   * all in `used` (the names the choice read, a superset of the code's: a name typed away leaves
   * one that reaches nothing the code uses). Lines that hold a comment, a directive or a line
   * continuation (`/`, `*`, `#`, `\`) may change what is code elsewhere: those are not judged here.
   */
  private bringsNoName(before: string, after: string, used: ReadonlySet<string>): boolean {
    const { prefix: start, suffix: tail } = commonEnds(before, after);
    const lines = (text: string, end: number): string => {
      const stop = text.indexOf('\n', end);
      return text.slice(start === 0 ? 0 : text.lastIndexOf('\n', start - 1) + 1, stop < 0 ? text.length : stop);
    };
    const was = lines(before, before.length - tail);
    const now = lines(after, after.length - tail);
    if (/[/*#\\]/.test(was) || /[/*#\\]/.test(now)) return false;
    for (const id of now.match(/[A-Za-z_]\w*/g) ?? []) if (!used.has(id) && this.headerNames.has(id)) return false;
    return true;
  }

  /** The identifiers of a file's code (includers.ts), once per text. */
  identifiersOf(f: FileEntry): Set<string> {
    return (f.identifiers ??= f.text !== undefined && f.text.length <= MAX_PARSED_BYTES ? codeIdentifiers(f.text) : new Set());
  }
}

/**
 * Whether `after` differs from `before` only within one line that is a directive's first line in
 * both, written without comment, literal or continuation characters, and not inside a comment or
 * a continued directive: then the identifiers of the code (codeIdentifiers) are the same.
 */
export function onlyDirectiveLineChanged(before: string, after: string): boolean {
  const { prefix, suffix } = commonEnds(before, after);
  const start = prefix === 0 ? 0 : before.lastIndexOf('\n', prefix - 1) + 1;
  const line = (text: string): string => {
    const nl = text.indexOf('\n', text.length - suffix);
    return text.slice(start, nl < 0 ? text.length : nl);
  };
  const was = line(before);
  const now = line(after);
  if (was.includes('\n') || now.includes('\n') || !DIRECTIVE_START.test(was) || !DIRECTIVE_START.test(now)) return false;
  if (LEXICAL.test(was) || LEXICAL.test(now)) return false;
  // The line before continues onto this one (a backslash at its end), or a block comment is open here.
  if (start >= 2 && (before.charCodeAt(start - 2) === 92 || (before.charCodeAt(start - 2) === 13 && before.charCodeAt(start - 3) === 92))) return false;
  return before.lastIndexOf('/*', start) <= before.lastIndexOf('*/', start);
}

const DIRECTIVE_START = /^[ \t]*#/;
/** Characters that open or close a comment or a literal, or continue a line. */
const LEXICAL = /["'/*\\]/;

/** definedAtEnd() per header: its definitions and undefs as last read, and the answer. */
const atEnd = new WeakMap<MacroDef[], { undefs: MacroUndef[] | undefined; defines: MacroDef[] }>();

/**
 * The definitions a header leaves in force for what includes it: not those it `#undef`s later and
 * never defines again (HID-BPF's hid_bpf_helpers.h renames vmlinux.h's `hid_bpf_ops` around its
 * `#include "vmlinux.h"` with `#define hid_bpf_ops hid_bpf_ops___not_used` ... `#undef hid_bpf_ops`,
 * then defines its own struct: the includer's `struct hid_bpf_ops` is that one). The same list
 * while the header's definitions and undefs are (the scopes are rebuilt only when a list changes).
 */
function definedAtEnd(f: FileEntry): MacroDef[] {
  const undefs = f.undefs;
  if (!undefs?.length || !f.defines.length) return f.defines;
  const known = atEnd.get(f.defines);
  if (known && known.undefs === undefs) return known.defines;
  const lastUndef = new Map<string, number>();
  for (const u of undefs) lastUndef.set(u.name, Math.max(u.offset, lastUndef.get(u.name) ?? -1));
  const lastDefine = new Map<string, number>();
  for (const d of f.defines) lastDefine.set(d.name, Math.max(d.offset ?? -1, lastDefine.get(d.name) ?? -1));
  const undefinedAtEnd = (name: string): boolean => (lastUndef.get(name) ?? -1) > (lastDefine.get(name) ?? -1);
  const kept = f.defines.some((d) => undefinedAtEnd(d.name)) ? f.defines.filter((d) => !undefinedAtEnd(d.name)) : f.defines;
  atEnd.set(f.defines, { undefs, defines: kept });
  return kept;
}
