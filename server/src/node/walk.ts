// The workspace walk, written once and driven two ways: synchronously (tests, loadWorkspace) and
// asynchronously (the CLI and the server's indexing: the event loop keeps serving, progress is
// reported, a newer indexing run cancels an older one). The walk is a generator that asks for
// each file-system call it needs; a driver answers it. It is capped: in entries visited (files and
// directories), in depth, and symlink loops are walked once (real paths already taken are skipped).
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isCandidate } from '../analysis/workspace';
import { MAX_FILE_BYTES } from './readSource';

/** Directories never worth walking. */
export const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', '.vscode-test', 'dist', 'out']);

export interface WalkLimits {
  /** Files and directories visited, in all, before the walk stops. */
  maxEntries: number;
  /** Directory levels below a given path. */
  maxDepth: number;
}

/** A BPF project is far smaller; a home directory or a kernel tree opened by mistake stops here. */
export const WALK_LIMITS: WalkLimits = { maxEntries: 200_000, maxDepth: 32 };

export interface ScanResult {
  files: string[];
  /** `unreadable`: the path exists but could not be read (an I/O error: the CLI exits 2). */
  skipped: { path: string; reason: string; unreadable?: boolean }[];
  /** Directories reached again under another path (a symlink): [that path, the path walked]. */
  aliases?: [string, string][];
  /** Files and directories visited. */
  entries: number;
  /** Set when a limit stopped the walk early. */
  truncated?: string;
  /** Set when the caller cancelled the walk (asynchronous walks only). */
  cancelled?: boolean;
}

type Request = ['lstat' | 'stat', string] | ['realpath', string] | ['readdir', string];

function* walker(paths: string[], exclude: (p: string) => boolean, limits: WalkLimits, out: ScanResult): Generator<Request, void, unknown> {
  // Real paths already taken: a symlink loop is walked once, a file reached twice read once.
  const seen = new Set<string>();
  const walkedAs = new Map<string, string>();
  // Symlinked directories are walked last, so that files reachable under their own path get it.
  const deferred: [string, number][] = [];
  let tooDeep = false;
  function* visit(p: string, depth: number, late: boolean): Generator<Request, void, unknown> {
    if (out.truncated || exclude(p)) return;
    if (depth > limits.maxDepth) {
      if (!tooDeep) out.skipped.push({ path: p, reason: `deeper than ${limits.maxDepth} directory levels: not walked (nor anything as deep)` });
      tooDeep = true;
      return;
    }
    if (++out.entries > limits.maxEntries) {
      out.truncated = `the walk stopped after ${limits.maxEntries.toLocaleString('en-US')} files and directories; exclude what is not BPF code (bpfAssoc.files.exclude) or open a smaller folder`;
      out.skipped.push({ path: p, reason: out.truncated });
      return;
    }
    let st: Stats;
    let real: string;
    try {
      st = (yield ['lstat', p]) as Stats;
      if (st.isSymbolicLink()) {
        st = (yield ['stat', p]) as Stats;
        if (st.isDirectory() && !late) {
          deferred.push([p, depth]);
          return;
        }
      }
      real = (yield ['realpath', p]) as string;
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
    if (st.isDirectory()) {
      walkedAs.set(real, p);
      let entries: string[];
      try {
        entries = [...((yield ['readdir', p]) as string[])].sort();
      } catch (e) {
        out.skipped.push({ path: p, reason: describeError(e as NodeJS.ErrnoException), unreadable: true });
        return;
      }
      for (const name of entries) if (!SKIP_DIRS.has(name)) yield* visit(join(p, name), depth + 1, false);
    } else if (isCandidate(p)) {
      if (!st.isFile()) out.skipped.push({ path: p, reason: `${st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : 'a device'}, not a regular file: only regular files are read`, unreadable: true });
      else if (st.size > MAX_FILE_BYTES) out.skipped.push({ path: p, reason: `larger than the ${MAX_FILE_BYTES >> 20} MiB bpf-assoc reads` });
      else out.files.push(p);
    }
  }
  for (const p of paths) yield* visit(resolve(p), 0, false);
  for (let i = 0; i < deferred.length; i++) {
    const [p, depth] = deferred[i] as [string, number];
    yield* visit(p, depth, true);
  }
}

function answerSync([op, path]: Request): unknown {
  if (op === 'lstat') return lstatSync(path);
  if (op === 'stat') return statSync(path);
  if (op === 'realpath') return realpathSync(path);
  return readdirSync(path);
}

function answerAsync([op, path]: Request): Promise<unknown> {
  if (op === 'lstat') return lstat(path);
  if (op === 'stat') return stat(path);
  if (op === 'realpath') return realpath(path);
  return readdir(path);
}

/** The candidate files under `paths`, synchronously. */
export function listFiles(paths: string[], exclude: (p: string) => boolean = () => false, limits = WALK_LIMITS): ScanResult {
  const out: ScanResult = { files: [], skipped: [], entries: 0 };
  const walk = walker(paths, exclude, limits, out);
  let step = walk.next();
  while (!step.done) {
    let answer: unknown;
    try {
      answer = answerSync(step.value);
    } catch (e) {
      step = walk.throw(e);
      continue;
    }
    step = walk.next(answer);
  }
  return out;
}

export interface WalkOptions {
  limits?: WalkLimits;
  /** Called every `progressEvery` entries visited. */
  onProgress?: (entries: number, files: number) => void;
  progressEvery?: number;
  /** Checked as the walk goes: true stops it (the result says `cancelled`). */
  cancelled?: () => boolean;
}

/** The candidate files under `paths`, without blocking the event loop. */
export async function listFilesAsync(paths: string[], exclude: (p: string) => boolean = () => false, options: WalkOptions = {}): Promise<ScanResult> {
  const out: ScanResult = { files: [], skipped: [], entries: 0 };
  const walk = walker(paths, exclude, options.limits ?? WALK_LIMITS, out);
  const every = options.progressEvery ?? 500;
  let reported = 0;
  let step = walk.next();
  while (!step.done) {
    if (out.entries - reported >= every) {
      reported = out.entries;
      options.onProgress?.(out.entries, out.files.length);
      if (options.cancelled?.()) {
        walk.return();
        return { ...out, cancelled: true };
      }
    }
    let answer: unknown;
    try {
      answer = await answerAsync(step.value);
    } catch (e) {
      step = walk.throw(e);
      continue;
    }
    step = walk.next(answer);
  }
  return out;
}

export function describeError(err: NodeJS.ErrnoException): string {
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  if (err.code === 'ELOOP') return 'too many levels of symbolic links (a symlink loop)';
  return err.message;
}
