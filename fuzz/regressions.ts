// Inputs that ever failed, kept in fuzz/regressions/NAME/: input.json.gz (the input itself, file
// contents included, paths relative to the repository) and meta.json (what failed, and whether
// it is still known to fail). test/unit/fuzzRegressions.test.ts replays every one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { REGRESSIONS, ROOT } from './corpus';
import type { FuzzInput } from './inputs';

export interface RegressionMeta {
  category: string;
  what: string;
  /** crash, hang or blank, and what the harness saw, when it was found. */
  failure: { kind: string; detail: string };
  /** Whether it failed again alone, in a fresh worker. */
  reproducedAlone: boolean;
  found: string;
  /**
   * `open`: found, not fixed (the replay fails); `known-failing`: being fixed elsewhere (the
   * replay reports it as pending while it fails, and fails once it passes, to be marked fixed);
   * `fixed`: the replay must pass.
   */
  status: 'open' | 'known-failing' | 'fixed';
  note?: string;
}

const rel = (p: string): string => (isAbsolute(p) && p.startsWith(ROOT) ? relative(ROOT, p) : p);
const abs = (p: string): string => (isAbsolute(p) ? p : join(ROOT, p));

export function saveRegression(input: FuzzInput, meta: RegressionMeta, dir = REGRESSIONS): string {
  const stored = JSON.stringify({
    ...input,
    caseFiles: input.caseFiles.map(rel),
    files: input.files.map((f) => ({ path: rel(f.path), base64: Buffer.from(f.bytes).toString('base64') })),
  });
  // Named by where it came from and what it is: another version of the mutators makes other bytes.
  const name = `${input.category}-${input.seed}-${input.index}-${createHash('sha256').update(stored).digest('hex').slice(0, 8)}`;
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'input.json.gz'), gzipSync(stored));
  const old = existsSync(join(at, 'meta.json')) ? (JSON.parse(readFileSync(join(at, 'meta.json'), 'utf8')) as RegressionMeta) : null;
  writeFileSync(join(at, 'meta.json'), JSON.stringify(old ? { ...meta, status: old.status, note: old.note, found: old.found } : meta, null, 2) + '\n');
  return at;
}

function isBuildOutput(path: string): boolean {
  const r = rel(path);
  return r.startsWith('.build/') || /(^|\/)build\//.test(r);
}

export function loadRegressions(dir = REGRESSIONS): { name: string; meta: RegressionMeta; input: FuzzInput }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'input.json.gz')))
    .sort()
    .map((name) => {
      const raw = JSON.parse(gunzipSync(readFileSync(join(dir, name, 'input.json.gz'))).toString('utf8')) as Omit<FuzzInput, 'files'> & { files: { path: string; base64: string }[] };
      const input: FuzzInput = {
        ...raw,
        // A case's build outputs (examples/build/, .build/) exist only where they were built: a
        // regression found on a machine that had built examples/ is replayed on a clean clone
        // without them (its mutated files, in `files`, are what it is about).
        caseFiles: raw.caseFiles.map(abs).filter((f) => existsSync(f) || !isBuildOutput(f)),
        files: raw.files.map((f) => ({ path: abs(f.path), bytes: new Uint8Array(Buffer.from(f.base64, 'base64')) })),
      };
      return { name, meta: JSON.parse(readFileSync(join(dir, name, 'meta.json'), 'utf8')) as RegressionMeta, input };
    });
}
