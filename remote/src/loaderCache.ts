// Built loaders kept between runs: keyed by how they are built (files, include directories,
// compiler, libbpf version, the recorder), and reused only while every file the compiler read
// (its -MD dependency list: the loader, the skeleton, every header) still has the same content.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Built loaders kept; the least recently stored beyond this are removed. */
const KEEP = 32;

export function cacheBase(): string {
  return process.env.BPF_ASSOC_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bpf-assoc');
}

const sha = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** The cache directory for a build described by `parts`. */
export function loaderCacheDir(parts: string[]): string {
  return join(cacheBase(), 'loader', sha(parts.join('\0')).slice(0, 24));
}

/** The files a make-style dependency file (`cc -MD`) lists, in order. */
export function parseDepFile(text: string): string[] {
  const body = text.replace(/\\\r?\n/g, ' ');
  const colon = body.indexOf(': ');
  if (colon < 0) return [];
  // Spaces inside names are escaped as "\ ".
  return body
    .slice(colon + 2)
    .split(/(?<!\\)\s+/)
    .filter(Boolean)
    .map((f) => f.replace(/\\ /g, ' '));
}

function fileHash(path: string): string | null {
  try {
    return sha(readFileSync(path));
  } catch {
    return null;
  }
}

/** The cached executable when everything it was built from is unchanged, else null. */
export function cachedLoader(dir: string): Buffer | null {
  try {
    const deps = JSON.parse(readFileSync(join(dir, 'deps.json'), 'utf8')) as [string, string][];
    if (!Array.isArray(deps) || !deps.every(([file, hash]) => fileHash(file) === hash)) return null;
    return readFileSync(join(dir, 'loader'));
  } catch {
    return null;
  }
}

/** Keeps a built loader with the content hashes of the files it was built from. */
export function storeLoader(dir: string, binary: Buffer, depFileText: string): void {
  const deps = parseDepFile(depFileText).map((f) => [f, fileHash(f)] as const);
  if (deps.some(([, h]) => h === null)) return;
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'loader'), binary, { mode: 0o755 });
    writeFileSync(join(tmp, 'deps.json'), JSON.stringify(deps));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    prune(dirname(dir));
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // the cache is an optimisation: a run does not fail for it
  }
}

function prune(root: string): void {
  const entries = readdirSync(root)
    .filter((n) => !n.includes('.tmp-'))
    .map((n) => ({ path: join(root, n), at: statSync(join(root, n)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of entries.slice(KEEP)) rmSync(old.path, { recursive: true, force: true });
}
