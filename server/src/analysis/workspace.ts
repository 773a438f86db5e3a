// The workspace: every file's facts, kept up to date one file at a time, and the model built
// from them. Pure: callers hand in file contents (the CLI from disk, the server from the editor).
import { CDocument } from './c/document';
import { collectDefines, MacroTable, type MacroDef } from './c/macros';
import { decodeSource } from './c/text';
import { readBpfSource } from './bpfSource';
import { readBpfObject } from './elf/bpfObject';
import { scanKfuncDecls } from './kfuncs';
import { readLoader } from './loader/loader';
import { readSkeleton } from './skeleton';
import { buildModel, type ModelOptions, type WorkspaceFacts } from './engine/build';
import { angleIncludes, fragmentClosure, IncludeResolver, mergeFragments, quotedIncludes } from './fragments';
import { isBpfElf } from './elf/magic';

export { isBpfElf } from './elf/magic';
import type { BpfObjectFacts, KfuncDeclFact, LoaderFacts, ReadProblem, SkeletonFacts } from './facts';
import { fileStart } from './facts';
import type { WorkspaceModel } from './model';

export type FileKind = 'bpf' | 'loader' | 'skeleton' | 'object' | 'header' | 'other';

/** Source files above this size are not parsed (headers are still scanned for macros and kfuncs). */
export const MAX_PARSED_BYTES = 4 * 1024 * 1024;
const SEC_USE = /\bSEC\s*\(|__attribute__\s*\(\(\s*section\s*\(/;
const SKELETON_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*[<"][^>"]*\.skel\.h[>"]/m;
const LOADER_USE = /\.skel\.h"|\b\w+__open(?:_and_load|_opts)?\s*\(|\bbpf_(?:object|program|map)__\w+\s*\(|\bbpf_prog_assoc_struct_ops\s*\(|\bSCX_OPS_(?:OPEN|LOAD|ATTACH)\s*\(/;

function definesKey(defs: MacroDef[]): string {
  return defs.map((d) => `${d.name}(${d.params?.join(',') ?? ''})=${d.body.map((t) => t.text).join('')}`).join('\n');
}

interface FileEntry {
  kind: FileKind;
  /** Given by an editor buffer: its tree is kept for incremental re-parsing. */
  live?: boolean;
  /** A header that defines programs or maps itself (read like a BPF source, as a fragment). */
  holdsPrograms?: boolean;
  /** Workspace files this one `#include`s with quotes. */
  includes?: string[];
  /** Names it `#include`s with angle brackets (resolved against the workspace when linking). */
  angleIncludes?: string[];
  /** The macros this file is expanded with (its own #defines over the headers'). */
  table?: MacroTable;
  /** Last modification (ms since the epoch), when known. */
  modified?: number;
  text?: string;
  bytes?: Uint8Array;
  doc?: CDocument;
  facts?: BpfObjectFacts | LoaderFacts | SkeletonFacts;
  defines: MacroDef[];
  kfuncs: KfuncDeclFact[];
  problems: ReadProblem[];
}

/** C text with comments blanked out (strings kept), for classifying a file by what its code uses. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"/g, (m) => (m.startsWith('"') ? m : ' '));
}

/** What kind of file this is, from its name and (for `.c`) its content. */
export function classify(path: string, text: string | null): FileKind {
  if (path.endsWith('.skel.h')) return 'skeleton';
  if (path.endsWith('.o')) return 'object';
  if (path.endsWith('.h')) return 'header';
  if (path.endsWith('.bpf.c')) return 'bpf';
  if (path.endsWith('.c')) {
    if (text === null) return 'other';
    const code = withoutComments(text);
    // A file that includes a skeleton runs on the host, whatever else it mentions (a USDT's
    // `.probes` section attribute); `SEC(` only counts in code, not in a string literal.
    if (SKELETON_INCLUDE.test(code)) return 'loader';
    if (SEC_USE.test(code.replace(/"(?:[^"\\\n]|\\.)*"/g, '""'))) return 'bpf';
    if (LOADER_USE.test(code)) return 'loader';
  }
  return 'other';
}

export function isCandidate(path: string): boolean {
  return /\.(c|h|o)$/.test(path);
}

export class Workspace {
  private readonly files = new Map<string, FileEntry>();
  private macros = new MacroTable();
  private macrosKey = '';
  private cached: WorkspaceModel | null = null;
  private cachedOptions = '';

  get size(): number {
    return this.files.size;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  kindOf(path: string): FileKind | undefined {
    return this.files.get(path)?.kind;
  }

  /** Adds or replaces a file. Text files may be given as text (the editor's buffer) or bytes. */
  setFile(path: string, content: Uint8Array | string, modified?: number): void {
    this.cached = null;
    const old = this.files.get(path);
    const isObject = path.endsWith('.o');
    if (isObject) {
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      old?.doc?.dispose();
      // Only BPF ELF objects (e_machine 247); a loader's host .o files are not ours.
      const kind: FileKind = isBpfElf(bytes) ? 'object' : 'other';
      this.files.set(path, { kind, modified, bytes: kind === 'object' ? bytes : undefined, defines: [], kfuncs: [], problems: [] });
      return;
    }
    let text: string;
    const problems: ReadProblem[] = [];
    if (typeof content === 'string') text = content;
    else {
      const decoded = decodeSource(content);
      if (!decoded.ok) {
        old?.doc?.dispose();
        this.files.set(path, {
          kind: 'other',
          defines: [],
          kfuncs: [],
          problems: [{ rule: 'unreadable-file', message: `Skipped ${path.split('/').pop()}: ${decoded.reason}.`, location: fileStart(path) }],
        });
        return;
      }
      text = decoded.text;
      if (decoded.lossy) {
        problems.push({ rule: 'unreadable-file', message: `${path.split('/').pop()} is not valid UTF-8; it was read as Latin-1, so non-ASCII text may look wrong.`, location: fileStart(path) });
      }
    }
    const kind = classify(path, text);
    const entry: FileEntry = { kind, modified, text, doc: old?.doc, defines: [], kfuncs: [], problems };
    if (kind === 'header' || kind === 'bpf') entry.defines = collectDefines(text, path);
    // Same #defines as before: keep the file's macro table (and with it the expansion cache).
    if (old?.table && kind === 'bpf' && definesKey(old.defines) === definesKey(entry.defines)) entry.table = old.table;
    if (kind === 'header' || kind === 'bpf') entry.kfuncs = scanKfuncDecls(text, path);
    if (kind === 'header' || kind === 'bpf') {
      entry.includes = quotedIncludes(path, text);
      entry.angleIncludes = angleIncludes(text);
    }
    if (kind === 'header') entry.holdsPrograms = SEC_USE.test(withoutComments(text).replace(/^[ \t]*#.*(?:\\\n.*)*$/gm, ''));
    if (kind !== 'bpf' && kind !== 'loader') {
      old?.doc?.dispose();
      entry.doc = undefined;
    }
    this.files.set(path, entry);
  }

  removeFile(path: string): void {
    this.files.get(path)?.doc?.dispose();
    this.files.delete(path);
    this.cached = null;
  }

  /**
   * Macros come from the workspace's headers, and each BPF source also sees its own `#define`s
   * (which win, and stay its own: two files may define DEF differently).
   */
  private refreshMacros(): void {
    const headerDefs = [...this.files.values()].filter((f) => f.kind === 'header').flatMap((f) => f.defines);
    const key = definesKey(headerDefs);
    if (key === this.macrosKey) return;
    this.macrosKey = key;
    this.headerDefs = headerDefs;
    this.macros = new MacroTable(headerDefs);
    for (const f of this.files.values()) {
      f.table = undefined;
      if (f.doc) f.doc.setMacros(this.tableFor(f));
      if (f.kind === 'bpf') f.facts = undefined;
    }
  }

  private headerDefs: MacroDef[] = [];

  private tableFor(f: FileEntry): MacroTable {
    if (f.kind !== 'bpf' || !f.defines.length) return this.macros;
    f.table ??= new MacroTable([...f.defines, ...this.headerDefs]);
    return f.table;
  }

  /** Facts of one file, computed on demand and cached until the file or the macros change. */
  private factsOf(path: string, f: FileEntry): void {
    if (f.facts) return;
    if (f.kind === 'object' && f.bytes) f.facts = { ...readBpfObject(f.bytes, path, 'object'), modified: f.modified };
    else if (f.kind === 'skeleton' && f.text !== undefined) f.facts = { ...readSkeleton(f.text, path), modified: f.modified };
    else if ((f.kind === 'bpf' || f.kind === 'loader' || f.holdsPrograms) && f.text !== undefined) {
      if (f.text.length > MAX_PARSED_BYTES) {
        f.problems.push({ rule: 'parse-limit', message: `${path.split('/').pop()} is larger than ${MAX_PARSED_BYTES >> 20} MiB and was not analysed.`, location: fileStart(path) });
        return;
      }
      const table = this.tableFor(f);
      if (f.doc && f.doc.macros !== table) f.doc.setMacros(table);
      f.doc ??= new CDocument(table);
      const parsed = f.doc.update(f.text);
      if (!parsed.tree) {
        f.problems.push({ rule: 'parse-limit', message: `Parsing ${path.split('/').pop()} ran out of its time budget; it was not analysed.`, location: fileStart(path) });
      }
      if (parsed.expansion.truncated) {
        f.problems.push({ rule: 'parse-limit', message: `Macro expansion in ${path.split('/').pop()} exceeded its budget; the rest of the file was read unexpanded.`, location: fileStart(path) });
      }
      f.facts = f.kind === 'loader' ? readLoader(parsed, path) : { ...readBpfSource(parsed, path), modified: f.modified };
      if (!f.live) f.doc.releaseTree();
    }
  }

  /** The facts read from one file (after model() has run), for editor features that need more detail. */
  facts(path: string): BpfObjectFacts | LoaderFacts | SkeletonFacts | undefined {
    return this.files.get(path)?.facts;
  }

  /** Text of a C file as last given. */
  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  /** Drops cached facts of one file (after an edit) without re-reading it. */
  private invalidate(path: string): void {
    const f = this.files.get(path);
    if (f) f.facts = undefined;
  }

  /** The model, rebuilt when anything changed since the last call. */
  model(options: ModelOptions = {}): WorkspaceModel {
    const optionsKey = JSON.stringify(options);
    if (this.cached && optionsKey === this.cachedOptions) return this.cached;
    this.cachedOptions = optionsKey;
    this.refreshMacros();
    const facts: WorkspaceFacts = { sources: [], objectFiles: [], skeletons: [], loaders: [], headerKfuncs: [], problems: [], headers: 0 };
    for (const [path, f] of this.files) {
      f.problems = f.problems.filter((p) => p.rule === 'unreadable-file');
      this.factsOf(path, f);
      facts.problems.push(...f.problems);
      facts.headerKfuncs.push(...f.kfuncs);
      if (f.kind === 'header') facts.headers++;
      if (!f.facts) continue;
      if (f.kind === 'bpf') continue;
      else if (f.kind === 'object') facts.objectFiles.push(f.facts as BpfObjectFacts);
      else if (f.kind === 'skeleton') facts.skeletons.push(f.facts as SkeletonFacts);
      else if (f.kind === 'loader') facts.loaders.push(f.facts as LoaderFacts);
    }
    facts.sources = this.bpfObjects();
    this.cached = buildModel(facts, options);
    return this.cached;
  }

  /** One BPF object per source that no other source includes, with the fragments it includes. */
  private bpfObjects(): BpfObjectFacts[] {
    const candidates = new Set<string>();
    for (const [path, f] of this.files) if ((f.kind === 'bpf' || f.holdsPrograms) && f.facts) candidates.add(path);
    // `#include <scx/common.bpf.h>` reaches a header of the workspace as the compiler's -I would.
    const headers = new IncludeResolver([...this.files].filter(([, f]) => f.kind === 'header' || f.kind === 'bpf').map(([p]) => p));
    const includesOf = (path: string): string[] => {
      const f = this.files.get(path);
      const angled = (f?.angleIncludes ?? []).map((name) => headers.resolve(path, name)).filter((p): p is string => p !== undefined);
      return [...(f?.includes ?? []).filter((p) => this.files.has(p)), ...angled];
    };
    const fragmentsOf = new Map<string, string[]>();
    const included = new Set<string>();
    for (const [path, f] of this.files) {
      if (f.kind !== 'bpf' || !f.facts) continue;
      const fragments = fragmentClosure(path, includesOf, candidates);
      fragmentsOf.set(path, fragments);
      for (const x of fragments) included.add(x);
    }
    const out: BpfObjectFacts[] = [];
    for (const [path, fragments] of fragmentsOf) {
      if (included.has(path)) continue;
      const main = this.files.get(path)?.facts as BpfObjectFacts;
      out.push(mergeFragments(main, fragments.map((x) => this.files.get(x)?.facts as BpfObjectFacts)));
    }
    return out;
  }

  /**
   * Replace a text file's content with the editor's buffer; facts are recomputed lazily. A buffer
   * that differs from what we had counts as modified now (newer than any build output).
   */
  update(path: string, text: string): void {
    const old = this.files.get(path);
    const modified = old && old.text === text ? old.modified : Date.now();
    this.setFile(path, text, modified);
    const entry = this.files.get(path);
    if (entry) entry.live = true;
    this.invalidate(path);
  }

  dispose(): void {
    for (const f of this.files.values()) f.doc?.dispose();
    this.files.clear();
  }
}
