// Maps offsets in expanded text back to the source file. Text copied from the source maps
// one-to-one; text a macro produced maps to the macro invocation that produced it.

interface Segment {
  outStart: number;
  outEnd: number;
  /** Source offset of outStart, or -1 for text a macro produced. */
  src: number;
  originStart: number;
  originEnd: number;
}

export class SourceMap {
  private identityLength = -1;

  constructor(private readonly segments: Segment[] = []) {}

  static identity(length: number): SourceMap {
    const m = new SourceMap();
    m.identityLength = length;
    return m;
  }

  get isIdentity(): boolean {
    return this.identityLength >= 0;
  }

  add(outStart: number, length: number, src: number, originStart: number, originEnd: number): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last.outEnd === outStart) {
      if (src >= 0 && last.src >= 0 && last.src + (last.outEnd - last.outStart) === src) {
        last.outEnd += length;
        last.originEnd = originEnd;
        return;
      }
      if (src < 0 && last.src < 0 && last.originStart === originStart && last.originEnd === originEnd) {
        last.outEnd += length;
        return;
      }
    }
    this.segments.push({ outStart, outEnd: outStart + length, src, originStart, originEnd });
  }

  private find(out: number): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid] as Segment;
      if (out < s.outStart) hi = mid - 1;
      else if (out >= s.outEnd) lo = mid + 1;
      else return s;
    }
    return this.segments[Math.max(0, Math.min(this.segments.length - 1, lo - 1))];
  }

  /** Source offset for an offset in the expanded text; `end` picks the end of a macro's range. */
  toSource(out: number, end = false): number {
    if (this.identityLength >= 0) return out;
    const s = this.find(end && out > 0 ? out - 1 : out);
    if (!s) return out;
    if (s.src >= 0) return s.src + Math.min(out - s.outStart, s.outEnd - s.outStart);
    return end ? s.originEnd : s.originStart;
  }

  /** True when the text at `out` was written by a macro rather than copied from the file. */
  isSynthetic(out: number): boolean {
    if (this.identityLength >= 0) return false;
    const s = this.find(out);
    return !!s && s.src < 0;
  }

  /** Offset in the expanded text of a source offset (for incremental edits), or -1. */
  toExpanded(src: number): number {
    if (this.identityLength >= 0) return src;
    for (const s of this.segments) {
      if (s.src >= 0 && src >= s.src && src <= s.src + (s.outEnd - s.outStart)) return s.outStart + (src - s.src);
    }
    return -1;
  }

  /**
   * This map after an edit of text the expansion copied verbatim: source [from, from + oldLength),
   * written at `outFrom`, is now `newLength` long. What follows moves by the difference. Null when
   * that text is not inside one copied segment.
   */
  afterVerbatimEdit(outFrom: number, from: number, oldLength: number, newLength: number): SourceMap | null {
    if (this.identityLength >= 0) return null;
    const d = newLength - oldLength;
    const oldEnd = from + oldLength;
    const shift = (x: number): number => (x >= oldEnd ? x + d : x);
    const segs = this.segments;
    let at = -1;
    for (let k = 0; k < segs.length; k++) {
      const s = segs[k] as Segment;
      if (s.outStart > outFrom) break;
      if (s.src >= 0 && outFrom + oldLength <= s.outEnd && s.src + (outFrom - s.outStart) === from) {
        at = k;
        break;
      }
    }
    if (at < 0) return null;
    const out = segs.slice(0, at);
    const s = segs[at] as Segment;
    out.push({ outStart: s.outStart, outEnd: s.outEnd + d, src: s.src, originStart: s.originStart, originEnd: s.originEnd + d });
    for (let k = at + 1; k < segs.length; k++) {
      const t = segs[k] as Segment;
      out.push({ outStart: t.outStart + d, outEnd: t.outEnd + d, src: t.src >= 0 ? shift(t.src) : -1, originStart: shift(t.originStart), originEnd: shift(t.originEnd) });
    }
    return new SourceMap(out);
  }
}
