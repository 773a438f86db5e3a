// Reading a workspace from disk: walk the given paths, skip what is not ours, bound the sizes.
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../analysis/c/parser';
import { loadRustGrammar } from '../analysis/rust/parser';
import { isCandidate, Workspace } from '../analysis/workspace';
import { MAX_FILE_BYTES, readSourceFile } from './readSource';
import { finding } from '../analysis/engine/findingText';
import { fileStart } from '../analysis/facts';
import type { Finding } from '../analysis/model';

/** Directories never worth walking. */
export const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', '.vscode-test', 'dist', 'out']);
export { MAX_FILE_BYTES } from './readSource';

export interface ScanResult {
  files: string[];
  /** `unreadable`: the path exists but could not be read (an I/O error: the CLI exits 2). */
  skipped: { path: string; reason: string; unreadable?: boolean }[];
  /** Directories reached again under another path (a symlink): [that path, the path walked]. */
  aliases?: [string, string][];
}

export function listFiles(paths: string[], exclude: (p: string) => boolean = () => false): ScanResult {
  const out: ScanResult = { files: [], skipped: [] };
  // Real paths already taken: a symlink loop is walked once, a file reached twice read once.
  const seen = new Set<string>();
  const walkedAs = new Map<string, string>();
  // Symlinked directories are walked last, so that files reachable under their own path get it.
  const deferred: [string, number][] = [];
  const walk = (p: string, depth: number, late = false): void => {
    if (depth > 32 || exclude(p)) return;
    let st;
    let real: string;
    try {
      st = lstatSync(p);
      if (st.isSymbolicLink()) {
        st = statSync(p);
        if (st.isDirectory() && !late) {
          deferred.push([p, depth]);
          return;
        }
      }
      real = realpathSync(p);
    } catch (e) {
      // Gone since it was listed, or a dangling symlink: nothing there. Anything else cannot be read.
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'ENOENT') out.skipped.push({ path: p, reason: describeError(err), unreadable: true });
      return;
    }
    if (seen.has(real)) {
      // `#include "link/x.h"` through a symlinked directory reaches the files walked under the other path.
      const walked = walkedAs.get(real);
      if (st.isDirectory() && walked !== undefined && walked !== p) (out.aliases ??= []).push([p, walked]);
      return;
    }
    seen.add(real);
    if (st.isDirectory()) walkedAs.set(real, p);
    if (st.isDirectory()) {
      let entries: string[];
      try {
        entries = readdirSync(p).sort();
      } catch (e) {
        out.skipped.push({ path: p, reason: describeError(e as NodeJS.ErrnoException), unreadable: true });
        return;
      }
      for (const name of entries) if (!SKIP_DIRS.has(name)) walk(join(p, name), depth + 1);
    } else if (isCandidate(p)) {
      if (!st.isFile()) out.skipped.push({ path: p, reason: `${st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : 'a device'}, not a regular file: only regular files are read`, unreadable: true });
      else if (st.size > MAX_FILE_BYTES) out.skipped.push({ path: p, reason: `larger than the ${MAX_FILE_BYTES >> 20} MiB bpf-assoc reads` });
      else out.files.push(p);
    }
  };
  for (const p of paths) walk(resolve(p), 0);
  for (let i = 0; i < deferred.length; i++) {
    const [p, depth] = deferred[i] as [string, number];
    walk(p, depth, true);
  }
  return out;
}

/** Loads every candidate file under `paths` into a new workspace. Throws only for a missing path. */
export function loadWorkspace(paths: string[]): { workspace: Workspace; scan: ScanResult } {
  for (const p of paths) {
    try {
      statSync(resolve(p));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `${p}: no such file or directory` : code === 'EACCES' ? `${p}: permission denied` : `${p}: ${(e as Error).message}`);
    }
  }
  const scan = listFiles(paths);
  const workspace = new Workspace();
  for (const [link, target] of scan.aliases ?? []) workspace.addAlias(link, target);
  for (const f of scan.files) {
    const read = readSourceFile(f);
    if (read.ok) workspace.setFile(f, read.bytes, read.mtimeMs);
    else if (!read.missing) scan.skipped.push({ path: f, reason: read.reason, unreadable: true });
  }
  return { workspace, scan };
}

/**
 * For the CLI commands: loads the grammar and the workspace under `paths`, writing what went wrong
 * to stderr. Null when a path cannot be read (the command then exits with 2).
 */
export async function loadForCommand(paths: string[]): Promise<{ workspace: Workspace; scan: ScanResult } | null> {
  await loadGrammar();
  try {
    const loaded = loadWorkspace(paths);
    // Rust loaders are read only in a workspace with BPF code and a Cargo.toml.
    if (loaded.workspace.wantsRustGrammar()) await loadRustGrammar();
    return loaded;
  } catch (e) {
    process.stderr.write(`bpf-assoc: ${(e as Error).message}\n`);
    return null;
  }
}

/** Files and directories the walk or the reader skipped, as unreadable-file findings for the reports. */
export function skippedFindings(scan: ScanResult): Finding[] {
  return scan.skipped.map((s) =>
    finding('unreadable-file', fileStart(s.path), `bpf-assoc could not read ${s.path.split('/').pop()} (${s.reason}); it was left out of the analysis.`, []),
  );
}

function describeError(err: NodeJS.ErrnoException): string {
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  if (err.code === 'ELOOP') return 'too many levels of symbolic links (a symlink loop)';
  return err.message;
}
