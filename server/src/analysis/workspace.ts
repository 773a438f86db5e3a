// The workspace: every file's facts, kept up to date one file at a time, and the model built
// from them. Pure: callers hand in file contents (the CLI from disk, the server from the editor).
// Each job has its module: what a file is (fileKinds.ts, workspaceFile.ts), the macros it is
// expanded with (fileMacros.ts), the facts read from it (fileFacts.ts), the BPF objects its
// sources make (objectSources.ts), the model (engine/build.ts).
import { decodeSource } from './c/text';
import { capNesting, MAX_NESTING } from './c/nestingCap';
import { LineIndex } from './c/lineIndex';
import { buildModel, type ModelOptions, type WorkspaceFacts } from './engine/build';
import { isBpfElf } from './elf/magic';
import { scanDirectives, type Directive } from './c/directives';
import { isBuildDescription, TranslationUnits } from './units';
import { classify, type FileKind } from './fileKinds';
import { RustLoaders } from './rust/rustLoaders';
import { FileMacros } from './fileMacros';
import { FileFacts } from './fileFacts';
import { BpfObjectSources } from './objectSources';

export { isBpfElf } from './elf/magic';
export { classify, directiveSignature, isCandidate, MAX_PARSED_BYTES, type FileKind } from './fileKinds';
import type { BpfObjectFacts, LoaderFacts, ReadProblem, SkeletonFacts } from './facts';
import { fileStart } from './facts';
import type { WorkspaceModel } from './model';
import { readText, readTextAfterEdit, type FileEntry } from './workspaceFile';
import type { SpanEdit } from './relocate';
import { leavesDirectivesAlone } from './c/textEdit';

export class Workspace {
  private readonly files = new Map<string, FileEntry>();
  private cached: WorkspaceModel | null = null;
  private cachedOptions = '';
  /** Changes when a file is added or removed (include resolution may change). */
  private pathsVersion = 0;
  private readonly units = new TranslationUnits({
    has: (p) => this.files.has(p),
    paths: () => this.files.keys(),
    directives: (p) => this.directivesOf(p),
    buildText: (p) => (this.files.get(p)?.kind === 'build' ? this.files.get(p)?.text : undefined),
    pathsVersion: () => this.pathsVersion,
  });
  private readonly macros = new FileMacros(this.files, this.units, (p) => this.directivesOf(p));
  private readonly reader = new FileFacts(this.files, this.macros);
  private readonly objects = new BpfObjectSources(this.files, this.units, this.macros, this.reader, (path, read, fallback) => this.guarded(path, read, fallback));

  /** A C file's directives, scanned once per text. */
  private directivesOf(path: string): readonly Directive[] | undefined {
    const f = this.files.get(path);
    if (!f || f.text === undefined || !/\.[ch]$/.test(path)) return undefined;
    f.directives ??= scanDirectives(f.text, path);
    return f.directives;
  }

  /** The workspace has BPF code, a Cargo.toml and Rust using a skeleton: the Rust grammar must be loaded (rust/parser.ts). */
  wantsRustGrammar(): boolean {
    return RustLoaders.wanted(this.files);
  }

  /** The Rust grammar has just loaded: Rust loaders are read on the next model(). */
  rustGrammarLoaded(): void {
    this.cached = null;
  }

  get size(): number {
    return this.files.size;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  kindOf(path: string): FileKind | undefined {
    return this.files.get(path)?.kind;
  }

  /**
   * Adds or replaces a file. Text files may be given as text (the editor's buffer) or bytes.
   * `asBpf`: a `.c` that is a BPF source through what it includes (promoteIncluders).
   */
  setFile(path: string, content: Uint8Array | string, modified?: number, asBpf = false, edit?: SpanEdit): void {
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
    // The editor's change range from the text before (update()): whole-text scans whose answers it cannot change are skipped.
    const given = edit && old?.text !== undefined && !old.nestingCapped && typeof content === 'string' && text.length === old.text.length + edit.newEnd - edit.oldEnd ? edit : undefined;
    const quiet = given && old?.text !== undefined && leavesDirectivesAlone(old.text, text, given) ? given : undefined;
    const capped = quiet ? { text, firstAt: -1, blanked: 0 } : capNesting(text);
    if (capped.blanked) {
      text = capped.text;
      const line = new LineIndex(text).range(capped.firstAt, capped.firstAt);
      problems.push({ rule: 'parse-limit', message: `${path.split('/').pop()} nests #if conditionals more than ${MAX_NESTING} deep; the ${capped.blanked.toLocaleString('en-US')} conditional lines past that depth, from line ${line.start.line + 1}, were left out and what they enclose was read as if unconditional.`, location: { file: path, range: line } });
    }
    const kind = asBpf ? 'bpf' : isBuildDescription(path) ? 'build' : classify(path, text, this.macros.sectionMacros);
    const entry: FileEntry = { kind, modified, text, doc: old?.doc, defines: [], kfuncs: [], problems, ...(asBpf ? { promoted: true } : {}), ...(capped.blanked ? { nestingCapped: true } : {}) };
    if (!old) this.pathsVersion++;
    else if (old.kind === 'build' || kind === 'build') this.pathsVersion++;
    if (!(quiet && old && readTextAfterEdit(entry, old, quiet))) readText(entry, path, text, old, this.macros.sectionMacros);
    // The document parses the new text from its last tree with the editor's span (or by comparing the texts).
    if (old?.text !== text) entry.doc?.noteEdit(given && !capped.blanked ? given : null);
    if (kind !== 'bpf' && kind !== 'loader') {
      old?.doc?.dispose();
      entry.doc = undefined;
    }
    this.files.set(path, entry);
  }

  removeFile(path: string): void {
    this.files.get(path)?.doc?.dispose();
    this.reader.lastGood.forget(path);
    this.reader.rust.forget(path);
    if (this.files.delete(path)) this.pathsVersion++;
    this.cached = null;
  }

  /** Reads a file again as what its text now makes it (its kind changed), keeping whether the editor gave it. */
  private reclassify(path: string, f: FileEntry, asBpf = false): void {
    this.setFile(path, f.text as string, f.modified, asBpf);
    const again = this.files.get(path);
    if (again) again.live = f.live;
  }

  /**
   * A `.c` that is neither a BPF source nor a loader by itself, but includes a file with programs
   * (Linux's pyperf600.c, profiler1.c), is the source of its own object; one that no longer does
   * is read again as what it is.
   */
  private promoteIncluders(): void {
    const holds = (p: string): boolean => {
      const t = this.files.get(p);
      return t !== undefined && (t.kind === 'bpf' || !!t.holdsPrograms);
    };
    for (let changed = true, rounds = 0; changed && rounds < 8; rounds++) {
      changed = false;
      for (const [path, f] of [...this.files]) {
        if (f.text === undefined || !path.endsWith('.c') || (f.kind !== 'other' && !f.promoted)) continue;
        const qualifies = !!f.includes?.some((p) => p !== path && holds(p));
        if (qualifies === !!f.promoted) continue;
        this.reclassify(path, f, qualifies);
        changed = true;
      }
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

  /** `link` is a symbolic link to the directory `target`: `#include "link/x.h"` reaches `target/x.h`. */
  addAlias(link: string, target: string): void {
    this.units.addAlias(link, target);
    this.reader.rust.addAlias(link, target);
    this.cached = null;
  }

  /** The model, rebuilt when anything changed since the last call. */
  model(options: ModelOptions = {}): WorkspaceModel {
    const optionsKey = JSON.stringify(options);
    if (this.cached && optionsKey === this.cachedOptions) return this.cached;
    this.cachedOptions = optionsKey;
    this.macros.refresh((path, f) => this.reclassify(path, f));
    this.promoteIncluders();
    this.units.setOptionDefines(options.defines ?? []);
    const facts: WorkspaceFacts = { sources: [], objectFiles: [], skeletons: [], loaders: [], headerKfuncs: [], problems: [], headers: 0 };
    this.failures.clear();
    for (const [path, f] of this.files) this.guarded(path, () => this.reader.factsOf(path, f));
    facts.sources = this.objects.objects();
    facts.problems.push(...this.failures.values());
    for (const f of this.files.values()) {
      facts.problems.push(...f.problems, ...(f.parseProblems ?? []));
      facts.headerKfuncs.push(...f.kfuncs);
      if (f.kind === 'header') facts.headers++;
      if (!f.facts) continue;
      if (f.kind === 'object') facts.objectFiles.push(f.facts as BpfObjectFacts);
      else if (f.kind === 'skeleton') facts.skeletons.push(f.facts as SkeletonFacts);
      else if (f.kind === 'loader' || f.kind === 'rust') facts.loaders.push(f.facts as LoaderFacts);
    }
    this.cached = buildModel(facts, options);
    return this.cached;
  }

  /** Files whose analysis failed in the last model build: a finding each (analysis-error). */
  private readonly failures = new Map<string, ReadProblem>();

  /**
   * The per-file error boundary: a failure in one file's analysis (a bug, or an input no reader
   * foresaw) becomes a finding on that file; every other file is analysed as before.
   */
  private guarded<T>(path: string, read: () => T, fallback?: () => void): T | undefined {
    try {
      return read();
    } catch (e) {
      const f = this.files.get(path);
      if (f) f.facts = undefined;
      fallback?.();
      const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.failures.set(path, { rule: 'analysis-error', message: `bpf-assoc failed to analyse ${path.split('/').pop()} (${why}); it was skipped, and every other file was analysed. Please report this with the file.`, location: fileStart(path) });
      return undefined;
    }
  }

  /**
   * Replace a text file's content with the editor's buffer; facts are recomputed lazily. `saved`
   * is the file on disk: its mtime (undefined when it was never saved) and whether the buffer
   * differs from it (edits not saved yet: what a build made is then the last build).
   */
  update(path: string, text: string, saved: { modified?: number; unsaved: boolean } = { unsaved: false }, edit?: SpanEdit): void {
    this.setFile(path, text, saved.modified, false, edit);
    const entry = this.files.get(path);
    if (entry) {
      entry.live = true;
      if (saved.unsaved) entry.unsaved = true;
      // Facts are read again lazily (setFile made a new entry without them).
      entry.facts = undefined;
      entry.readings = undefined;
    }
  }

  dispose(): void {
    for (const f of this.files.values()) f.doc?.dispose();
    this.files.clear();
  }
}
