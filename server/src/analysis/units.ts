// The workspace's BPF translation units: one per object source, each read with the build's defines
// through the files it includes (c/preprocess.ts). A unit is re-read only when a file it reached
// changed its directives, a file appeared or went away, or the defines changed; an ordinary edit
// inside a function re-reads nothing here.
import { dirname, join, normalize } from 'node:path';
import { BuildDefines, type CommandLineDefine } from './c/buildDefines';
import type { Directive } from './c/directives';
import { readUnit, type UnitReading } from './c/preprocess';
import { definesFromOptions, readCompileCommands, readMakefileDefines } from './buildFlags';
import { IncludeResolver } from './fragments';

/** What the units need to know about the workspace's files. */
export interface UnitFiles {
  has(path: string): boolean;
  paths(): Iterable<string>;
  /** A C file's directives (scanned once per text); undefined for other files. */
  directives(path: string): readonly Directive[] | undefined;
  /** Text of a build description (compile_commands.json, Makefile). */
  buildText(path: string): string | undefined;
  /** Changes whenever a file is added or removed. */
  pathsVersion(): number;
}

interface CachedUnit {
  unit: UnitReading;
  deps: Map<string, readonly Directive[] | undefined>;
  pathsVersion: number;
  defines: string;
}

/**
 * A loader is compiled for the host, not for the bpf target: without clang's __BPF__/__bpf__, as
 * x86-64 Linux, and against libbpf 1.7 (the first with bpf_program__assoc_struct_ops, and the one
 * a VM run builds loaders with) unless the workspace holds libbpf's own libbpf_version.h.
 */
export const HOST_COMMAND_LINE: readonly CommandLineDefine[] = [
  { name: '__BPF__', value: null },
  { name: '__bpf__', value: null },
  { name: '__x86_64__', value: '1' },
  { name: '__linux__', value: '1' },
  { name: 'LIBBPF_MAJOR_VERSION', value: '1' },
  { name: 'LIBBPF_MINOR_VERSION', value: '7' },
];

const BUILD_FILE = /(?:^|\/)(?:compile_commands\.json|Makefile|GNUmakefile|makefile)$/;

export function isBuildDescription(path: string): boolean {
  return BUILD_FILE.test(path);
}

export class TranslationUnits {
  private cache = new Map<string, CachedUnit>();
  private resolver: { version: number; headers: IncludeResolver; projectDefines: Set<string>; compileDb: Map<string, CommandLineDefine[]>; makefiles: Map<string, CommandLineDefine[]> } | null = null;
  private readonly aliases: [string, string][] = [];
  private optionDefines: CommandLineDefine[] = definesFromOptions([]);
  private optionKey = '';

  constructor(private readonly files: UnitFiles) {}

  /** `link` is a symbolic link to the directory `target` (both absolute): includes through it reach the target's files. */
  addAlias(link: string, target: string): void {
    if (!this.aliases.some(([l, t]) => l === link && t === target)) this.aliases.push([link, target]);
    this.resolver = null;
    this.cache.clear();
  }

  /** The defines of the bpfAssoc.defines setting or --define (used where the build says nothing). */
  setOptionDefines(options: readonly string[]): void {
    const key = options.join('\n');
    if (key === this.optionKey) return;
    this.optionKey = key;
    this.optionDefines = definesFromOptions(options);
  }

  private index(): NonNullable<TranslationUnits['resolver']> {
    if (this.resolver && this.resolver.version === this.files.pathsVersion()) return this.resolver;
    const paths = [...this.files.paths()];
    const projectDefines = new Set<string>();
    const compileDb = new Map<string, CommandLineDefine[]>();
    const makefiles = new Map<string, CommandLineDefine[]>();
    for (const p of paths) {
      if (isBuildDescription(p)) {
        const text = this.files.buildText(p);
        if (text === undefined) continue;
        if (p.endsWith('.json')) for (const [file, defs] of readCompileCommands(p, text) ?? []) compileDb.set(file, defs);
        else {
          const defs = readMakefileDefines(text);
          // Without a target architecture of its own, a Makefile's defines come after the default one.
          if (defs) makefiles.set(dirname(p), defs.some((d) => d.name.startsWith('__TARGET_ARCH_')) ? defs : [...definesFromOptions([]), ...defs]);
        }
        continue;
      }
      for (const d of this.files.directives(p) ?? []) if (d.kind === 'define') projectDefines.add(d.def.name);
    }
    const headers = new IncludeResolver(paths.filter((p) => /\.[ch]$/.test(p)));
    this.resolver = { version: this.files.pathsVersion(), headers, projectDefines, compileDb, makefiles };
    return this.resolver;
  }

  /** The build's defines for an object source: compile_commands.json, else the nearest Makefile, else the options. */
  definesFor(root: string): { defines: readonly CommandLineDefine[]; from: string } {
    const idx = this.index();
    const db = idx.compileDb.get(root);
    if (db) return { defines: db, from: 'compile_commands.json' };
    for (let dir = dirname(root); ; dir = dirname(dir)) {
      const mk = idx.makefiles.get(dir);
      if (mk) return { defines: mk, from: join(dir, 'Makefile') };
      if (dirname(dir) === dir) break;
    }
    return { defines: this.optionDefines, from: this.optionKey ? 'settings' : 'default' };
  }

  /** A path as the workspace knows the file: itself, or through a symbolic link to a directory the file was walked under. */
  unaliased(p: string): string | undefined {
    if (this.files.has(p)) return p;
    for (const [link, target] of this.aliases) {
      if (p.startsWith(link + '/')) {
        const q = target + p.slice(link.length);
        if (this.files.has(q)) return q;
      }
    }
    return undefined;
  }

  /** Where `#include` finds `name` from `from`: beside it for quotes, then on the include path (any workspace file ending in `/name`, the nearest). */
  resolve(from: string, name: string, angled: boolean): string | undefined {
    if (!angled) {
      const local = this.unaliased(normalize(join(dirname(from), name)));
      if (local !== undefined) return local;
    }
    return this.index().headers.resolve(from, normalize(name));
  }

  /** The unit whose object is built from `root`. */
  unit(root: string): UnitReading {
    return this.read(root, this.definesFor(root).defines);
  }

  /** A loader's unit: compiled for the host (HOST_COMMAND_LINE, then its compile_commands.json entry). */
  hostUnit(root: string): UnitReading {
    const db = this.index().compileDb.get(root);
    return this.read(root, db ? [...HOST_COMMAND_LINE, ...db] : HOST_COMMAND_LINE);
  }

  /** The defines as one string, worked out once per list (the same lists are asked for on every model build). */
  private definesKey(defines: readonly CommandLineDefine[]): string {
    let key = this.definesKeys.get(defines);
    if (key === undefined) this.definesKeys.set(defines, (key = JSON.stringify(defines)));
    return key;
  }

  private readonly definesKeys = new WeakMap<readonly CommandLineDefine[], string>();

  private read(root: string, defines: readonly CommandLineDefine[]): UnitReading {
    const definesKey = this.definesKey(defines);
    const hit = this.cache.get(root);
    if (hit && hit.pathsVersion === this.files.pathsVersion() && hit.defines === definesKey && this.sameDirectives(hit.deps)) return hit.unit;
    const idx = this.index();
    const deps = new Map<string, readonly Directive[] | undefined>();
    const unit = readUnit(
      root,
      {
        directives: (p) => {
          const d = this.files.directives(p);
          deps.set(p, d);
          return d;
        },
        resolve: (from, name, angled) => this.resolve(from, name, angled),
        projectDefines: idx.projectDefines,
      },
      new BuildDefines(defines),
    );
    this.cache.set(root, { unit, deps, pathsVersion: this.files.pathsVersion(), defines: definesKey });
    return unit;
  }

  /** Every file a unit reached still has the directives it was read with. */
  private sameDirectives(deps: ReadonlyMap<string, readonly Directive[] | undefined>): boolean {
    for (const [p, d] of deps) if (this.files.directives(p) !== d) return false;
    return true;
  }

  /** Forgets units of roots that are gone. */
  prune(roots: ReadonlySet<string>): void {
    for (const r of this.cache.keys()) if (!roots.has(r)) this.cache.delete(r);
  }
}
