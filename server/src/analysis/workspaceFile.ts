// What the workspace keeps per file: its kind, text, parse, macros and the facts read from it.
import type { CDocument } from './c/document';
import type { Directive } from './c/directives';
import type { MacroDef, MacroTable } from './c/macros';
import type { MacroUndef } from './c/macroTimeline';
import type { Decisions } from './c/preprocess';
import type { BpfObjectFacts, KfuncDeclFact, LoaderFacts, ReadProblem, SkeletonFacts } from './facts';
import type { FileKind } from './fileKinds';
import { objectNamesForSource } from './objectNames';
import { collectDefines } from './c/macros';
import { collectUndefs } from './c/macroTimeline';
import { directiveSignature, FUNCTION_DEFINITION, sectionUse, withoutComments } from './fileKinds';
import { angleIncludes, quotedIncludes } from './fragments';
import { scanKfuncDecls } from './kfuncs';
import { ownMacrosKey } from './macroScopes';

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
  return { origin: 'source', file, objectNames: objectNamesForSource(file), programs: [], structOpsMaps: [], otherMaps: [], kfuncDecls: [], problems: [], modified };
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
