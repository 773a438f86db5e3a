// Reading a workspace from disk: walk the given paths (walk.ts: capped, asynchronous for the CLI and
// the server), skip what is not ours, read each file as a regular file with a size cap (readSource.ts).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadGrammar } from '../analysis/c/parser';
import { loadRustGrammar } from '../analysis/rust/parser';
import { Workspace } from '../analysis/workspace';
import { readSourceFile } from './readSource';
import { isCargoManifest } from '../analysis/rust/files';
import { finding } from '../analysis/engine/findingText';
import { fileStart } from '../analysis/facts';
import type { Finding } from '../analysis/model';
import { listFiles, listFilesAsync, type ScanResult } from './walk';

export { listFiles, listFilesAsync, SKIP_DIRS, type ScanResult } from './walk';

/** Throws, with a message for the user, when a path given on the command line does not exist. */
function checkPaths(paths: string[]): void {
  for (const p of paths) {
    try {
      statSync(resolve(p));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `${p}: no such file or directory` : code === 'EACCES' ? `${p}: permission denied` : `${p}: ${(e as Error).message}`);
    }
  }
}

/**
 * Reads the listed files into a new workspace; what cannot be read joins `scan.skipped`. A `.rs`
 * file is a loader only inside a crate: without a Cargo.toml among the files, none is read (their
 * texts would only be kept).
 */
function readListed(scan: ScanResult): Workspace {
  const workspace = new Workspace();
  for (const [link, target] of scan.aliases ?? []) workspace.addAlias(link, target);
  const crates = scan.files.some(isCargoManifest);
  for (const f of scan.files) {
    if (!crates && f.endsWith('.rs')) continue;
    const read = readSourceFile(f);
    if (read.ok) workspace.setFile(f, read.bytes, read.mtimeMs);
    else if (!read.missing) scan.skipped.push({ path: f, reason: read.reason, unreadable: true });
  }
  return workspace;
}

/** Loads every candidate file under `paths` into a new workspace. Throws only for a missing path. */
export function loadWorkspace(paths: string[]): { workspace: Workspace; scan: ScanResult } {
  checkPaths(paths);
  const scan = listFiles(paths);
  return { workspace: readListed(scan), scan };
}

/**
 * For the CLI commands: loads the grammar and the workspace under `paths` (walked asynchronously),
 * writing what went wrong to stderr. Null when a path cannot be read (the command then exits with 2).
 */
export async function loadForCommand(paths: string[]): Promise<{ workspace: Workspace; scan: ScanResult } | null> {
  await loadGrammar();
  try {
    checkPaths(paths);
    const scan = await listFilesAsync(paths);
    const loaded = { workspace: readListed(scan), scan };
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
    finding(
      'unreadable-file',
      fileStart(s.path),
      s.unreadable ? `bpf-assoc could not read ${s.path.split('/').pop()} (${s.reason}); it was left out of the analysis.` : `bpf-assoc skipped ${s.path.split('/').pop()}: ${s.reason}.`,
      [],
    ),
  );
}
