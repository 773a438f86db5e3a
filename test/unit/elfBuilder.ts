// A small ELF writer for tests: what clang -target bpf never produces (ELF32, SHT_RELA, odd
// headers), built byte by byte so the readers can be checked against exact values.

export interface SectionSpec {
  name: string;
  type: number;
  flags?: number;
  data: Uint8Array;
  link?: number;
  info?: number;
  entsize?: number;
}

export class ByteWriter {
  private readonly parts: number[] = [];
  constructor(readonly littleEndian: boolean) {}
  get length(): number {
    return this.parts.length;
  }
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.int(v, 2);
  }
  u32(v: number): this {
    return this.int(v >>> 0, 4);
  }
  u64(v: number): this {
    const hi = Math.floor(v / 0x1_0000_0000);
    const lo = v >>> 0;
    return this.littleEndian ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  cstr(s: string): this {
    for (const c of Buffer.from(s, 'utf8')) this.parts.push(c);
    return this.u8(0);
  }
  pad(align: number): this {
    while (this.parts.length % align) this.parts.push(0);
    return this;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
  private int(v: number, size: number): this {
    for (let i = 0; i < size; i++) {
      const shift = this.littleEndian ? i : size - 1 - i;
      this.parts.push(Math.floor(v / 2 ** (8 * shift)) & 0xff);
    }
    return this;
  }
}

/** An ELF relocatable file with the given sections (index 1..n) and a trailing .shstrtab. */
export function buildElf(opts: { is64: boolean; littleEndian: boolean; machine?: number; sections: SectionSpec[] }): Uint8Array {
  const { is64, littleEndian } = opts;
  const names = new ByteWriter(littleEndian).u8(0);
  const nameOffsets = opts.sections.map((s) => {
    const at = names.length;
    names.cstr(s.name);
    return at;
  });
  const shstrtabName = names.length;
  names.cstr('.shstrtab');
  const all = [...opts.sections, { name: '.shstrtab', type: 3, data: names.toBytes() }];
  const ehsize = is64 ? 64 : 52;
  const w = new ByteWriter(littleEndian);
  w.bytes(new Uint8Array(ehsize));
  const offsets = all.map((s) => {
    w.pad(8);
    const at = w.length;
    w.bytes(s.data);
    return at;
  });
  w.pad(8);
  const shoff = w.length;
  const header = (s: SectionSpec | null, i: number): void => {
    const name = s ? (i === all.length - 1 ? shstrtabName : (nameOffsets[i] ?? 0)) : 0;
    const off = s ? (offsets[i] ?? 0) : 0;
    const size = s ? s.data.length : 0;
    if (is64) {
      w.u32(name).u32(s?.type ?? 0).u64(s?.flags ?? 0).u64(0).u64(off).u64(size).u32(s?.link ?? 0).u32(s?.info ?? 0).u64(s ? 8 : 0).u64(s?.entsize ?? 0);
    } else {
      w.u32(name).u32(s?.type ?? 0).u32(s?.flags ?? 0).u32(0).u32(off).u32(size).u32(s?.link ?? 0).u32(s?.info ?? 0).u32(s ? 4 : 0).u32(s?.entsize ?? 0);
    }
  };
  header(null, -1);
  all.forEach((s, i) => header(s, i));
  const bytes = w.toBytes();
  const h = new ByteWriter(littleEndian);
  h.bytes(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, littleEndian ? 1 : 2, 1, 0])).bytes(new Uint8Array(8));
  h.u16(1).u16(opts.machine ?? 247).u32(1);
  if (is64) h.u64(0).u64(0).u64(shoff);
  else h.u32(0).u32(0).u32(shoff);
  h.u32(0).u16(ehsize).u16(0).u16(0).u16(is64 ? 64 : 40).u16(all.length + 1).u16(all.length);
  bytes.set(h.toBytes(), 0);
  return bytes;
}
