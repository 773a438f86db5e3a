// bpftool `gen skeleton` output -> facts: the object name, the member names of `maps`, `progs`,
// `links`, the struct_ops shadow types (map -> function-pointer members), and the object embedded
// by NAME__elf_bytes(), read back with the same reader as a `.bpf.o`. Both bpftool formats of the
// embedded object are understood: `*sz = N; return (const void *)"...";` (before v7.3) and
// `static const char data[] __attribute__((__aligned__(8))) = "..."; *sz = sizeof(data) - 1;`.
import { decodeCStringLiterals } from './cStringLiteral';
import { readBpfObject } from './elf/bpfObject';
import { ByteReader } from './elf/bytes';
import { LineIndex } from './c/lineIndex';
import { isRustSkeletonPath, readRustSkeleton } from './rust/skeletonRs';
import { type Location, type ReadProblem, type SkeletonFacts, ZERO_RANGE } from './facts';

const SKELETON_STRUCT = /struct\s+(\w+)\s*\{\s*struct\s+bpf_object_skeleton\s*\*\s*skeleton\s*;/;
/** Light skeletons (`gen skeleton -L`) carry a loader program instead of the object. */
const LIGHT_SKELETON_STRUCT = /struct\s+(\w+)\s*\{\s*struct\s+bpf_loader_ctx\s+ctx\s*;/;
/** How far into the struct body, and into NAME__elf_bytes() before its literal, we look. */
const STRUCT_BODY_LIMIT = 1 << 20;
const ELF_BYTES_PREAMBLE_LIMIT = 4096;

export function readSkeleton(text: string, file: string): SkeletonFacts {
  // libbpf-cargo's `*.skel.rs`: the same facts, from its own form.
  if (isRustSkeletonPath(file)) return readRustSkeleton(text, file);
  const facts: SkeletonFacts = {
    file,
    objectName: '',
    location: { file, range: ZERO_RANGE },
    maps: [],
    programs: [],
    links: [],
    structOpsShadows: [],
    embedded: null,
    problems: [],
  };
  let lines: LineIndex | undefined;
  const at = (offset: number, length = 0): Location => {
    lines ??= new LineIndex(text);
    return { file, range: lines.range(offset, offset + length) };
  };
  const problem = (message: string, offset: number): void => {
    facts.problems.push({ rule: 'malformed-skeleton', message, location: at(offset) } satisfies ReadProblem);
  };
  const full = SKELETON_STRUCT.exec(text);
  const light = full ? null : LIGHT_SKELETON_STRUCT.exec(text);
  const head = full ?? light;
  if (!head || head[1] === undefined) {
    problem('no `struct NAME { struct bpf_object_skeleton *skeleton; ... }`: this does not look like a bpftool skeleton', 0);
    return facts;
  }
  const name = head[1];
  const nameOffset = head.index + head[0].indexOf(name);
  facts.objectName = name;
  facts.location = at(nameOffset, name.length);

  const open = text.indexOf('{', nameOffset);
  const body = blockEnd(text, open, Math.min(text.length, open + STRUCT_BODY_LIMIT));
  if (body < 0) {
    problem(`the body of struct ${name} does not end`, open);
    return facts;
  }
  for (const block of blocks(text, open + 1, body)) {
    const inner = text.slice(block.open + 1, block.close);
    // A light skeleton describes maps and programs with fds: `struct bpf_map_desc X;`, `int X_fd;`.
    if (block.name === 'maps') facts.maps = memberNames(inner, light ? /struct\s+bpf_map_desc\s+(\w+)\s*;/g : /struct\s+bpf_map\s*\*\s*(\w+)\s*;/g);
    else if (block.name === 'progs') facts.programs = memberNames(inner, light ? /struct\s+bpf_prog_desc\s+(\w+)\s*;/g : /struct\s+bpf_program\s*\*\s*(\w+)\s*;/g);
    else if (block.name === 'links') facts.links = memberNames(inner, light ? /\bint\s+(\w+)_fd\s*;/g : /struct\s+bpf_link\s*\*\s*(\w+)\s*;/g);
    else if (block.name === 'struct_ops') {
      for (const shadow of blocks(text, block.open + 1, block.close)) {
        const members = memberNames(text.slice(shadow.open + 1, shadow.close), /struct\s+bpf_program\s*\*\s*(\w+)\s*;/g);
        if (shadow.pointer) facts.structOpsShadows.push({ map: shadow.name, members });
      }
    }
  }
  if (light) return facts; // a light skeleton embeds no object file
  readEmbeddedObject(text, file, name, nameOffset, facts, problem);
  return facts;
}

/** The bytes of a skeleton's embedded object, or why they cannot be had (with an offset in the text). */
export type EmbeddedBytes = { bytes: Uint8Array; start: number; note?: { message: string; offset: number } } | { message: string; offset: number };

/**
 * Decodes the object `NAME__elf_bytes()` hands to libbpf, in both bpftool formats: older
 * `*sz = N; return (const void *)"..."` and newer `static const char data[] = "..."`.
 */
export function embeddedObjectBytes(text: string, name: string, nameOffset = 0): EmbeddedBytes {
  const fnOffset = elfBytesDefinition(text, name);
  if (fnOffset < 0) {
    return { message: `${name}__elf_bytes() is not defined, so the embedded object cannot be read; regenerate the skeleton with bpftool gen skeleton`, offset: nameOffset };
  }
  const preamble = text.slice(fnOffset, fnOffset + ELF_BYTES_PREAMBLE_LIMIT);
  const aligned = /static\s+const\s+char\s+data\s*\[\s*\]\s*(?:__attribute__\s*\(\(.*?\)\)\s*)?=\s*"/.exec(preamble);
  const older = aligned ? null : /\*\s*sz\s*=\s*(\d+)\s*;\s*return\s*\(\s*const\s+void\s*\*\s*\)\s*"/.exec(preamble);
  const literal = aligned ?? older;
  if (!literal) return { message: `${name}__elf_bytes() holds no string literal in a format bpftool writes`, offset: fnOffset };
  const start = fnOffset + literal.index + literal[0].length - 1;
  const declared = older?.[1] !== undefined ? Number(older[1]) : null;
  // Each embedded byte takes at least one character of the skeleton: a larger size cannot be there.
  if (declared !== null && !(declared <= text.length - start)) {
    return { message: `${name}__elf_bytes() declares *sz = ${older?.[1] ?? ''} bytes, more than the whole skeleton holds (${text.length} characters): the embedded object is truncated or the size is corrupt`, offset: fnOffset + (older?.index ?? 0) };
  }
  const decoded = decodeCStringLiterals(text, start, declared ?? (text.length - start) >>> 1);
  const bytes = decoded.bytes;
  if (decoded.error) {
    const expected = declared ?? elfSizeFromHeader(bytes);
    const message = decoded.error.cutShort
      ? expected !== null && expected > bytes.length
        ? `the embedded object is truncated: ${bytes.length} of ${expected} bytes`
        : `the embedded object is truncated after ${bytes.length} bytes: ${decoded.error.message}`
      : `the embedded object cannot be decoded: ${decoded.error.message}`;
    return { message, offset: decoded.error.offset };
  }
  if (declared !== null && declared !== bytes.length) {
    if (declared > bytes.length) return { message: `the embedded object is truncated: ${bytes.length} of ${declared} bytes`, offset: start };
    return {
      bytes: bytes.subarray(0, declared),
      start,
      note: { message: `the embedded object's string is ${bytes.length} bytes but *sz = ${declared}; libbpf reads the first ${declared}`, offset: start },
    };
  }
  return { bytes, start };
}

function readEmbeddedObject(
  text: string,
  file: string,
  name: string,
  nameOffset: number,
  facts: SkeletonFacts,
  problem: (message: string, offset: number) => void,
): void {
  const got = embeddedObjectBytes(text, name, nameOffset);
  if (!('bytes' in got)) return problem(got.message, got.offset);
  if (got.note) problem(got.note.message, got.note.offset);
  const embedded = readBpfObject(got.bytes, file, 'skeleton', { objectName: name });
  embedded.objectNames = [name];
  facts.embedded = embedded;
}

/** Offset of `NAME__elf_bytes(size_t *sz) {` (the definition, not the declaration), or -1. */
function elfBytesDefinition(text: string, name: string): number {
  const re = new RegExp(`\\b${name}__elf_bytes\\s*\\(\\s*size_t\\s*\\*\\s*\\w+\\s*\\)\\s*\\{`, 'g');
  const m = re.exec(text);
  return m ? m.index : -1;
}

/**
 * The size an ELF file says it has: the end of its section header table (clang writes it last),
 * or null when the bytes are too short to tell.
 */
function elfSizeFromHeader(bytes: Uint8Array): number | null {
  if (bytes.length < 64 || bytes[4] !== 2 || (bytes[5] !== 1 && bytes[5] !== 2)) return null;
  const r = new ByteReader(bytes, bytes[5] === 1);
  return r.u64(40) + r.u16(58) * r.u16(60);
}

interface Block {
  open: number;
  close: number;
  /** The declarator after the closing brace: `maps` in `} maps;`, `m` in `} *m;`. */
  name: string;
  pointer: boolean;
}

/** The `struct ... { ... } [*]NAME;` blocks directly inside [from, to). */
function blocks(text: string, from: number, to: number): Block[] {
  const out: Block[] = [];
  for (let i = text.indexOf('{', from); i >= 0 && i < to; i = text.indexOf('{', i + 1)) {
    const close = blockEnd(text, i, to);
    if (close < 0) break;
    const m = /^\s*(\*?)\s*(\w+)\s*;/.exec(text.slice(close + 1, close + 256));
    if (m?.[2] !== undefined) out.push({ open: i, close, name: m[2], pointer: m[1] === '*' });
    i = close;
  }
  return out;
}

/** The offset of the '}' that closes the '{' at `open`, looking no further than `limit`; -1 if none. */
function blockEnd(text: string, open: number, limit: number): number {
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i;
  }
  return -1;
}

/** The first capture of every match of a global regular expression. */
function memberNames(inner: string, member: RegExp): string[] {
  return [...inner.matchAll(member)].map((m) => m[1] as string);
}
