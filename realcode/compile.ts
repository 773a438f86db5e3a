// Compiling every object of a tree with clang -target bpf, cached by the hash of what goes into it
// (every file of the tree and of the include directories, the flags, the compilers' versions): a
// warm run compiles nothing. Failures are kept with their reason, never hidden. A cold run parses
// vmlinux.h once per tree where the objects allow it (pch.ts: the same objects, byte for byte).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { precompileVmlinux, type Precompiled } from './pch';
import { JOBS, pool, run } from './proc';
import { cacheRoot, type Compiler } from './toolchain';
import type { Tree } from './trees';

export interface CompiledObject {
  source: string;
  object: string;
  /** Absolute path of the object, when it compiled. */
  path: string | null;
  compiler: string | null;
  /** Why it did not compile (each compiler's first error). */
  failure: string | null;
  cached: boolean;
  /** Compiled now with the precompiled vmlinux.h (pch.ts). */
  precompiled?: boolean;
}

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hashTree(h, p);
    else if (e.isFile() && statSync(p).size < 16 << 20) h.update(`${p}\0`).update(readFileSync(p));
  }
}

/** The hash of everything a tree's objects can include. */
export function inputsHash(dirs: string[]): string {
  const h = createHash('sha256');
  for (const d of dirs) if (existsSync(d)) hashTree(h, d);
  return h.digest('hex');
}

function firstError(stderr: string): string {
  const line = stderr.split('\n').find((l) => /\b(fatal )?error\b/.test(l)) ?? stderr.split('\n').find((l) => l.trim()) ?? 'failed';
  return line.replace(/^.*?\/(tools|drivers)\//, '$1/').trim().slice(0, 300);
}

interface Manifest {
  [object: string]: { key: string; compiler: string | null; failure: string | null };
}

/**
 * Compiles the tree's sources (or `only` of them) into the cache; `variant` names a directory of
 * its own for objects built another way (clang-19 alone: objects/TREE@clang-19).
 */
export async function compileTree(
  tree: Tree,
  include: string,
  compilers: Compiler[],
  inputs: string,
  log: (s: string) => void,
  variant?: { name: string; only: string[] },
): Promise<CompiledObject[]> {
  const outDir = join(cacheRoot(), 'objects', variant ? `${tree.name}@${variant.name}` : tree.name);
  mkdirSync(outDir, { recursive: true });
  const manifestPath = join(outDir, 'manifest.json');
  const manifest: Manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest) : {};
  const versions = compilers.map((c) => c.version).join('\n');
  let done = 0;
  let built = 0;
  const sources = variant?.only ?? tree.sources;
  const keyOf = (source: string): string => createHash('sha256').update(`${inputs}\n${versions}\n${tree.flags(include).join(' ')}\n${source}`).digest('hex');
  const isCached = (source: string): boolean => {
    const known = manifest[tree.objectName(source)];
    return !!known && known.key === keyOf(source) && (!!known.failure || existsSync(join(outDir, tree.objectName(source))));
  };
  const pch = await precompiled(tree, include, compilers[0], sources.filter((s) => !isCached(s)));
  const results = await pool(sources, JOBS, async (source): Promise<CompiledObject> => {
    const object = tree.objectName(source);
    const out = join(outDir, object);
    const key = keyOf(source);
    const known = manifest[object];
    done++;
    if (known && isCached(source)) {
      return { source, object, path: known.failure ? null : out, compiler: known.compiler, failure: known.failure, cached: true };
    }
    const reasons: string[] = [];
    let compiler: string | null = null;
    // With the precompiled vmlinux.h first; should that fail, the plain compile decides (and its
    // error is the one kept).
    let withPch = false;
    if (pch?.eligible(source)) {
      const r = await run([pch.command, ...tree.flags(include), ...pch.sysIncludes, '-include-pch', pch.path, '-c', source, '-o', out], { cwd: tree.root, nice: true });
      withPch = r.code === 0;
      if (withPch) compiler = pch.compiler;
    }
    for (const c of compiler ? [] : compilers) {
      const r = await run([c.command, ...tree.flags(include), ...c.sysIncludes, '-c', source, '-o', out], { cwd: tree.root, nice: true });
      if (r.code === 0) {
        compiler = c.name;
        break;
      }
      reasons.push(`${c.name}: ${firstError(r.stderr)}`);
    }
    built++;
    if (built % 50 === 0) log(`  ${tree.name}: ${done}/${sources.length} objects`);
    const failure = compiler ? null : reasons.join(' | ');
    manifest[object] = { key, compiler, failure };
    if (built % 20 === 0) writeFileSync(manifestPath, JSON.stringify(manifest, null, 1));
    return { source, object, path: compiler ? out : null, compiler, failure, cached: false, precompiled: withPch };
  });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1));
  return results;
}

/**
 * The precompiled vmlinux.h, when enough of the sources to compile can use it to pay for it
 * (BPF_ASSOC_REALCODE_PCH=0: never, every object parses vmlinux.h itself).
 */
async function precompiled(tree: Tree, include: string, compiler: Compiler | undefined, toCompile: string[]): Promise<Precompiled | null> {
  const vmlinux = join(include, 'vmlinux.h');
  if (process.env.BPF_ASSOC_REALCODE_PCH === '0' || !compiler || toCompile.length < 4 || !existsSync(vmlinux)) return null;
  return precompileVmlinux(compiler, tree.flags(include), tree.root, vmlinux, toCompile, 4);
}
