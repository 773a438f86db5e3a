// ELF reader for relocatable objects: the header (ELF32 and ELF64, either byte order), section
// headers and names, the symbol table, and SHT_REL / SHT_RELA relocations. It never throws: a file
// it cannot read gives a message saying why; a section that lies outside the file reads as absent.
import { ByteReader } from './bytes';

export const ET_REL = 1;
export const EM_BPF = 247;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_LLVM_ADDRSIG = 0x6fff4c03;
export const SHF_EXECINSTR = 0x4;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const SHN_UNDEF = 0;
const SHN_XINDEX = 0xffff;

export interface ElfHeader {
  is64: boolean;
  littleEndian: boolean;
  type: number;
  machine: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  /** For relocation sections: the index of the section the relocations apply to. */
  info: number;
  entsize: number;
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  visibility: number;
  /** Section index, or SHN_UNDEF / a reserved index (>= SHN_LORESERVE, 0xff00). */
  shndx: number;
}

export interface ElfRelocation {
  offset: number;
  symbol: number;
  type: number;
  /** Explicit addend of SHT_RELA entries; null for SHT_REL. */
  addend: number | null;
}

export interface ElfFile {
  header: ElfHeader;
  sections: ElfSection[];
  reader: ByteReader;
  /** Things that did not stop the reading (a bad section name, ...). */
  problems: string[];
}

export type ElfResult = { ok: true; elf: ElfFile } | { ok: false; message: string };

function fail(message: string): ElfResult {
  return { ok: false, message };
}

export function readElf(bytes: Uint8Array): ElfResult {
  if (bytes.length === 0) return fail('the file is empty');
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    return fail('not an ELF file (no \\x7fELF magic at the start)');
  }
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) return fail(`unknown ELF class ${cls ?? '?'} (expected 1 for ELF32 or 2 for ELF64)`);
  if (data !== 1 && data !== 2) return fail(`unknown ELF byte order ${data ?? '?'} (expected 1 for little or 2 for big endian)`);
  const is64 = cls === 2;
  const r = new ByteReader(bytes, data === 1);
  const ehsize = is64 ? 64 : 52;
  if (bytes.length < ehsize) return fail(`the file is truncated: ${bytes.length} bytes, shorter than the ${ehsize}-byte ELF header`);
  const header: ElfHeader = { is64, littleEndian: data === 1, type: r.u16(16), machine: r.u16(18) };
  const shoff = is64 ? r.u64(40) : r.u32(32);
  const shentsize = r.u16(is64 ? 58 : 46);
  let shnum = r.u16(is64 ? 60 : 48);
  let shstrndx = r.u16(is64 ? 62 : 50);
  const expectedEntSize = is64 ? 64 : 40;
  if (shoff === 0) return fail('the ELF header has no section header table (e_shoff is 0)');
  if (shentsize !== expectedEntSize) return fail(`section header size is ${shentsize}, expected ${expectedEntSize}`);
  if (!r.has(shoff, shentsize)) {
    return fail(`the file is truncated or corrupt: its section header table starts at offset ${shoff}, past the end of the ${bytes.length}-byte file`);
  }
  // Extended numbering: the real counts live in section 0.
  if (shnum === 0) shnum = is64 ? r.u64(shoff + 32) : r.u32(shoff + 20);
  if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + (is64 ? 40 : 24));
  if (!r.has(shoff, shnum * shentsize)) return fail(sectionTablePastEnd(shoff, shnum, shentsize, bytes.length));

  const sections: ElfSection[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    nameOffsets.push(r.u32(at));
    sections.push(readSectionHeader(r, at, i, is64));
  }
  const names = sections[shstrndx];
  if (!names || shstrndx === 0) return fail(`the section names table index ${shstrndx} is not a section (there are ${shnum})`);
  if (names.type === SHT_NOBITS || !r.has(names.offset, names.size)) {
    return fail(`the section names table (offset ${names.offset}, ${names.size} bytes) lies outside the ${bytes.length}-byte file`);
  }
  const problems: string[] = [];
  for (const s of sections) {
    if (s.index === 0) continue;
    const name = r.cString(names.offset + (nameOffsets[s.index] ?? 0), names.offset + names.size);
    if (name === null) problems.push(`section ${s.index} has an invalid name offset`);
    s.name = name ?? `<section ${s.index}>`;
  }
  return { ok: true, elf: { header, sections, reader: r, problems } };
}

function sectionTablePastEnd(offset: number, count: number, entsize: number, length: number): string {
  return `the file is truncated or corrupt: its section header table (${count} entries of ${entsize} bytes at offset ${offset}) runs past the end of the ${length}-byte file`;
}

function readSectionHeader(r: ByteReader, at: number, index: number, is64: boolean): ElfSection {
  return is64
    ? { index, name: '', type: r.u32(at + 4), flags: r.u64(at + 8), offset: r.u64(at + 24), size: r.u64(at + 32), link: r.u32(at + 40), info: r.u32(at + 44), entsize: r.u64(at + 56) }
    : { index, name: '', type: r.u32(at + 4), flags: r.u32(at + 8), offset: r.u32(at + 16), size: r.u32(at + 20), link: r.u32(at + 24), info: r.u32(at + 28), entsize: r.u32(at + 36) };
}

/** The bytes of a section, or null when it has none in the file (SHT_NOBITS) or lies outside it. */
export function sectionBytes(elf: ElfFile, section: ElfSection): Uint8Array | null {
  if (section.type === SHT_NOBITS || !elf.reader.has(section.offset, section.size)) return null;
  return elf.reader.bytes.subarray(section.offset, section.offset + section.size);
}

/** A message for a section whose bytes lie outside the file, or null when they are inside. */
export function sectionOutsideFile(elf: ElfFile, section: ElfSection): string | null {
  if (section.type === SHT_NOBITS || elf.reader.has(section.offset, section.size)) return null;
  return `section '${section.name}' (offset ${section.offset}, ${section.size} bytes) lies outside the ${elf.reader.length}-byte file`;
}

export function sectionByName(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name);
}

export interface SymbolTable {
  section: ElfSection;
  symbols: ElfSymbol[];
}

/**
 * The one SHT_SYMTAB section and its symbols, or a message. Symbol names come from the string
 * table named by sh_link; a symbol with a bad name offset gets an empty name.
 */
export function readSymbols(elf: ElfFile): SymbolTable | string {
  const tables = elf.sections.filter((s) => s.type === SHT_SYMTAB);
  if (tables.length === 0) return 'there is no symbol table (.symtab); was the object stripped?';
  if (tables.length > 1) return `there are ${tables.length} symbol tables; a BPF object has one`;
  const section = tables[0] as ElfSection;
  const outside = sectionOutsideFile(elf, section);
  if (outside) return outside;
  const entsize = elf.header.is64 ? 24 : 16;
  if (section.entsize !== entsize) return `the symbol table entry size is ${section.entsize}, expected ${entsize}`;
  const strings = elf.sections[section.link];
  if (!strings || section.link === 0 || strings.type !== SHT_STRTAB) return `the symbol table's string table (section ${section.link}) is missing`;
  const stringsOutside = sectionOutsideFile(elf, strings);
  if (stringsOutside) return stringsOutside;
  const r = elf.reader;
  const count = Math.floor(section.size / entsize);
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const at = section.offset + i * entsize;
    const nameOff = r.u32(at);
    const info = r.u8(at + (elf.header.is64 ? 4 : 12));
    const other = r.u8(at + (elf.header.is64 ? 5 : 13));
    const name = nameOff === 0 ? '' : (r.cString(strings.offset + nameOff, strings.offset + strings.size) ?? '');
    symbols.push({
      index: i,
      name,
      value: elf.header.is64 ? r.u64(at + 8) : r.u32(at + 4),
      size: elf.header.is64 ? r.u64(at + 16) : r.u32(at + 8),
      type: info & 0xf,
      bind: info >> 4,
      visibility: other & 0x3,
      shndx: r.u16(at + (elf.header.is64 ? 6 : 14)),
    });
  }
  return { section, symbols };
}

/**
 * Per object: each relocation section's reading (read once, whoever asks), and the bytes of
 * relocation entries read in all. Relocation sections that do not overlap hold at most the file's
 * bytes; past that, section headers point at the same bytes again (a fuzzed multi_ops.bpf.o with
 * 1,600 headers of `.rel.struct_ops.link` each covering its 112 KiB read 11 million entries, 2.3 s of
 * CPU, growing with headers × size), and the rest is not read.
 */
const relocationReads = new WeakMap<ElfFile, { bytes: number; bySection: Map<number, ElfRelocation[] | string> }>();

/** The entries of an SHT_REL or SHT_RELA section, or a message when the section is unusable. */
export function readRelocations(elf: ElfFile, section: ElfSection): ElfRelocation[] | string {
  let reads = relocationReads.get(elf);
  if (!reads) {
    reads = { bytes: 0, bySection: new Map() };
    relocationReads.set(elf, reads);
  }
  const known = reads.bySection.get(section.index);
  if (known !== undefined) return known;
  const read = readRelocationEntries(elf, section, reads);
  reads.bySection.set(section.index, read);
  return read;
}

function readRelocationEntries(elf: ElfFile, section: ElfSection, reads: { bytes: number }): ElfRelocation[] | string {
  const rela = section.type === SHT_RELA;
  if (!rela && section.type !== SHT_REL) return `section '${section.name}' is not a relocation section`;
  const outside = sectionOutsideFile(elf, section);
  if (outside) return outside;
  const is64 = elf.header.is64;
  const entsize = (is64 ? 16 : 8) + (rela ? (is64 ? 8 : 4) : 0);
  if (section.entsize !== entsize) return `relocation section '${section.name}' has entry size ${section.entsize}, expected ${entsize}`;
  const r = elf.reader;
  const count = Math.floor(section.size / entsize);
  if (reads.bytes + count * entsize > r.length) {
    return `relocation section '${section.name}' (${count} entries) was not read: with the relocation sections read before it, it claims more than the ${r.length} bytes of the file, so section headers point at the same bytes more than once`;
  }
  reads.bytes += count * entsize;
  const out: ElfRelocation[] = [];
  for (let i = 0; i < count; i++) {
    const at = section.offset + i * entsize;
    if (is64) {
      const [symbol, type] = r.u64Parts(at + 8);
      out.push({ offset: r.u64(at), symbol, type, addend: rela ? r.i64(at + 16) : null });
    } else {
      const info = r.u32(at + 4);
      out.push({ offset: r.u32(at), symbol: info >>> 8, type: info & 0xff, addend: rela ? r.i32(at + 8) : null });
    }
  }
  return out;
}

const relocationIndex = new WeakMap<ElfFile, Map<number, ElfSection[]>>();

/** Relocation sections (SHT_REL and SHT_RELA) that apply to `target`, found through sh_info. */
export function relocationSectionsFor(elf: ElfFile, target: ElfSection): ElfSection[] {
  let byTarget = relocationIndex.get(elf);
  if (!byTarget) {
    byTarget = new Map();
    for (const s of elf.sections) {
      if (s.index === 0 || (s.type !== SHT_REL && s.type !== SHT_RELA)) continue;
      const list = byTarget.get(s.info) ?? [];
      list.push(s);
      byTarget.set(s.info, list);
    }
    relocationIndex.set(elf, byTarget);
  }
  return byTarget.get(target.index) ?? [];
}
