// Which BPF object a Rust loader's skeleton is. libbpf-cargo's SkeletonBuilder names the generated
// skeleton after the object file (gen/mod.rs gen_single: the file name up to its first '.'; with
// `.source()` only, the source's: `src/bpf/tcp_ca.bpf.c` -> `tcp_ca`), and its types after that
// name, capitalised part by part (`tcp_ca` -> `TcpCaSkelBuilder`, `OpenTcpCaSkel`, `TcpCaSkel`).
// scx_cargo's BpfBuilder names it itself: `.enable_skel("src/bpf/main.bpf.c", "bpf")` with
// `.build()` gives `BpfSkel` for main.bpf.c alone (the `.add_source()`s are only rerun triggers
// then); with `.compile_link_gen()` it compiles the skel source and every `.add_source()`, links
// them into one object, always `bpf.bpf.o`, and generates `bpf_skel.rs` from it: the skeleton is
// `BpfSkel` whatever name `.enable_skel()` gives (scx_cargo bpf_builder.rs compile_link_gen()).
// Read from the crate's build.rs text; pure, no parse needed.
import { basename, dirname, join, normalize } from 'node:path';
import { objectNamesForSource } from '../objectNames';

/** One skeleton a build script generates: its name (`tcp_ca`, `bpf`) and the BPF source it is built from. */
export interface SkeletonSpec {
  /** libbpf-cargo's raw object name: the generated types are `capitalize(name)` + `SkelBuilder`, ... */
  name: string;
  /** Absolute path of the BPF source. */
  source: string;
  /** The other sources linked into the same object (scx_cargo's `.add_source()` with `.compile_link_gen()`), absolute. */
  parts: string[];
}

/** scx_cargo's name for a linked skeleton: `compile_link_gen()` hard-codes `bpf.bpf.o` and `bpf_skel.rs`. */
export const SCX_LINKED_SKELETON = 'bpf';

/** `tcp_ca` -> `TcpCa`, as libbpf-cargo's capitalize_first_letter() does. */
export function skeletonTypePrefix(rawName: string): string {
  return rawName
    .split('_')
    .map((p) => (p ? p[0]?.toUpperCase() + p.slice(1) : ''))
    .join('');
}

/** The name libbpf-cargo gives a skeleton built from `path` (`main.bpf.c`, `x/foo.bpf.o` -> `main`, `foo`). */
export function rawObjectName(path: string): string {
  return basename(path).split('.')[0] ?? '';
}

const STRING = /"((?:[^"\\]|\\.)*)"/;

/** `const SRC: &str = "src/bpf/x.bpf.c";` and the like, by name. */
function stringConstants(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/\b(?:const|static|let)\s+(?:mut\s+)?(\w+)\s*(?::\s*&(?:'static\s+)?str\s*)?=\s*"((?:[^"\\]|\\.)*)"\s*;/g)) {
    if (m[1] && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

/** A call argument as a string: a literal, or a constant the script defines. */
function argumentString(arg: string, constants: Map<string, string>): string | null {
  const t = arg.trim().replace(/^&/, '').trim();
  const lit = STRING.exec(t);
  if (lit && lit.index === 0) return lit[1] ?? null;
  return /^\w+$/.test(t) ? (constants.get(t) ?? null) : null;
}

/** The text of the argument list that opens at `open` (an index of '('), up to its closing parenthesis. */
function argumentsAt(text: string, open: number): string[] {
  let depth = 0;
  let start = open + 1;
  const out: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        out.push(text.slice(start, i));
        return out;
      }
    } else if (c === ',' && depth === 1) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

/**
 * The skeletons a build script generates: libbpf-cargo's `SkeletonBuilder::new().source(S)[.obj(O)]
 * ...build_and_generate(..)` chains, and scx_cargo's `.enable_skel(S, NAME)`. `crateDir` resolves
 * the relative paths (cargo runs build scripts in the crate's directory).
 */
export function readBuildScript(text: string, crateDir: string): SkeletonSpec[] {
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
  const constants = stringConstants(code);
  const out: SkeletonSpec[] = [];
  const add = (name: string, source: string, parts: string[] = []) => {
    const abs = normalize(join(crateDir, source));
    const linked = parts.map((p) => normalize(join(crateDir, p))).filter((p) => p !== abs);
    if (name && !out.some((s) => s.name === name && s.source === abs)) out.push({ name, source: abs, parts: [...new Set(linked)] });
  };
  // scx_cargo: one BpfBuilder per build script (its calls chained or made on a variable).
  const firstArgument = (m: RegExpMatchArray): string | null => {
    const [a] = argumentsAt(code, (m.index ?? 0) + m[0].length - 1);
    return a === undefined ? null : argumentString(a, constants);
  };
  const linking = /\.compile_link_gen\s*\(/.test(code);
  const added = linking ? [...code.matchAll(/\.add_source\s*\(/g)].map(firstArgument).filter((a): a is string => !!a) : [];
  for (const m of code.matchAll(/\.enable_skel\s*\(/g)) {
    const [src, name] = argumentsAt(code, (m.index ?? 0) + m[0].length - 1);
    const source = src === undefined ? null : argumentString(src, constants);
    const raw = name === undefined ? null : argumentString(name, constants);
    if (source && raw) add(linking ? SCX_LINKED_SKELETON : raw, source, added);
  }
  const starts = [...code.matchAll(/\bSkeletonBuilder\s*::\s*new\s*\(\s*\)/g)].map((m) => m.index ?? 0);
  starts.forEach((at, i) => {
    const end = Math.min(code.indexOf(';', at) >= 0 ? code.indexOf(';', at) : code.length, starts[i + 1] ?? code.length);
    const chain = code.slice(at, end);
    const arg = (method: string): string | null => {
      const m = new RegExp(`\\.${method}\\s*\\(`).exec(chain);
      if (!m) return null;
      const [a] = argumentsAt(chain, m.index + m[0].length - 1);
      return a === undefined ? null : argumentString(a, constants);
    };
    const source = arg('source');
    if (!source) return;
    const obj = arg('obj');
    add(rawObjectName(obj ?? source), source);
  });
  return out;
}

/** The object name the C side knows a source by (`main.bpf.c` -> `main`), as bpftool's Makefiles name it. */
export function objectNameOfSource(source: string): string {
  const names = objectNamesForSource(source);
  return names[names.length - 1] ?? rawObjectName(source);
}

/** The directory of the nearest Cargo.toml above `file` among the workspace's files (absolute paths), or null. */
export function crateDirOf(file: string, files: ReadonlyMap<string, { kind: string }>): string | null {
  for (let d = dirname(file); ; d = dirname(d)) {
    if (files.get(d === '/' ? '/Cargo.toml' : `${d}/Cargo.toml`)?.kind === 'cargo') return d;
    if (dirname(d) === d) return null;
  }
}

/** A skeleton type's BPF object: its (first) source's object name (a linked skeleton's sources are one object, linkedSources.ts). */
export interface CrateSkeleton {
  objectName: string;
  source: string;
}

/**
 * A Rust loader's skeleton types resolved to BPF objects: by the crate's build script, else by the
 * BPF sources of the crate whose file name gives the type (`tcp_ca.bpf.c` for `TcpCaSkel`, as
 * `cargo libbpf gen` names them).
 */
export function skeletonsOfCrate(specs: SkeletonSpec[], crateSources: string[]): Map<string, CrateSkeleton> {
  const out = new Map<string, CrateSkeleton>();
  // A linked skeleton (scx_cargo's compile_link_gen()) is one object, its sources merged under
  // its skel source's names too (linkedSources.ts): the skeleton is that object's.
  for (const s of specs) out.set(skeletonTypePrefix(s.name), { objectName: objectNameOfSource(s.source), source: s.source });
  for (const src of crateSources) {
    const prefix = skeletonTypePrefix(rawObjectName(src));
    if (!out.has(prefix)) out.set(prefix, { objectName: objectNameOfSource(src), source: src });
  }
  return out;
}

/**
 * A skeleton type neither the build script nor a source's name gives is the crate's only BPF
 * source, when it has exactly one (scx_rustland_core's template loader: its `BpfSkel` is built by
 * the user crate's build script from the copied `main.bpf.c`).
 */
export function onlySourceOfCrate(crateSources: string[]): { objectName: string; source: string } | null {
  const [only, ...more] = crateSources;
  return only && !more.length ? { objectName: objectNameOfSource(only), source: only } : null;
}
