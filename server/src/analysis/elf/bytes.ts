// Bounds-checked reads of little- or big-endian integers and NUL-terminated strings from a byte
// array. Every read that could leave the array returns a sentinel instead of throwing, so readers
// of corrupt files check one value instead of catching exceptions.

const utf8 = new TextDecoder('utf-8', { fatal: false });
/** Longer than any name (symbol, section, type, path) a BPF toolchain writes. */
const MAX_NAME = 4096;

export class ByteReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** True when [offset, offset + size) lies inside the array. */
  has(offset: number, size: number): boolean {
    return Number.isSafeInteger(offset) && Number.isSafeInteger(size) && offset >= 0 && size >= 0 && offset + size <= this.bytes.length;
  }

  u8(offset: number): number {
    return this.bytes[offset] ?? 0;
  }

  u16(offset: number): number {
    return this.has(offset, 2) ? this.view.getUint16(offset, this.littleEndian) : 0;
  }

  u32(offset: number): number {
    return this.has(offset, 4) ? this.view.getUint32(offset, this.littleEndian) : 0;
  }

  i32(offset: number): number {
    return this.has(offset, 4) ? this.view.getInt32(offset, this.littleEndian) : 0;
  }

  /** The high and low 32-bit halves of a 64-bit value. */
  u64Parts(offset: number): [hi: number, lo: number] {
    if (!this.has(offset, 8)) return [0, 0];
    const a = this.view.getUint32(offset, this.littleEndian);
    const b = this.view.getUint32(offset + 4, this.littleEndian);
    return this.littleEndian ? [b, a] : [a, b];
  }

  /**
   * A 64-bit unsigned value as a number. Values above 2^53 (only seen in corrupt files) lose
   * precision but stay far above any file size, so bounds checks still reject them.
   */
  u64(offset: number): number {
    const [hi, lo] = this.u64Parts(offset);
    return hi * 0x1_0000_0000 + lo;
  }

  /** A 64-bit signed value (relocation addends); precision as for u64. */
  i64(offset: number): number {
    const [hi, lo] = this.u64Parts(offset);
    return (hi | 0) * 0x1_0000_0000 + lo;
  }

  /**
   * The NUL-terminated string at `offset`, which must end before `end` and within MAX_NAME
   * bytes (so that many names in a corrupt table without NULs cost little); null otherwise.
   */
  cString(offset: number, end: number): string | null {
    const limit = Math.min(end, this.bytes.length, offset + MAX_NAME);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= limit) return null;
    const nul = this.bytes.subarray(offset, limit).indexOf(0);
    if (nul < 0) return null;
    return decodeAscii(this.bytes, offset, offset + nul);
  }
}

/** Decodes names: a fast path for ASCII (all symbol and type names in practice), UTF-8 otherwise. */
function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c >= 0x80) return utf8.decode(bytes.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}
