// The workspace: every file's facts, kept up to date one file at a time, and the model built
// from them. Pure: callers hand in file contents (the CLI from disk, the server from the editor).
import { CDocument, parseOnce } from './c/document';
import { PARSE_BUDGET_STEPS } from './c/parser';
import { MacroTable, sectionAttributeMacros, type MacroDef } from './c/macros';
import { MacroScopes } from './macroScopes';
import { isModelledMacro } from './loader/loaderCalls';
import { decodeSource } from './c/text';
import { readBpfSource } from './bpfSource';
import { LastGoodFacts, sourceAnchors } from './lastGoodFacts';
import { readBpfObject } from './elf/bpfObject';
import { readLoader } from './loader/loader';
import { RustLoaders } from './rust/rustLoaders';
import { readSkeleton } from './skeleton';
import { buildModel, type ModelOptions, type WorkspaceFacts } from './engine/build';
import { mergeFragments } from './fragments';
import { isBpfElf } from './elf/magic';
import { scanDirectives, type Directive } from './c/directives';
import { decisionsKey, type Decisions, type UnitReading } from './c/preprocess';
import type { ParsedC } from './c/document';
import { isBuildDescription, TranslationUnits } from './units';
import { classify, LICENSE, MAX_PARSED_BYTES, sectionUse, withoutComments, type FileKind } from './fileKinds';
import { codeIdentifiers, includerDefines, includerKey } from './includers';

export { isBpfElf } from './elf/magic';
export { classify, directiveSignature, isCandidate, MAX_PARSED_BYTES, type FileKind } from './fileKinds';
import type { BpfObjectFacts, LoaderFacts, ReadProblem, SkeletonFacts } from './facts';
import { fileStart } from './facts';
import type { WorkspaceModel } from './model';
import { emptySource, readText, type FileEntry, type Wanted } from './workspaceFile';
import { withSavedState } from './savedState';

export class Workspace {
  private readonly files = new Map<string, FileEntry>();
  /** Facts of edited buffers read before a region of them broke (lastGoodFacts.ts). */
  private readonly lastGood = new LastGoodFacts();
  /** libbpf-rs loaders, read only where wantsRustGrammar() (analysis/rust/). */
  private readonly rust = new RustLoaders();
  private scopes = new MacroScopes([]);
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
  setFile(path: string, content: Uint8Array | string, modified?: number, asBpf = false): void {
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
    const kind = asBpf ? 'bpf' : isBuildDescription(path) ? 'build' : classify(path, text, this.sectionMacros);
    const entry: FileEntry = { kind, modified, text, doc: old?.doc, defines: [], kfuncs: [], problems, ...(asBpf ? { promoted: true } : {}) };
    if (!old) this.pathsVersion++;
    else if (old.kind === 'build' || kind === 'build') this.pathsVersion++;
    readText(entry, path, text, old, this.sectionMacros);
    if (kind !== 'bpf' && kind !== 'loader') {
      old?.doc?.dispose();
      entry.doc = undefined;
    }
    this.files.set(path, entry);
  }

  removeFile(path: string): void {
    this.files.get(path)?.doc?.dispose();
    this.lastGood.forget(path);
    if (this.files.delete(path)) this.pathsVersion++;
    this.cached = null;
  }

  /**
   * Macros come from the workspace's headers, and each BPF source also sees its own `#define`s
   * (which win, and stay its own: two files may define DEF differently).
   */
  private refreshMacros(): void {
    // The headers' definitions as the same lists as last time (no header changed): nothing to redo.
    const lists = [...this.files.values()].filter((f) => f.kind === 'header').map((f) => f.defines);
    if (lists.length === this.headerLists.length && lists.every((l, i) => l === this.headerLists[i])) return;
    this.headerLists = lists;
    const scopes = new MacroScopes(lists.flat());
    if (scopes.key === this.scopes.key) return;
    this.scopes = scopes;
    // A header's section attribute macro (`__section("tc")`) makes the files that use it BPF sources.
    const sectionMacros = sectionAttributeMacros(scopes.headerDefs);
    if ([...sectionMacros].sort().join() !== [...this.sectionMacros].sort().join()) {
      this.sectionMacros = sectionMacros;
      const use = sectionUse(sectionMacros);
      for (const [path, f] of [...this.files]) {
        if (f.text === undefined) continue;
        const changes = f.kind === 'header' ? f.holdsPrograms !== use.test(withoutComments(f.text).replace(/^[ \t]*#.*(?:\\\n.*)*$/gm, '')) : path.endsWith('.c') && !path.endsWith('.bpf.c') && f.kind !== classify(path, f.text, sectionMacros);
        if (!changes) continue;
        this.setFile(path, f.text, f.modified);
        const again = this.files.get(path);
        if (again) again.live = f.live;
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

  private sectionMacros: ReadonlySet<string> = new Set();
  private headerLists: readonly MacroDef[][] = [];
  private readonly scopeFiles = {
    defines: (p: string) => this.files.get(p)?.defines,
    directives: (p: string) => this.directivesOf(p),
    resolve: (from: string, name: string, angled: boolean) => this.units.resolve(from, name, angled),
  };

  /**
   * The macros a file is expanded with: a BPF source's and a loader's come from what its own
   * translation unit includes first (macroScopes.ts); a loader keeps the macros its reader models.
   */
  private tableFor(path: string, f: FileEntry): MacroTable {
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
    const all = unit ? this.scopes.overrides(unit, this.scopeFiles) : [];
    // Only what the file's code (or its own macros) can reach changes its expansion.
    const used = unit ? new Set([...this.identifiersOf(f), ...f.defines.flatMap((d) => d.body.filter((t) => t.kind === 'id').map((t) => t.text))]) : new Set<string>();
    const overrides = this.scopes.reachable(all, used);
    // Headers its unit cannot include give it nothing (a header elsewhere in the workspace defining a name it uses).
    const unnameable = unit ? this.scopes.unnameable(unit, this.scopeFiles, used) : undefined;
    return this.chosen(f, unit, this.scopes.tableFor(f, overrides, f.kind === 'loader' ? isModelledMacro : undefined, unnameable));
  }

  private chosen(f: FileEntry, unit: object | null, table: MacroTable): MacroTable {
    f.tableChoice = { scopes: this.scopes, text: f.text, unit, table };
    return table;
  }

  /** The identifiers of a file's code (includers.ts), once per text. */
  private identifiersOf(f: FileEntry): Set<string> {
    return (f.identifiers ??= f.text !== undefined && f.text.length <= MAX_PARSED_BYTES ? codeIdentifiers(f.text) : new Set());
  }

  /** Facts of a loader, skeleton or object, computed on demand and cached until the file (or a loader's macros) changes. */
  private factsOf(path: string, f: FileEntry): void {
    if (f.kind === 'rust') {
      f.facts = f.text === undefined ? undefined : (this.rust.facts(path, f.text, this.files) ?? undefined);
      return;
    }
    if (f.facts && (f.kind !== 'loader' || f.doc?.macros === this.tableFor(path, f))) return;
    if (f.kind === 'object' && f.bytes) f.facts = { ...readBpfObject(f.bytes, path, 'object'), modified: f.modified };
    else if (f.kind === 'skeleton' && f.text !== undefined) f.facts = { ...readSkeleton(f.text, path), modified: f.modified };
    else if (f.kind === 'loader' && f.text !== undefined) {
      const parsed = this.parse(path, f);
      if (parsed) f.facts = this.lastGood.read(path, 'loader', !!f.live, parsed, () => readLoader(parsed, path));
      if (!f.live) f.doc?.releaseTree();
    }
  }

  /** Expands and parses a C file (reusing its tree when it is being edited); null when too large. */
  private parse(path: string, f: FileEntry): ParsedC | null {
    if (f.text === undefined) return null;
    const name = path.split('/').pop();
    f.parseProblems = [];
    if (f.text.length > MAX_PARSED_BYTES) {
      f.parseProblems.push({ rule: 'parse-limit', message: `${name} is larger than ${MAX_PARSED_BYTES >> 20} MiB and was not analysed.`, location: fileStart(path) });
      return null;
    }
    const table = this.tableFor(path, f);
    if (f.doc && f.doc.macros !== table) f.doc.setMacros(table);
    f.doc ??= new CDocument(table);
    const parsed = f.doc.update(f.text);
    if (!parsed.tree) f.parseProblems.push({ rule: 'parse-limit', message: `Parsing ${name} ran past its work budget (${PARSE_BUDGET_STEPS.toLocaleString('en-US')} steps of the parser); it was not analysed.`, location: fileStart(path) });
    if (parsed.expansion.truncated) {
      f.parseProblems.push({ rule: 'parse-limit', message: `Macro expansion in ${name} exceeded its budget; the rest of the file was read unexpanded.`, location: fileStart(path) });
    }
    return parsed;
  }

  /**
   * The BPF facts of a source or header for each set of conditional values asked for, read from
   * one parse: a file included by several objects in different contexts is read once per context.
   */
  private readingsOf(path: string, f: FileEntry, wanted: ReadonlyMap<string, Wanted>): void {
    f.readings ??= new Map();
    const missing = [...wanted].filter(([k]) => !f.readings?.has(k));
    if (!missing.length) return;
    const plain = missing.filter(([, w]) => !w.includer.length);
    const parsed = plain.length ? this.parse(path, f) : null;
    for (const [key, { decisions }] of plain) {
      f.readings.set(key, parsed ? { ...this.lastGood.read(path, key, !!f.live, parsed, () => readBpfSource(parsed, path, decisions), sourceAnchors), modified: f.modified } : emptySource(path, f.modified));
    }
    // With an includer's macros: a parse of its own (the file's tree stays the editor's).
    for (const [key, { decisions, includer }] of missing.filter(([, w]) => w.includer.length)) {
      if (f.text === undefined || f.text.length > MAX_PARSED_BYTES) {
        f.readings.set(key, emptySource(path, f.modified));
        continue;
      }
      const own = parseOnce(f.text, new MacroTable([...includer, ...f.defines, ...this.scopes.headerDefs]));
      f.readings.set(key, { ...this.lastGood.read(path, key, !!f.live, own, () => readBpfSource(own, path, decisions), sourceAnchors), modified: f.modified });
      own.tree?.delete();
    }
    if (!f.live) f.doc?.releaseTree();
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
        this.setFile(path, f.text, f.modified, qualifies);
        const again = this.files.get(path);
        if (again) again.live = f.live;
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

  /** Drops cached facts of one file (after an edit) without re-reading it. */
  private invalidate(path: string): void {
    const f = this.files.get(path);
    if (f) {
      f.facts = undefined;
      f.readings = undefined;
    }
  }

  /** `link` is a symbolic link to the directory `target`: `#include "link/x.h"` reaches `target/x.h`. */
  addAlias(link: string, target: string): void {
    this.units.addAlias(link, target);
    this.cached = null;
  }

  /** The model, rebuilt when anything changed since the last call. */
  model(options: ModelOptions = {}): WorkspaceModel {
    const optionsKey = JSON.stringify(options);
    if (this.cached && optionsKey === this.cachedOptions) return this.cached;
    this.cachedOptions = optionsKey;
    this.refreshMacros();
    this.promoteIncluders();
    this.units.setOptionDefines(options.defines ?? []);
    const facts: WorkspaceFacts = { sources: [], objectFiles: [], skeletons: [], loaders: [], headerKfuncs: [], problems: [], headers: 0 };
    this.failures.clear();
    for (const [path, f] of this.files) this.guarded(path, () => this.factsOf(path, f));
    facts.sources = this.bpfObjects();
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

  /** Files read for programs, maps or the functions programs call. */
  private isFragmentCandidate(f: FileEntry): boolean {
    return f.kind === 'bpf' || !!f.holdsPrograms || !!f.definesFunctions;
  }

  /**
   * One BPF object per object source, each its own translation unit: a BPF source no other source
   * includes, and one that others include but that carries its own license section (a whole object
   * by itself, as scx_p2dq's main.bpf.c that scx_chaos includes). A `.bpf.c` without one that
   * another source includes is a part of that object only (scx_flow's dispatch.bpf.c).
   */
  private bpfObjects(): BpfObjectFacts[] {
    const units = new Map<string, UnitReading>();
    for (const [path, f] of this.files) if (f.kind === 'bpf') units.set(path, this.units.unit(path));
    const included = new Set<string>();
    for (const u of units.values()) for (const x of u.files) if (x !== u.root) included.add(x);
    const roots = [...units.keys()].filter((p) => !included.has(p) || LICENSE.test(this.files.get(p)?.text ?? ''));
    this.units.prune(new Set([...units.keys(), ...[...this.files].filter(([, f]) => f.kind === 'loader').map(([p]) => p)]));
    // Each file's readings needed, by the values of its conditionals in each unit.
    // (No decisions: the file read alone, as its own unit.)
    const wanted = new Map<string, Map<string, Wanted>>();
    const want = (path: string, d: Decisions | undefined, includer: MacroDef[] = []): string => {
      const key = (d ? decisionsKey(d) : 'alone') + (includer.length ? `|${includerKey(includer)}` : '');
      let m = wanted.get(path);
      if (!m) wanted.set(path, (m = new Map()));
      if (!m.has(key)) m.set(key, { decisions: d, includer });
      return key;
    };
    const plans = roots.map((root) => {
      const u = units.get(root) as UnitReading;
      // The root's own #defines reach the code of the files it includes, and so do the definitions
      // its includes give names that headers define differently (the workspace's are everywhere already).
      const rootEntry = this.files.get(root) as FileEntry;
      const rootDefs = rootEntry.defines;
      const overrides = this.scopes.overrides(u, this.scopeFiles);
      const contextOf = (p: string): MacroDef[] => {
        const f = this.files.get(p) as FileEntry;
        if (p === root || (!rootDefs.length && !overrides.length) || f.text === undefined) return [];
        const used = this.identifiersOf(f);
        // The unit's definitions its code (or its own macros) reaches through the workspace's macros count too.
        const reached = overrides.length ? this.scopes.reachable(overrides, new Set([...used, ...f.defines.flatMap((d) => d.body.filter((t) => t.kind === 'id').map((t) => t.text))])) : [];
        return includerDefines([...rootDefs, ...reached], new Set([...used, ...reached.map((d) => d.name)]), f.defines);
      };
      // A file is a part when it has programs or helpers, or uses a macro of the root that makes
      // programs (an X-macro list the root defines and the file lists: cgroup_getset_retval_hooks.h).
      const rootSec = rootEntry.defines.length ? this.tableFor(root, rootEntry).projectMacros().filter((d) => d.location?.file === root).map((d) => d.name) : [];
      const parts = u.files.filter((p) => {
        const f = this.files.get(p);
        if (f === undefined) return false;
        if (this.isFragmentCandidate(f)) return true;
        return p !== root && rootSec.length > 0 && (f.kind === 'header' || f.kind === 'other') && rootSec.some((n) => this.identifiersOf(f).has(n));
      });
      return { u, parts: parts.map((p) => ({ path: p, key: want(p, u.decisions.get(p) ?? new Map(), contextOf(p)) })) };
    });
    // A header with programs nobody includes is still read (alone), for the editor's features.
    for (const [path, f] of this.files) if (f.holdsPrograms && !wanted.has(path)) want(path, undefined);
    for (const [path, keys] of wanted) {
      const f = this.files.get(path) as FileEntry;
      this.guarded(path, () => this.readingsOf(path, f, keys), () => (f.readings = new Map([...keys.keys()].map((k) => [k, emptySource(path, f.modified)]))));
      const own = keys.keys().next().value as string;
      f.facts = f.readings?.get(plans.find((p) => p.u.root === path)?.parts[0]?.key ?? own);
    }
    const out: BpfObjectFacts[] = [];
    for (const { u, parts } of plans) {
      const [main, ...rest] = parts.map((p) => this.files.get(p.path)?.readings?.get(p.key) as BpfObjectFacts);
      if (!main) continue;
      const merged = this.guarded(u.root, () => withSavedState(mergeFragments(main, rest), u.files.map((p) => [p, this.files.get(p)] as const)));
      if (!merged) continue;
      const candidates = new Set(parts.map((p) => p.path));
      const uncertain = u.uncertainIncludes
        .filter((i) => candidates.has(i.target))
        .map((i) => ({ reason: `${i.target.split('/').pop()} is included under a condition that cannot be known (${i.reason})`, location: { file: i.file, range: { start: { line: i.line, character: 0 }, end: { line: i.line, character: 0 } } } }));
      out.push(uncertain.length ? { ...merged, uncertain: [...(merged.uncertain ?? []), ...uncertain] } : merged);
    }
    return out;
  }

  /**
   * Replace a text file's content with the editor's buffer; facts are recomputed lazily. `saved`
   * is the file on disk: its mtime (undefined when it was never saved) and whether the buffer
   * differs from it (edits not saved yet: what a build made is then the last build).
   */
  update(path: string, text: string, saved: { modified?: number; unsaved: boolean } = { unsaved: false }): void {
    this.setFile(path, text, saved.modified);
    const entry = this.files.get(path);
    if (entry) entry.live = true;
    if (entry && saved.unsaved) entry.unsaved = true;
    this.invalidate(path);
  }

  dispose(): void {
    for (const f of this.files.values()) f.doc?.dispose();
    this.files.clear();
  }
}
