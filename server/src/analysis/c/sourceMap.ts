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
  private readonly segments: Segment[] = [];
  private identityLength = -1;

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
}
