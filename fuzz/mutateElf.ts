// Mutations of compiled BPF objects: blind byte flips and truncation, and mutations that know the
// layout (ELF64 little-endian, as clang -target bpf writes it): section header fields set to
// boundary values, overlapping sections, huge counts and sizes, symbols and relocations pointing
// anywhere, and BTF whose types refer to themselves or each other in loops, with huge counts.
import { Rng } from './rng';

interface SectionHeader {
  /** Offset of this header in the file. */
  at: number;
  name: string;
  type: number;
  offset: number;
  size: number;
}

function u32(b: Uint8Array, at: number): number {
  return at + 4 <= b.length ? new DataView(b.buffer, b.byteOffset).getUint32(at, true) : 0;
}

function u64(b: Uint8Array, at: number): number {
  return at + 8 <= b.length ? Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at, true)) : 0;
}

function setU32(b: Uint8Array, at: number, v: number): void {
  if (at >= 0 && at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
}

function setU64(b: Uint8Array, at: number, v: bigint): void {
  if (at >= 0 && at + 8 <= b.length) new DataView(b.buffer, b.byteOffset).setBigUint64(at, BigInt.asUintN(64, v), true);
}

function setU16(b: Uint8Array, at: number, v: number): void {
  if (at >= 0 && at + 2 <= b.length) new DataView(b.buffer, b.byteOffset).setUint16(at, v & 0xffff, true);
}

/** The section headers of an ELF64 LE object (empty when it is not one). */
export function sectionHeaders(b: Uint8Array): SectionHeader[] {
  if (b.length < 64 || b[0] !== 0x7f || b[4] !== 2 || b[5] !== 1) return [];
  const shoff = u64(b, 0x28);
  const shnum = b[0x3c]! | (b[0x3d]! << 8);
  const shstrndx = b[0x3e]! | (b[0x3f]! << 8);
  const out: SectionHeader[] = [];
  for (let i = 0; i < shnum && shoff + (i + 1) * 64 <= b.length; i++) {
    const at = shoff + i * 64;
    out.push({ at, name: '', type: u32(b, at + 4), offset: u64(b, at + 24), size: u64(b, at + 32) });
  }
  const strtab = out[shstrndx];
  if (strtab) {
    for (let i = 0; i < out.length; i++) {
      const h = out[i] as SectionHeader;
      const start = strtab.offset + u32(b, h.at);
      let end = start;
      while (end < b.length && end < start + 256 && b[end] !== 0) end++;
      h.name = new TextDecoder().decode(b.subarray(start, end));
    }
  }
  return out;
}

const BIG = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn];

function headerField(rng: Rng, b: Uint8Array, headers: SectionHeader[]): string {
  const h = rng.pick(headers);
  // sh_name 0, sh_type 4, sh_flags 8, sh_addr 16, sh_offset 24, sh_size 32, sh_link 40, sh_info 44, sh_addralign 48, sh_entsize 56
  const field = rng.pick([0, 4, 24, 32, 40, 44, 48, 56]);
  if (field === 24 || field === 32 || field === 48 || field === 56) {
    const v = rng.chance(0.5) ? rng.pick(BIG) : BigInt(rng.int(b.length + 64));
    setU64(b, h.at + field, v);
  } else setU32(b, h.at + field, rng.interestingU32());
  return `shdr[${h.name}]+${field}`;
}

function fileHeader(rng: Rng, b: Uint8Array): string {
  const field = rng.pick([0x28, 0x3a, 0x3c, 0x3e, 0x10, 0x12, 0x04, 0x05]);
  if (field === 0x28) setU64(b, field, rng.chance(0.5) ? rng.pick(BIG) : BigInt(rng.int(b.length)));
  else if (field >= 0x3a) setU16(b, field, rng.pick([0, 1, 2, 0xff00, 0xffff, rng.int(0x10000)]));
  else if (field === 0x04 || field === 0x05) b[field] = rng.int(4);
  else setU16(b, field, rng.int(0x10000));
  return `ehdr+${field}`;
}

function overlap(rng: Rng, b: Uint8Array, headers: SectionHeader[]): string {
  const a = rng.pick(headers);
  const c = rng.pick(headers);
  setU64(b, a.at + 24, BigInt(c.offset + (rng.chance(0.5) ? 0 : rng.int(Math.max(1, c.size)))));
  if (rng.chance(0.5)) setU64(b, a.at + 32, BigInt(c.size));
  return `overlap[${a.name}<-${c.name}]`;
}

function flipInSection(rng: Rng, b: Uint8Array, headers: SectionHeader[], prefer: RegExp | null): string {
  const candidates = headers.filter((h) => h.size > 0 && h.offset + h.size <= b.length && (!prefer || prefer.test(h.name)));
  const h = candidates.length ? rng.pick(candidates) : null;
  const [start, len] = h ? [h.offset, h.size] : [0, b.length];
  const n = rng.range(1, 16);
  for (let i = 0; i < n; i++) {
    const at = start + rng.int(len);
    b[at] = rng.chance(0.5) ? b[at]! ^ (1 << rng.int(8)) : rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)]);
  }
  return `flip[${h?.name ?? 'file'}]x${n}`;
}

/** Symbols and relocations: indices and values set to boundaries (entries are 24 and 16 bytes). */
function tableEntries(rng: Rng, b: Uint8Array, headers: SectionHeader[]): string {
  const tables = headers.filter((h) => (h.type === 2 || h.type === 9 || h.type === 4) && h.size >= 16 && h.offset + h.size <= b.length);
  if (!tables.length) return 'no-table';
  const h = rng.pick(tables);
  const entry = h.type === 2 ? 24 : h.type === 4 ? 24 : 16;
  const at = h.offset + entry * rng.int(Math.floor(h.size / entry));
  const field = h.type === 2 ? rng.pick([0, 4, 5, 6, 8, 16]) : rng.pick([0, 8, 12]);
  if (h.type === 2 && field === 6) setU16(b, at + field, rng.pick([0, 0xfff1, 0xfff2, 0xffff, rng.int(0x10000)]));
  else if (field === 8 || field === 16 || (field === 0 && h.type !== 2)) setU64(b, at + field, rng.chance(0.5) ? rng.pick(BIG) : BigInt(rng.int(1 << 20)));
  else if (field === 4 || field === 5) b[at + field] = rng.int(256);
  else setU32(b, at + field, rng.interestingU32());
  return `entry[${h.name}]+${field}`;
}

const BTF_MAGIC = 0xeb9f;

/** BTF: header offsets and lengths, a type's kind, vlen, size and referenced type (loops). */
export function mutateBtf(rng: Rng, b: Uint8Array, headers: SectionHeader[]): string {
  const btf = headers.find((h) => h.name === '.BTF' && h.offset + h.size <= b.length);
  if (!btf || (b[btf.offset]! | (b[btf.offset + 1]! << 8)) !== BTF_MAGIC) return flipInSection(rng, b, headers, /BTF/);
  const base = btf.offset;
  const hdrLen = u32(b, base + 4);
  const typeOff = u32(b, base + 8);
  const typeLen = u32(b, base + 12);
  if (rng.chance(0.15)) {
    setU32(b, base + rng.pick([4, 8, 12, 16, 20]), rng.interestingU32());
    return 'btf-header';
  }
  // Walk the types to find their offsets (kinds with trailing data: see btf.ts).
  const starts: number[] = [];
  let at = base + hdrLen + typeOff;
  const end = Math.min(b.length, at + typeLen);
  while (at + 12 <= end && starts.length < 100_000) {
    starts.push(at);
    const info = u32(b, at + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const extra: Record<number, number> = { 1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen, 14: 4, 15: 12 * vlen, 17: 4, 19: 12 * vlen };
    at += 12 + (extra[kind] ?? 0);
  }
  if (!starts.length) return 'btf-empty';
  const t = rng.pick(starts);
  const id = starts.indexOf(t) + 1;
  const op = rng.int(5);
  if (op === 0) {
    // A reference to itself, or to a type that refers back: a loop.
    setU32(b, t + 8, rng.chance(0.5) ? id : rng.range(1, starts.length));
    const info = u32(b, t + 4);
    if (rng.chance(0.5)) setU32(b, t + 4, (info & ~(0x1f << 24)) | (rng.pick([2, 8, 9, 10, 11, 16, 18]) << 24));
    return `btf-loop[${id}]`;
  }
  if (op === 1) {
    const info = u32(b, t + 4);
    setU32(b, t + 4, (info & ~0xffff) | rng.pick([0xffff, 0x8000, rng.int(0x10000)]));
    return `btf-vlen[${id}]`;
  }
  if (op === 2) {
    const info = u32(b, t + 4);
    setU32(b, t + 4, (info & ~(0x1f << 24)) | (rng.int(32) << 24));
    return `btf-kind[${id}]`;
  }
  if (op === 3) {
    setU32(b, t + 8, rng.interestingU32());
    return `btf-size[${id}]`;
  }
  // A member's or parameter's type set to a loop or out of range.
  setU32(b, t + 12 + 4 * rng.int(3), rng.chance(0.5) ? id : rng.interestingU32());
  return `btf-member[${id}]`;
}

export const ELF_MUTATIONS = ['flip', 'section-flip', 'header-field', 'file-header', 'overlap', 'entries', 'btf', 'btf-ext', 'truncate', 'append'] as const;

/** One or more mutations of an object's bytes. */
export function mutateElf(rng: Rng, bytes: Uint8Array, btfOnly = false): { bytes: Uint8Array; what: string } {
  let b = bytes.slice();
  const applied: string[] = [];
  const rounds = rng.chance(0.7) ? 1 : rng.range(2, 5);
  for (let r = 0; r < rounds; r++) {
    const headers = sectionHeaders(b);
    const m = btfOnly ? rng.pick(['btf', 'btf', 'btf', 'btf-ext'] as const) : rng.pick(ELF_MUTATIONS);
    if (!headers.length && m !== 'truncate' && m !== 'append') {
      applied.push(flipInSection(rng, b, [], null));
      continue;
    }
    if (m === 'flip') applied.push(flipInSection(rng, b, [], null));
    else if (m === 'section-flip') applied.push(flipInSection(rng, b, headers, rng.chance(0.5) ? /^(\.BTF|\.rel|\.symtab|\.struct_ops|\.maps|\.ksyms)/ : null));
    else if (m === 'header-field') applied.push(headerField(rng, b, headers));
    else if (m === 'file-header') applied.push(fileHeader(rng, b));
    else if (m === 'overlap') applied.push(overlap(rng, b, headers));
    else if (m === 'entries') applied.push(tableEntries(rng, b, headers));
    else if (m === 'btf') applied.push(mutateBtf(rng, b, headers));
    else if (m === 'btf-ext') applied.push(flipInSection(rng, b, headers, /^\.BTF\.ext$/));
    else if (m === 'truncate') {
      b = b.slice(0, rng.int(b.length + 1));
      applied.push('truncate');
    } else {
      const extra = new Uint8Array(rng.pick([1, 64, 4096, 1 << 20]));
      for (let i = 0; i < extra.length; i += 97) extra[i] = rng.int(256);
      const joined = new Uint8Array(b.length + extra.length);
      joined.set(b);
      joined.set(extra, b.length);
      b = joined;
      applied.push('append');
    }
  }
  return { bytes: b, what: applied.join('+') };
}
