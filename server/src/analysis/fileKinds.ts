// What kind of file a workspace path is (a BPF source, a loader, a header, a skeleton, an object,
// a build description), from its name and what its code uses; and the signature of a C text's
// directives, which tells whether an edit can change what its translation units read.
import { codeText } from './c/commentScan';
import { isBuildDescription } from './units';
import { isBuildScript, isCargoManifest, RUST_LOADER_USE } from './rust/files';
import { isRustSkeletonPath, RUST_SKELETON } from './rust/skeletonRs';
import { hostOnlySection, hostOnlySectionStart } from './sections';

/** `build`: a compile_commands.json or Makefile, read for the -D/-U it gives BPF sources. */
/** `rust`: a libbpf-rs loader (analysis/rust/); `cargo`: a Cargo.toml or build.rs (names the crate's skeletons). */
export type FileKind = 'bpf' | 'loader' | 'skeleton' | 'object' | 'header' | 'build' | 'rust' | 'cargo' | 'other';

/** Source files above this size are not parsed (headers are still scanned for macros and kfuncs). */
export const MAX_PARSED_BYTES = 4 * 1024 * 1024;
export const SEC_USE = /\bSEC\s*\(|__attribute__\s*\(\(\s*(?:section|__section__)\s*\(/;
const SKELETON_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*[<"][^>"]*\.skel\.h[>"]/m;
const LOADER_USE = /\.skel\.h"|\b\w+__open(?:_and_load|_opts)?\s*\(|\bbpf_(?:object|program|map)__\w+\s*\(|\bbpf_prog_assoc_struct_ops\s*\(|\bSCX_OPS_(?:OPEN|LOAD|ATTACH)\s*\(/;

/** C text with comments blanked out (strings kept), for classifying a file by what its code uses. */
export function withoutComments(text: string): string {
  return codeText(text, { comments: 'space' });
}

let sectionUseCache: { key: string; re: RegExp } | null = null;

/** `SEC(`, a written-out section attribute, or one of the project's section attribute macros. */
export function sectionUse(sectionMacros: ReadonlySet<string>): RegExp {
  if (!sectionMacros.size) return SEC_USE;
  const key = [...sectionMacros].sort().join('|');
  if (sectionUseCache?.key !== key) sectionUseCache = { key, re: new RegExp(`${SEC_USE.source}|\\b(?:${key.replace(/\$/g, '\\$')})\\s*\\(`) };
  return sectionUseCache.re;
}

/**
 * What kind of file this is, from its name and (for `.c`) its content. `sectionMacros`: the
 * workspace's macros that expand to a section attribute (they count as `SEC`).
 */
export function classify(path: string, text: string | null, sectionMacros: ReadonlySet<string> = new Set()): FileKind {
  if (path.endsWith('.skel.h') || (path.endsWith('.h') && text !== null && isBpftoolSkeleton(text))) return 'skeleton';
  if (isCargoManifest(path) || isBuildScript(path)) return 'cargo';
  // libbpf-cargo's generated skeleton embeds its object: read like a C skeleton (rust/skeletonRs.ts).
  if (isRustSkeletonPath(path) && text !== null && RUST_SKELETON.test(text)) return 'skeleton';
  if (path.endsWith('.rs')) return text !== null && RUST_LOADER_USE.test(text) ? 'rust' : 'other';
  if (path.endsWith('.o')) return 'object';
  if (path.endsWith('.h')) return 'header';
  if (path.endsWith('.bpf.c')) return 'bpf';
  if (path.endsWith('.c')) {
    if (text === null) return 'other';
    const code = withoutComments(text);
    // A file that includes a skeleton runs on the host, whatever else it mentions (a USDT's
    // `.probes` section attribute); `SEC(` only counts in code, not in a string literal.
    if (SKELETON_INCLUDE.test(code)) return 'loader';
    if (usesBpfSection(code, sectionMacros)) return 'bpf';
    if (LOADER_USE.test(code)) return 'loader';
  }
  return 'other';
}

/** libbpf's data sections: a variable put there is data, never a program or a map. */
const DATA_SECTION = /^\.(?:data|rodata|bss)(?:\.|$)/;

/**
 * Whether code (comments blanked) puts something in a section that can make a BPF program or map:
 * `SEC(` always; a written-out section attribute or a project section macro unless its whole
 * argument is a literal naming a data section or one libbpf never reads (a host's
 * `__section(".data.early")`, `__attribute__((section(".rodata.banner")))`: u-boot's files in qemu's
 * roms/ were BPF sources for them). `SEC(` only counts in code, not in a string literal.
 */
/** The offset is inside a `#define` (its first line or a continuation line). */
function inDefine(code: string, offset: number): boolean {
  let start = code.lastIndexOf('\n', offset - 1) + 1;
  // Back over continued lines: the line before ends with a backslash.
  while (start > 1 && code[start - 2] === '\\') start = code.lastIndexOf('\n', start - 2) + 1;
  return /^[ \t]*#[ \t]*define\b/.test(code.slice(start, start + 64));
}

function usesBpfSection(code: string, sectionMacros: ReadonlySet<string>): boolean {
  // String literals blanked, same length: a match's offsets are the code's.
  const blanked = code.replace(/"(?:[^"\\\n]|\\.)*"/g, (s) => `"${' '.repeat(s.length - 2)}"`);
  const use = new RegExp(sectionUse(sectionMacros).source, 'g');
  for (const m of blanked.matchAll(use)) {
    if (/^SEC\b/.test(m[0])) return true;
    const after = code.slice((m.index ?? 0) + m[0].length);
    const name = /^\s*"([^"\\\n]*)"\s*[),]/.exec(after)?.[1];
    if (name !== undefined) {
      if (!(DATA_SECTION.test(name) || hostOnlySection(name))) return true;
      continue;
    }
    // A literal joined to a macro parameter (`".rom.text." _name`): host-only when no libbpf section can start so.
    const start = /^\s*"([^"\\\n]*)"\s*[A-Za-z_#]/.exec(after)?.[1];
    if (start !== undefined) {
      if (!hostOnlySectionStart(start)) return true;
      continue;
    }
    // A section macro's definition naming its parameter (`#define _section_(x) __attribute__((section(x)))`):
    // its uses decide, not the definition.
    if (/^\s*[A-Za-z_]\w*\s*[),]/.test(after) && inDefine(code, m.index ?? 0)) continue;
    return true;
  }
  return false;
}

/**
 * bpftool's `gen skeleton` output, whatever the file is called (bpftool writes to standard output:
 * qemu commits `ebpf/rss.bpf.skeleton.h`): its banner opens the file, and it declares the skeleton
 * (`struct bpf_object_skeleton *`, or a light skeleton's `struct bpf_loader_ctx ctx;`); a subskeleton
 * (`bpf_object_subskeleton`) embeds no object and stays a header.
 */
export function isBpftoolSkeleton(text: string): boolean {
  return text.slice(0, 400).includes('THIS FILE IS AUTOGENERATED BY BPFTOOL!') && (text.includes('struct bpf_object_skeleton *') || /\bstruct\s+bpf_loader_ctx\s+ctx\s*;/.test(text));
}

export function isCandidate(path: string): boolean {
  return /\.(c|h|o|rs)$/.test(path) || isBuildDescription(path) || isCargoManifest(path);
}

/** A function definition in a header (`static inline int f(...) {`), as helpers are written. */
export const FUNCTION_DEFINITION = /\b(?:static|inline|__always_inline|__inline)\b[^;{}#]*\)\s*\{/;
/** A license section: the mark of a source that is a whole object by itself. */
export const LICENSE = /\bSEC\s*\(\s*"license"\s*\)|section(?:__)?\s*\(\s*"license"\s*\)/;

/**
 * C text whose `#` lines are the same gives the same directives, unless a comment that spans lines
 * starts or ends elsewhere (`/*` or `*\/` without its partner on the same line, counted too).
 * Native string searches only: it runs on every edit of a file.
 */
export function directiveSignature(text: string): string {
  const parts: string[] = [];
  for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) {
    const start = text.lastIndexOf('\n', i) + 1;
    let j = start;
    while (j < i && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    if (j !== i) continue;
    let end = text.indexOf('\n', i);
    while (end > 0 && text.charCodeAt(end - 1) === 92) end = text.indexOf('\n', end + 1);
    if (end < 0) end = text.length;
    parts.push(text.slice(i, end));
    i = end;
  }
  let open = 0;
  let close = 0;
  for (let i = text.indexOf('/*'); i >= 0; i = text.indexOf('/*', i + 2)) {
    const nl = text.indexOf('\n', i);
    const end = text.indexOf('*/', i + 2);
    if (end < 0 || (nl >= 0 && end > nl)) open++;
  }
  for (let i = text.indexOf('*/'); i >= 0; i = text.indexOf('*/', i + 2)) {
    const st = text.indexOf('/*', text.lastIndexOf('\n', i) + 1);
    if (st < 0 || st >= i - 1) close++;
  }
  parts.push(`${open}/${close}`);
  return parts.join('\n');
}
