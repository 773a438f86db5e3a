// What the workspace keeps per file: its kind, text, parse, macros and the facts read from it.
import type { CDocument } from './c/document';
import type { Directive } from './c/directives';
import type { MacroDef, MacroTable } from './c/macros';
import type { MacroUndef } from './c/macroTimeline';
import type { Decisions } from './c/preprocess';
import type { BpfObjectFacts, KfuncDeclFact, LoaderFacts, ReadProblem, SkeletonFacts } from './facts';
import type { FileKind } from './fileKinds';
import { objectNamesForSource } from './objectNames';

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
  /** Last modification (ms since the epoch), when known. */
  modified?: number;
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
