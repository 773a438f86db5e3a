// What the workspace keeps per file: its kind, text, parse, macros and the facts read from it.
import type { CDocument } from './c/document';
import type { Directive } from './c/directives';
import type { MacroDef, MacroTable } from './c/macros';
import type { MacroUndef } from './c/macroTimeline';
import type { Decisions } from './c/preprocess';
import type { BpfObjectFacts, KfuncDeclFact, LoaderFacts, ReadProblem, SkeletonFacts } from './facts';
import { bpfObjectFacts } from './facts';
import type { FileKind } from './fileKinds';
import { objectNamesForSource } from './objectNames';
import { collectDefines } from './c/macros';
import { collectUndefs } from './c/macroTimeline';
import { directiveSignature, FUNCTION_DEFINITION, sectionUse, withoutComments } from './fileKinds';
import { angleIncludes, quotedIncludes } from './fragments';
import { scanKfuncDecls } from './kfuncs';
import { ownMacrosKey } from './macroScopes';
import type { SpanEdit } from './relocate';

/** A reading asked of a file: the values of its conditionals, and the includer's macros its code uses. */
export interface Wanted {
  decisions: Decisions | undefined;
  includer: MacroDef[];
}

export interface FileEntry {
  kind: FileKind;
  /** Given by an editor buffer: its tree is kept for incremental re-parsing. */
  live?: boolean;
  /** A header that defines programs or maps itself (read like a BPF source, as a fragment). */
  holdsPrograms?: boolean;
  /** A `.c` read as a BPF source only because it includes one, or a file with programs (pyperf600.c). */
  promoted?: boolean;
  /** The identifiers of its code (includers.ts), once computed. */
  identifiers?: Set<string>;
  /** Workspace files this one `#include`s with quotes. */
  includes?: string[];
  /** Names it `#include`s with angle brackets (resolved against the workspace when linking). */
  angleIncludes?: string[];
  /** The macros this file is expanded with (macroScopes.ts), and what they were made from. */
  table?: MacroTable;
  tableKey?: string;
  /**
   * The table the workspace last chose for it, with what the choice read: the macro scopes, its
   * text and its translation unit (the same object while the unit's files are unchanged).
   */
  tableChoice?: {
    scopes: object;
    text: string | undefined;
    unit: object | null;
    table: MacroTable;
    /** For a choice made through the unit: the names its code and own macros use, their key and the file's kind (fileMacros.ts). */
    used?: ReadonlySet<string>;
    ownKey?: string;
    kind?: string;
  };
  /** Its text is the file's with conditionals nested too deep blanked (nestingCap.ts). */
  nestingCapped?: boolean;
  /** Last modification (ms since the epoch) of the saved file, when known: the caller's mtime. */
  modified?: number;
  /** An editor buffer that differs from the saved file. */
  unsaved?: boolean;
  text?: string;
  bytes?: Uint8Array;
  doc?: CDocument;
  facts?: BpfObjectFacts | LoaderFacts | SkeletonFacts;
  /** Its preprocessor directives (C files), scanned when a unit first reads the file. */
  directives?: Directive[];
  /** directiveSignature of its text, once computed. */
  directiveSig?: string;
  /** BPF facts per set of conditional values (decisionsKey): one reading per distinct includer context. */
  readings?: Map<string, BpfObjectFacts>;
  /** What went wrong when the file was last parsed (kept until it is parsed again). */
  parseProblems?: ReadProblem[];
  /** A header that defines functions (`static inline` helpers): read for the calls they make. */
  definesFunctions?: boolean;
  defines: MacroDef[];
  /** Its `#undef`s: with a redefinition, its macros change along the file (c/macroTimeline.ts). */
  undefs?: MacroUndef[];
  kfuncs: KfuncDeclFact[];
  problems: ReadProblem[];
}

/** An empty reading, for a source too large to parse. */
export function emptySource(file: string, modified?: number): BpfObjectFacts {
  return bpfObjectFacts({ origin: 'source', file, objectNames: objectNamesForSource(file), programs: [], structOpsMaps: [], otherMaps: [], kfuncDecls: [], problems: [], modified });
}

/**
 * What a C or header text gives its entry: directives kept from `old` when they did not change,
 * macros (and the macro table, when the file's own are the same), kfunc declarations, includes,
 * and whether a header holds programs or helper functions.
 */
export function readText(entry: FileEntry, path: string, text: string, old: FileEntry | undefined, sectionMacros: ReadonlySet<string>): void {
  const kind = entry.kind;
  // Same directives as before (an edit inside a function): the units that read them stay valid.
  if (old?.directives && old.text !== undefined) {
    entry.directiveSig = directiveSignature(text);
    if ((old.directiveSig ??= directiveSignature(old.text)) === entry.directiveSig) entry.directives = old.directives;
  }
  if (kind === 'header') entry.definesFunctions = FUNCTION_DEFINITION.test(text);
  if (kind === 'header' || kind === 'bpf' || kind === 'loader') {
    entry.defines = collectDefines(text, path);
    entry.undefs = collectUndefs(text);
  }
  // Same #defines (and #undefs, where they stand) as before: keep the file's macro table (and with it the expansion cache).
  if (old?.table && kind === old.kind && kind !== 'header' && ownMacrosKey(old) === ownMacrosKey(entry)) {
    entry.table = old.table;
    entry.tableKey = old.tableKey;
  }
  // The last choice of a table, with what it read: kept if this text reaches what it read (fileMacros.ts).
  if (old?.tableChoice && kind === old.kind) entry.tableChoice = old.tableChoice;
  if (kind === 'header' || kind === 'bpf') entry.kfuncs = scanKfuncDecls(text, path);
  if (kind === 'header' || kind === 'bpf') {
    entry.includes = quotedIncludes(path, text);
    entry.angleIncludes = angleIncludes(text);
  } else if (kind === 'other' && path.endsWith('.c')) entry.includes = quotedIncludes(path, text);
  // Directives left out with their continued lines (a macro body's `_section_("...")` is not a use).
  if (kind === 'header') entry.holdsPrograms = sectionUse(sectionMacros).test(withoutComments(text).replace(/^[ \t]*#(?:.*\\\n)*.*$/gm, ''));
}

/**
 * What readText() would give a BPF source or a loader after an edit that leaves its directives,
 * comments, literals and kfunc declarations alone (c/textEdit.ts), taken from the entry before:
 * the same directives, includes and kfunc declarations, the `#define`s and `#undef`s after the
 * edit moved by its length. False (nothing set) for other kinds: read the text again.
 */
export function readTextAfterEdit(entry: FileEntry, old: FileEntry, edit: SpanEdit): boolean {
  const kind = entry.kind;
  if (kind !== old.kind || (kind !== 'bpf' && kind !== 'loader') || old.text === undefined) return false;
  const delta = edit.newEnd - edit.oldEnd;
  const moved = <T extends { offset?: number }>(list: readonly T[]): T[] => {
    let out: T[] | null = null;
    list.forEach((x, i) => {
      if (x.offset === undefined || x.offset < edit.oldEnd || !delta) return;
      out ??= list.slice();
      out[i] = { ...x, offset: x.offset + delta };
    });
    return out ?? (list as T[]);
  };
  if (old.directives) entry.directives = old.directives;
  if (old.directiveSig !== undefined) entry.directiveSig = old.directiveSig;
  entry.defines = moved(old.defines);
  entry.undefs = old.undefs && moved(old.undefs);
  if (old.table && (entry.defines === old.defines && entry.undefs === old.undefs ? true : ownMacrosKey(old) === ownMacrosKey(entry))) {
    entry.table = old.table;
    entry.tableKey = old.tableKey;
  }
  if (old.tableChoice) entry.tableChoice = old.tableChoice;
  if (kind === 'bpf') {
    entry.kfuncs = old.kfuncs;
    entry.includes = old.includes;
    entry.angleIncludes = old.angleIncludes;
  }
  return true;
}
