// Keeps the session's files in step with the editor and the disk: open buffers (incremental
// sync), watched files (created, changed, deleted, renamed = deleted + created), workspace
// folders and the settings that decide what is indexed (`files.exclude`) and how (`kfuncs`).
import { relative } from 'node:path';
import { FileChangeType, type Connection, type DidChangeWatchedFilesParams, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isCandidate } from '../analysis/workspace';
import { SKIP_DIRS } from '../node/scan';
import type { Indexer, IndexFolder } from './indexer';
import { isLargeDocument } from './largeDocument';
import type { AnalysisSession } from './session';
import type { ChangeRanges } from './changeRanges';
import type { SettingsReader } from './settings';
import { pathOf, uriOf } from './uri';

export class WorkspaceSync {
  private folders: IndexFolder[] = [];
  private excludeKey = '';

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly session: AnalysisSession,
    private readonly settings: SettingsReader,
    private readonly indexer: Indexer,
    folderPaths: string[],
    /** Resolves when the C grammar is loaded: nothing is indexed before. */
    private readonly ready: Promise<void>,
    /** The editor's change ranges per document (incremental sync), when the documents record them. */
    private readonly ranges?: ChangeRanges,
  ) {
    this.folders = folderPaths.map((path) => ({ path, exclude: () => false }));
  }

  folderPaths(): string[] {
    return this.folders.map((f) => f.path);
  }

  /** Reads the settings of every folder; re-indexes when the exclude globs changed (or `force`). */
  async refresh(force: boolean): Promise<void> {
    await this.ready;
    const scopes = this.folders.length ? this.folders.map((f) => uriOf(f.path)) : [null];
    const values = await this.settings.forResources(scopes);
    this.session.setExtraKfuncs(values.flatMap((v) => v.kfuncs));
    this.session.setDefines(values.flatMap((v) => v.defines));
    this.folders = this.folders.map((f, i) => ({ path: f.path, exclude: values[i]?.exclude ?? (() => false) }));
    const key = values.map((v) => v.excludeKey).join('\n');
    if (!force && key === this.excludeKey) return;
    this.excludeKey = key;
    const progress = await this.connection.window.createWorkDoneProgress();
    const result = await this.indexer.run(this.folders, progress, (p) => this.documents.get(uriOf(p)) !== undefined);
    if (!result.cancelled) {
      this.connection.console.info(`bpf-assoc: indexed ${result.files} files in ${this.folders.length} folder(s)${result.unreadable ? `, ${result.unreadable} unreadable` : ''}`);
      if (result.unreadable) void this.connection.window.showWarningMessage(`bpf-assoc: ${result.unreadable} file(s) could not be read; see the Problems panel.`);
    }
  }

  setFolders(paths: string[]): void {
    this.folders = paths.map((path) => this.folders.find((f) => f.path === path) ?? { path, exclude: () => false });
  }

  /** Inside no folder's exclude globs and no skipped directory (node_modules, .git, ...). */
  wanted(path: string): boolean {
    if (!isCandidate(path)) return false;
    for (const f of this.folders) {
      const rel = relative(f.path, path);
      if (rel.startsWith('..')) continue;
      if (rel.split('/').some((seg) => SKIP_DIRS.has(seg)) || f.exclude(rel)) return false;
    }
    return true;
  }

  documentChanged(doc: TextDocument): void {
    const path = pathOf(doc.uri);
    // The change range since the text the session was last given (none: an open, a save, a whole-text change).
    const edit = this.ranges?.take(doc.uri);
    // A large document's text is joined from its lines only when the analysis needs it (largeDocument.ts).
    if (path && isCandidate(path)) this.session.setBuffer(path, isLargeDocument(doc) ? () => doc.getText() : doc.getText(), edit);
  }

  /** A closed buffer gives way to the file on disk (or to nothing, if it was never saved). */
  documentClosed(doc: TextDocument): void {
    this.ranges?.forget(doc.uri);
    const path = pathOf(doc.uri);
    if (!path || !isCandidate(path)) return;
    if (this.wanted(path)) this.session.load(path);
    else this.session.remove(path);
  }

  watchedFilesChanged(params: DidChangeWatchedFilesParams): void {
    for (const change of params.changes) {
      const path = pathOf(change.uri);
      if (!path) continue;
      if (change.type === FileChangeType.Deleted) {
        // A deleted open buffer stays in the editor, but not in the analysis of the disk.
        this.session.remove(path);
      } else if (this.wanted(path)) this.session.load(path);
    }
  }
}
