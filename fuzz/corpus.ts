// The seeds the campaign mutates: the fixture cases and examples (BPF sources, loaders, headers),
// the objects and skeletons clang and bpftool built from them (test/fixtures/build.sh, into
// .build/), and the witness: files no input touches, whose findings must survive every input.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const REGRESSIONS = join(ROOT, 'fuzz', 'regressions');

/** One fixture case or example: its sources and what was built from them. */
export interface SeedCase {
  name: string;
  /** Absolute paths of its C sources, loaders and headers. */
  sources: string[];
  /** Absolute paths of its built objects (`.bpf.o`) and skeletons (`.skel.h`). */
  built: string[];
  /** Headers its sources include from outside the case, when not the shared fixture headers. */
  includeFiles: string[];
}

export interface Corpus {
  cases: SeedCase[];
  /** Files every workspace holds: the witness and the shared fixture headers (path -> bytes). */
  fixed: Map<string, Uint8Array>;
  /** The witness's files (a subset of `fixed`). */
  witness: string[];
  read(path: string): Uint8Array;
}

function walk(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, keep));
    else if (keep(name)) out.push(p);
  }
  return out;
}

const isC = (n: string): boolean => /\.(c|h)$/.test(n) && !n.endsWith('.skel.h');
const isBuilt = (n: string): boolean => n.endsWith('.bpf.o') || n.endsWith('.skel.h');

/**
 * Builds the fixtures' objects and skeletons when .build/ has none (a clean clone), and the
 * examples' (make, which rebuilds only what is older than its source): the corpus then holds the
 * same build outputs on every machine, so a seed draws the same inputs on a clean clone as here.
 */
export function ensureBuilt(): void {
  if (!walk(join(ROOT, '.build', 'test', 'fixtures', 'cases'), isBuilt).length) {
    execFileSync('nice', ['-n', '19', 'bash', join(ROOT, 'test', 'fixtures', 'build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  execFileSync('nice', ['-n', '19', 'make', '-s', '-C', join(ROOT, 'examples')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

let loaded: Corpus | null = null;

export function loadCorpus(): Corpus {
  if (loaded) return loaded;
  const cache = new Map<string, Uint8Array>();
  const read = (p: string): Uint8Array => {
    let b = cache.get(p);
    if (!b) cache.set(p, (b = new Uint8Array(readFileSync(p))));
    return b;
  };
  const include = join(ROOT, 'test', 'fixtures', 'include');
  const cases: SeedCase[] = [];
  const casesDir = join(ROOT, 'test', 'fixtures', 'cases');
  for (const name of readdirSync(casesDir).sort()) {
    const dir = join(casesDir, name);
    cases.push({ name, sources: walk(dir, isC), built: walk(join(ROOT, '.build', relative(ROOT, dir)), isBuilt), includeFiles: [] });
  }
  const exampleHeaders = walk(join(ROOT, 'examples', 'include'), isC);
  for (const name of ['sched', 'tcp', 'testmod']) {
    const dir = join(ROOT, 'examples', name);
    if (existsSync(dir)) cases.push({ name: `examples/${name}`, sources: walk(dir, isC), built: walk(join(ROOT, 'examples', 'build', name), isBuilt), includeFiles: exampleHeaders });
  }
  const witness = walk(join(ROOT, 'fuzz', 'witness'), isC);
  const fixed = new Map<string, Uint8Array>();
  for (const p of [...witness, ...walk(include, isC)]) fixed.set(p, read(p));
  loaded = { cases, fixed, witness, read };
  return loaded;
}
