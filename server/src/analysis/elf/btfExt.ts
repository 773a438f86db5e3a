// .BTF.ext line_info: for each code section, which source file and line each instruction came
// from. Enough to take the editor from a program in an object back to its source. Never throws;
// anything it cannot read gives no line info and a message.
import type { Btf } from './btf';
import { ByteReader } from './bytes';

export interface LineInfo {
  /** Byte offset of the instruction in its ELF section (object files count bytes, not instructions). */
  insnOffset: number;
  file: string;
  /** One-based, as BTF records it. */
  line: number;
  column: number;
}

/** Records by section name, sorted by instruction offset. */
export type LineInfoResult = { ok: true; bySection: Map<string, LineInfo[]> } | { ok: false; message: string };

const EXT_HEADER_MIN = 24;
const LINE_INFO_MIN_RECORD = 16;

export function readLineInfo(bytes: Uint8Array, btf: Btf): LineInfoResult {
  if (bytes.length < EXT_HEADER_MIN) return { ok: false, message: `.BTF.ext is ${bytes.length} bytes, shorter than its header` };
  const le = bytes[0] === 0x9f && bytes[1] === 0xeb;
  if (!le && !(bytes[0] === 0xeb && bytes[1] === 0x9f)) return { ok: false, message: '.BTF.ext does not start with the BTF magic 0xeB9F' };
  const r = new ByteReader(bytes, le);
  const hdrLen = r.u32(4);
  const off = hdrLen + r.u32(16);
  const len = r.u32(20);
  const bySection = new Map<string, LineInfo[]>();
  if (len === 0) return { ok: true, bySection };
  if (hdrLen < EXT_HEADER_MIN || !r.has(off, len) || len < 4) {
    return { ok: false, message: `.BTF.ext line_info (${off}+${len}) lies outside its ${bytes.length} bytes` };
  }
  const end = off + len;
  const recordSize = r.u32(off);
  if (recordSize < LINE_INFO_MIN_RECORD) return { ok: false, message: `.BTF.ext line_info record size ${recordSize} is smaller than ${LINE_INFO_MIN_RECORD}` };
  let at = off + 4;
  // Each block takes at least 8 bytes, so this loop ends within len / 8 turns.
  while (at + 8 <= end) {
    const section = btf.string(r.u32(at));
    const count = r.u32(at + 4);
    at += 8;
    if (section === null) return { ok: false, message: '.BTF.ext line_info names a section outside the .BTF strings' };
    if (!r.has(at, count * recordSize) || at + count * recordSize > end) {
      return { ok: false, message: `.BTF.ext line_info for '${section}' (${count} records) runs past the end of the section` };
    }
    const records = bySection.get(section) ?? [];
    for (let i = 0; i < count; i++, at += recordSize) {
      const lineCol = r.u32(at + 12);
      records.push({ insnOffset: r.u32(at), file: btf.string(r.u32(at + 4)) ?? '', line: lineCol >>> 10, column: lineCol & 0x3ff });
    }
    bySection.set(section, records);
  }
  for (const records of bySection.values()) records.sort((a, b) => a.insnOffset - b.insnOffset);
  return { ok: true, bySection };
}

/** The line info of the first instruction in [start, end) of a section's records (sorted by offset), if any. */
export function firstLineIn(records: readonly LineInfo[] | undefined, start: number, end: number): LineInfo | undefined {
  if (!records) return undefined;
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((records[mid] as LineInfo).insnOffset < start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < records.length; i++) {
    const rec = records[i] as LineInfo;
    if (rec.insnOffset >= end) break;
    if (rec.file) return rec;
  }
  return undefined;
}
