// Parsing the shared vmlinux.h once per tree instead of once per object. vmlinux.h is 3 MB of types;
// parsing it is about half of a typical object's compile. A source whose compile starts by entering
// vmlinux.h (its first directive includes it, directly or through headers that only open an include
// guard first) sees exactly what a translation unit that begins with vmlinux.h sees, so it is
// compiled with `-include-pch` of vmlinux.h precompiled with the tree's own flags: the same object,
// byte for byte (checked on all 1,074 objects when this was written). Anything else before
// vmlinux.h (a #define, an #if, a declaration, a guard macro vmlinux.h itself mentions) leaves the
// source to the plain compile.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { run } from './proc';
import { cacheRoot, type Compiler } from './toolchain';

export interface Precompiled {
  /** The `.pch` file, built with the tree's flags and this compiler. */
  path: string;
  /** The compiler that built it, the only one that can read it. */
  compiler: string;
  command: string;
  sysIncludes: string[];
  /** Whether a source's compile begins by entering vmlinux.h. */
  eligible(source: string): boolean;
}

/** Directives before the first non-directive line, comments removed and continuations joined. */
function leadingDirectives(text: string): string[] | null {
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\\\r?\n/g, '');
  const out: string[] = [];
  for (const raw of stripped.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (!line.startsWith('#')) return out;
    out.push(line.slice(1).trim());
    if (out.length > 8) return out;
  }
  return out;
}

const identifierRe = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Decides which sources may use the precompiled vmlinux.h (see the file comment). */
export function startsWithVmlinux(opts: {
  vmlinux: string;
  /** -I directories in the order of the flags; quoted includes search the includer's directory first. */
  includeDirs: string[];
  /** Macros the compiler or the command line defines: a guard named so would skip its file. */
  defined: Set<string>;
  /** Every identifier of vmlinux.h: a guard macro named so could change what vmlinux.h says. */
  vmlinuxWords: Set<string>;
}): (file: string) => boolean {
  const target = resolve(opts.vmlinux);
  const find = (name: string, from: string, quoted: boolean): string | null => {
    for (const d of quoted ? [dirname(from), ...opts.includeDirs] : opts.includeDirs) {
      const p = resolve(d, name);
      if (existsSync(p) && statSync(p).isFile()) return p;
    }
    return null;
  };
  const enters = (file: string, depth: number): boolean => {
    if (depth > 6) return false;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    const dirs = leadingDirectives(text) ?? [];
    let i = 0;
    // An include guard opened before anything else: `#ifndef G` `#define G`, or `#pragma once`.
    for (;;) {
      const d = dirs[i] ?? '';
      const guard = /^ifndef\s+([A-Za-z_]\w*)$/.exec(d);
      const define = guard ? new RegExp(`^define\\s+${guard[1]}(\\s|$)`).exec(dirs[i + 1] ?? '') : null;
      if (guard && define && !opts.defined.has(guard[1] as string) && !opts.vmlinuxWords.has(guard[1] as string)) {
        i += 2;
      } else if (/^pragma\s+once$/.test(d)) {
        i += 1;
      } else break;
    }
    const inc = /^include\s*(?:"([^"]+)"|<([^>]+)>)\s*$/.exec(dirs[i] ?? '');
    if (!inc) return false;
    const quoted = inc[1] !== undefined;
    const next = find((inc[1] ?? inc[2]) as string, file, quoted);
    if (!next) return false;
    return next === target || enters(next, depth + 1);
  };
  return (file) => enters(resolve(file), 0);
}

/** The identifiers of a file, as a set. */
function words(file: string): Set<string> {
  return new Set(readFileSync(file, 'utf8').match(identifierRe) ?? []);
}

/**
 * vmlinux.h precompiled with `flags` by `compiler` (cached by everything that goes into it), when at
 * least `minimum` of `sources` may use it; null when too few may or the header does not precompile.
 */
export async function precompileVmlinux(compiler: Compiler, flags: string[], root: string, vmlinux: string, sources: string[], minimum: number): Promise<Precompiled | null> {
  const argv = [...flags, ...compiler.sysIncludes];
  const predefined = await run([compiler.command, ...argv, '-dM', '-E', '-x', 'c', '-'], { cwd: root, input: '' });
  if (predefined.code !== 0) return null;
  const defined = new Set([...predefined.stdout.matchAll(/^#define\s+([A-Za-z_]\w*)/gm)].map((m) => m[1] as string));
  const includeDirs = argv.filter((a) => a.startsWith('-I')).map((a) => resolve(root, a.slice(2)));
  const test = startsWithVmlinux({ vmlinux, includeDirs, defined, vmlinuxWords: words(vmlinux) });
  const eligible = (source: string): boolean => test(resolve(root, source));
  if (sources.filter(eligible).length < minimum) return null;
  const key = createHash('sha256').update(`${compiler.version}\n${argv.join(' ')}\n`).update(readFileSync(vmlinux)).digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), 'pch');
  const path = join(dir, `vmlinux-${key}.pch`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    const r = await run([compiler.command, ...argv, '-x', 'c-header', vmlinux, '-o', tmp], { cwd: root, nice: true });
    if (r.code !== 0) {
      rmSync(tmp, { force: true });
      return null;
    }
    renameSync(tmp, path);
  }
  return { path, compiler: compiler.name, command: compiler.command, sysIncludes: compiler.sysIncludes, eligible };
}
