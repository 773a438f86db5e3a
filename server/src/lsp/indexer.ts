// Background indexing of the workspace folders: list the candidate files (node/walk.ts: without
// blocking, capped), read them in small batches so requests are answered in between, report LSP
// work-done progress, then build the first model. A newer run (folders or exclude globs changed) makes an older one stop.
import { relative } from 'node:path';
import type { WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { isCandidate } from '../analysis/workspace';
import { listFilesAsync } from '../node/scan';
import type { AnalysisSession } from './session';

const BATCH = 64;

export interface IndexFolder {
  path: string;
  exclude: (relativePath: string) => boolean;
}

export interface IndexResult {
  files: number;
  unreadable: number;
  skipped: { path: string; reason: string }[];
  cancelled: boolean;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Indexer {
  private generation = 0;

  constructor(
    private readonly session: AnalysisSession,
    private readonly log: (message: string) => void,
  ) {}

  /** Indexes the folders; files already known but no longer listed (and not open) are dropped. */
  async run(folders: IndexFolder[], progress: WorkDoneProgressReporter, isOpen: (path: string) => boolean): Promise<IndexResult> {
    const generation = ++this.generation;
    const result: IndexResult = { files: 0, unreadable: 0, skipped: [], cancelled: false };
    this.session.indexing = true;
    progress.begin('bpf-assoc: indexing', 0, 'listing files', false);
    try {
      const files: string[] = [];
      for (const folder of folders) {
        // Walked without blocking (walk.ts), with progress; a newer run stops this one.
        const scan = await listFilesAsync([folder.path], (p) => {
          const rel = relative(folder.path, p);
          return rel !== '' && !rel.startsWith('..') && folder.exclude(rel);
        }, {
          onProgress: (entries, found) => progress.report(0, `listing files: ${found} found in ${entries} files and directories`),
          cancelled: () => generation !== this.generation,
        });
        if (scan.cancelled || generation !== this.generation) return { ...result, cancelled: true };
        if (scan.truncated) this.log(`bpf-assoc: ${folder.path}: ${scan.truncated}`);
        files.push(...scan.files);
        result.skipped.push(...scan.skipped);
        // A candidate that exists but cannot be read (permissions, a FIFO, a device) is a diagnostic on it.
        for (const s of scan.skipped) if (s.unreadable && isCandidate(s.path)) this.session.readErrors.set(s.path, s.reason);
        for (const [link, target] of scan.aliases ?? []) this.session.workspace.addAlias(link, target);
      }
      const listed = new Set(files);
      for (const p of this.session.workspace.paths()) if (!listed.has(p) && !isOpen(p)) this.session.workspace.removeFile(p);
      for (let i = 0; i < files.length; i += BATCH) {
        await nextTick();
        if (generation !== this.generation) return { ...result, cancelled: true };
        for (const f of files.slice(i, i + BATCH)) {
          if (!this.session.load(f, false)) result.unreadable++;
          result.files++;
        }
        progress.report(Math.round((90 * result.files) / files.length), `read ${result.files} of ${files.length} files`);
      }
      await nextTick();
      if (generation !== this.generation) return { ...result, cancelled: true };
      progress.report(95, `analysing ${files.length} files`);
      for (const s of result.skipped) this.log(`bpf-assoc: skipped ${s.path}: ${s.reason}`);
      this.session.indexing = false;
      this.session.changed();
      this.session.rebuildNow();
      return result;
    } finally {
      progress.done();
    }
  }
}
