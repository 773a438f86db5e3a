// The expanded text as the expander writes it: source copied verbatim and tokens macros produced,
// each piece with where it came from (the source map), the `SEC(...)` markers, and the space C
// needs where two words meet. What one invocation writes can be recorded, to be replayed wherever
// the same invocation appears again (expansionCache.ts).
import type { SectionMarker } from './expand';
import type { Recorded } from './expansionCache';
import { needsSpace, type XTok } from './expandTokens';
import { SourceMap } from './sourceMap';

export class ExpansionOutput {
  readonly sections: SectionMarker[] = [];
  readonly map = new SourceMap();
  /** Characters written so far: where the next piece starts in the expanded text. */
  length = 0;
  /** The last token emitted; null after verbatim source (which carries its own spacing). */
  prev: XTok | null = null;
  private readonly pieces: string[] = [];
  /** The invocation whose pieces are being recorded, and its source offset (pieces are kept relative to it). */
  private recording: { base: number; into: Recorded } | null = null;

  /** Records what is written from now on into `into`, with source offsets relative to `base`. */
  record(into: Recorded | null, base: number): void {
    this.recording = into ? { base, into } : null;
  }

  /** The expanded text. */
  text(): string {
    return this.pieces.join('');
  }

  /** Copies source text verbatim. */
  copy(text: string, from: number, to: number): void {
    if (to <= from) return;
    this.write(text.slice(from, to), from, from, to);
    this.prev = null;
  }

  /** Writes a token, with a space before it where it would otherwise join the previous word. */
  emit(t: XTok): void {
    const prev = this.prev;
    if (prev && needsSpace(prev, t) && !(prev.src >= 0 && t.src === prev.src + prev.text.length)) {
      this.write(' ', -1, t.originStart, t.originEnd);
    }
    this.write(t.text, t.src, t.originStart, t.originEnd);
    this.prev = t;
  }

  /** Writes again what an invocation recorded, for the same invocation text at `at`. */
  replay(r: Recorded, at: number): void {
    const outStart = this.length;
    for (const p of r.pieces) this.write(p.text, p.src < 0 ? -1 : p.src + at, p.originStart + at, p.originEnd + at);
    for (const m of r.sections) this.sections.push({ ...m, offset: m.offset + outStart, sourceStart: m.sourceStart + at, sourceEnd: m.sourceEnd + at });
    this.prev = r.last ? { ...r.last, src: -1, originStart: at, originEnd: at, hide: null } : null;
  }

  private write(text: string, src: number, originStart: number, originEnd: number): void {
    if (!text) return;
    const rec = this.recording;
    if (rec) rec.into.pieces.push({ text, src: src < 0 ? -1 : src - rec.base, originStart: originStart - rec.base, originEnd: originEnd - rec.base });
    this.pieces.push(text);
    this.map.add(this.length, text.length, src, originStart, originEnd);
    this.length += text.length;
  }
}
