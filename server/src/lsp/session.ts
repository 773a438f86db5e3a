// The server's one analysis state: the Workspace (files -> facts -> model), which files the editor
// has open (their buffers win over the disk), files that could not be read, and a debounced
// rebuild that tells listeners (diagnostics, the modelChanged notification) about a new model.
import { Workspace } from '../analysis/workspace';
import { isCandidate } from '../analysis/workspace';
import type { BpfObjectFacts, LoaderFacts, SkeletonFacts } from '../analysis/facts';
import type { WorkspaceModel } from '../analysis/model';
import { readSourceFile } from '../node/readSource';
import { loadRustGrammar, rustGrammarReady } from '../analysis/rust/parser';
import { SavedFiles } from './savedFiles';
import { composeEdits } from '../analysis/c/textEdit';
import type { SpanEdit } from '../analysis/relocate';

/** A consistent picture for one request: the model and the per-file facts it was built from. */
export interface AnalysisView {
  model: WorkspaceModel;
  version: number;
  indexing: boolean;
  facts(path: string): BpfObjectFacts | LoaderFacts | SkeletonFacts | undefined;
  text(path: string): string | undefined;
  /** Files that exist but could not be read: path -> why. */
  readErrors: ReadonlyMap<string, string>;
}

const EMPTY_MODEL: WorkspaceModel = {
  version: 1, objects: [], programs: [], maps: [], associationCalls: [], findings: [], kfuncs: [],
  stats: { files: 0, sources: 0, loaders: 0, skeletons: 0, objectFiles: 0, headers: 0 },
};

export class AnalysisSession {
  readonly workspace = new Workspace();
  readonly readErrors = new Map<string, string>();
  /** The disk's side of open buffers: saved time and whether the buffer differs (savedFiles.ts). */
  private readonly saved = new SavedFiles();
  indexing = true;
  /** Set once the C grammar is loaded; until then the model stays empty. */
  ready = false;
  private model: WorkspaceModel = EMPTY_MODEL;
  private version = 0;
  private dirty = true;
  private extraKfuncs: string[] = [];
  private defines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((view: AnalysisView) => void)[] = [];

  constructor(
    private readonly openText: (path: string) => string | undefined,
    private readonly log: (message: string) => void,
    readonly debounceMs = 150,
  ) {}

  onRebuilt(listener: (view: AnalysisView) => void): void {
    this.listeners.push(listener);
  }

  setExtraKfuncs(kfuncs: string[]): void {
    const next = [...new Set(kfuncs)].sort();
    if (next.join() === this.extraKfuncs.join()) return;
    this.extraKfuncs = next;
    this.changed();
  }

  /** The bpfAssoc.defines setting: -D/-U for BPF sources where the workspace's build does not say. */
  setDefines(defines: string[]): void {
    const next = [...new Set(defines)];
    if (next.join('\n') === this.defines.join('\n')) return;
    this.defines = next;
    this.changed();
  }

  /**
   * The editor's buffer for an open document (incremental changes already applied), or a function
   * that joins a large one. It is taken in only when the model is next needed (the debounced
   * rebuild or a request), not on every keystroke: reading it scans the whole text (its kind,
   * macros, includes, kfunc declarations) and compares it with the saved file.
   */
  setBuffer(path: string, text: string | (() => string), edit?: SpanEdit | null): void {
    this.readErrors.delete(path);
    // `edit`: the editor's change range from the buffer given before (lsp/changeRanges.ts), composed
    // until the workspace takes the text; without one, the workspace compares the texts.
    const pendingEdit = this.pendingEdits.get(path);
    const known = this.pendingBuffers.has(path) ? pendingEdit !== undefined && pendingEdit !== null : true;
    this.pendingEdits.set(path, edit && known ? composeEdits(this.pendingBuffers.has(path) ? (pendingEdit ?? null) : null, edit) : null);
    this.pendingBuffers.set(path, text);
    this.changed();
  }

  private readonly pendingBuffers = new Map<string, string | (() => string)>();
  private readonly pendingEdits = new Map<string, SpanEdit | null>();

  private takePendingBuffers(): void {
    for (const [path, buffer] of this.pendingBuffers) {
      const text = typeof buffer === 'function' ? buffer() : buffer;
      this.workspace.update(path, text, this.saved.stateOf(path, text), this.pendingEdits.get(path) ?? undefined);
    }
    this.pendingBuffers.clear();
    this.pendingEdits.clear();
  }

  /**
   * Reads a file from disk (or takes its open buffer). Returns false when it could not be read.
   * Only a regular file is read, with a size cap (node/readSource.ts): a FIFO, a device or a
   * symlink to one is an unreadable file, never a hang or a runaway read.
   */
  load(path: string, schedule = true): boolean {
    const buffer = this.openText(path);
    if (buffer !== undefined) {
      this.setBuffer(path, buffer);
      return true;
    }
    if (!isCandidate(path)) return true;
    // The disk's text from now on, not a buffer the editor has closed.
    this.pendingBuffers.delete(path);
    this.pendingEdits.delete(path);
    try {
      const read = readSourceFile(path);
      if (read.ok) {
        this.workspace.setFile(path, read.bytes, read.mtimeMs);
        this.readErrors.delete(path);
        return true;
      }
      if (read.missing) {
        this.remove(path);
        return true;
      }
      this.workspace.removeFile(path);
      this.readErrors.set(path, read.reason);
      this.log(`bpf-assoc: cannot read ${path}: ${read.reason}`);
      return false;
    } finally {
      if (schedule) this.changed();
    }
  }

  /** A file or a directory is gone: drop it and everything below it. */
  remove(path: string): void {
    const below = path.endsWith('/') ? path : `${path}/`;
    for (const p of [...this.pendingBuffers.keys()]) {
      if (p !== path && !p.startsWith(below)) continue;
      this.pendingBuffers.delete(p);
      this.pendingEdits.delete(p);
    }
    for (const p of this.workspace.paths()) {
      if (p !== path && !p.startsWith(below)) continue;
      this.workspace.removeFile(p);
      this.saved.forget(p);
    }
    for (const p of [...this.readErrors.keys()]) if (p === path || p.startsWith(below)) this.readErrors.delete(p);
    this.changed();
  }

  /** Marks the model out of date and schedules a rebuild (debounced). */
  changed(): void {
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.rebuildNow(), this.debounceMs);
  }

  /** Rebuilds at once if anything changed, and tells the listeners. */
  rebuildNow(): AnalysisView {
    clearTimeout(this.timer);
    this.timer = undefined;
    const view = this.view();
    for (const l of this.listeners) {
      try {
        l(view);
      } catch (e) {
        this.log(`bpf-assoc: after rebuild: ${(e as Error).stack ?? String(e)}`);
      }
    }
    return view;
  }

  /** The current picture, rebuilding the model first when something changed. */
  view(): AnalysisView {
    this.takePendingBuffers();
    if (this.dirty && this.ready) {
      this.dirty = false;
      // The Rust grammar loads the first time the workspace needs it; the model is rebuilt then.
      if (!rustGrammarReady() && this.workspace.wantsRustGrammar()) {
        loadRustGrammar().then(
          () => {
            this.workspace.rustGrammarLoaded();
            this.changed();
          },
          (e: unknown) => this.log(`bpf-assoc: the Rust grammar did not load, Rust loaders are not read: ${String(e)}`),
        );
      }
      try {
        const next = this.workspace.model({ extraKfuncs: this.extraKfuncs, defines: this.defines });
        if (next !== this.model) {
          this.model = next;
          this.version++;
        }
      } catch (e) {
        this.log(`bpf-assoc: analysis failed, keeping the previous model: ${(e as Error).stack ?? String(e)}`);
      }
    }
    return {
      model: this.model,
      version: this.version,
      indexing: this.indexing,
      facts: (p) => this.workspace.facts(p),
      text: (p) => this.workspace.text(p),
      readErrors: this.readErrors,
    };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.workspace.dispose();
  }
}
