// Error tolerance while typing a Rust loader, as lastGoodFacts.ts gives C: a broken region never
// changes facts outside it. While an editor's buffer parses with errors (a half-typed
// `links.push(` swallows the rest of the function), and also while it parses cleanly only by
// taking in the untouched code after it (a half-typed `skel.maps.` above
// `skel.maps.a.attach_struct_ops()?` reads as `skel.maps.skel.maps.a...`, which attaches no `a`),
// its facts are those of the last clean reading, moved to where the edits put that text. The
// second case is C's anchor rule on the loader's calls: the nearest call on a line before the
// edited lines and the nearest on a line after them must still be read, where the edit moved them;
// a call on an edited line is the edit's own (commenting a line out takes its call away). Facts are
// read again once the file parses cleanly and keeps those calls (or its errors were there before:
// then the grammar's gap is not the typist's, and the text is read as it is). Only editors'
// buffers are held: the CLI reads final texts as they are.
import { LineIndex } from '../c/lineIndex';
import type { LoaderFacts, Range } from '../facts';
import { appendEdit, moveOffset, relocateFacts, spanEdit, type SpanEdit } from '../relocate';

interface Clean {
  text: string;
  lines: LineIndex;
  facts: LoaderFacts;
  /** The text of the latest reading (held or not) and the edits from `text` to it, keystroke by keystroke. */
  latest: string;
  trail: SpanEdit[];
  /** The facts last held (moved to `latest`), and the lines any of their places start or end on. */
  held?: { facts: LoaderFacts; lines: Set<number> };
}

/** The lines of every position in the facts (any file's: a superset of what an edit of this file can move). */
function placeLines(facts: LoaderFacts): Set<number> {
  const lines = new Set<number>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.line === 'number' && typeof o.character === 'number') lines.add(o.line);
    for (const k of Object.keys(o)) visit(o[k]);
  };
  visit(facts);
  return lines;
}

/**
 * A keystroke within one line (no line added or removed) on a line where none of the held facts'
 * places starts or ends moves none of them: the facts last held are still where the edits put them.
 */
function movesNothing(step: SpanEdit, before: string, after: string, held: NonNullable<Clean['held']>, lines: LineIndex): boolean {
  if (before.slice(step.start, step.oldEnd).includes('\n') || after.slice(step.start, step.newEnd).includes('\n')) return false;
  return !held.lines.has(lines.position(step.start).line);
}

/** The ranges of the loader's calls in its own file. */
function callRanges(facts: LoaderFacts, path: string): Range[] {
  return facts.actions.filter((a) => a.location.file === path).map((a) => a.location.range);
}

const sameRange = (a: Range, b: Range): boolean =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

/**
 * Whether the clean reading's nearest calls on lines before and after the edited lines are missing,
 * where the edit moved them, from the new facts: a line typed above a call took it in.
 */
function lostCall(edit: SpanEdit, good: Clean, facts: LoaderFacts, path: string, lines: LineIndex): boolean {
  // The edited lines, in the old text: from the edit's first line to its last, an end at a line's start not counted.
  const first = good.lines.position(edit.start).line;
  const end = good.lines.position(edit.oldEnd);
  const last = end.character === 0 && edit.oldEnd > edit.start ? end.line - 1 : end.line;
  // The edit's new text ends a line (`skel.maps.` + Enter): the line after it is not its own.
  const newEnd = lines.position(edit.newEnd);
  const endsLine = newEnd.character === 0 && edit.newEnd > edit.start;
  let next: Range | null = null;
  let previous: Range | null = null;
  for (const r of callRanges(good.facts, path)) {
    const after = r.start.line > last || (endsLine && r.start.line === last && good.lines.offset(r.start) >= edit.oldEnd);
    if (after && (!next || r.start.line < next.start.line || (r.start.line === next.start.line && r.start.character < next.start.character))) next = r;
    if (r.end.line < first && (!previous || r.end.line > previous.end.line || (r.end.line === previous.end.line && r.end.character > previous.end.character))) previous = r;
  }
  const moved = (r: Range): Range => ({ start: lines.position(moveOffset(edit, good.lines.offset(r.start))), end: lines.position(moveOffset(edit, good.lines.offset(r.end), true)) });
  const wanted = [next, previous].filter((r): r is Range => r !== null).map(moved);
  const now = callRanges(facts, path);
  return wanted.some((w) => !now.some((r) => sameRange(w, r)));
}

export class RustLastGood {
  private readonly clean = new Map<string, Clean>();

  /** The facts of `text` as `read` gives them, or the last clean reading's, moved, while the edited region is broken. */
  read(path: string, text: string, live: boolean, broken: boolean, key: string, read: () => LoaderFacts): LoaderFacts {
    if (!live) {
      this.clean.delete(path);
      return read();
    }
    const good = this.clean.get(`${path}\n${key}`);
    const edited = !!good && good.text !== text;
    let lines: LineIndex | null = null;
    const held = (g: Clean): LoaderFacts => {
      const step = spanEdit(g.latest, text);
      const before = g.latest;
      if (step) appendEdit(g.trail, step);
      g.latest = text;
      lines ??= new LineIndex(text);
      // Typing on within a line the held facts have no place on: the same facts object (nothing to move, nothing new downstream).
      if (g.held && (!step || movesNothing(step, before, text, g.held, lines))) return g.held.facts;
      const facts = relocateFacts(g.facts, path, g.trail, g.lines, lines);
      g.held = { facts, lines: placeLines(facts) };
      return facts;
    };
    if (good && edited && broken) return held(good);
    const facts = read();
    if (broken) return facts;
    const edit = good && edited ? spanEdit(good.text, text) : null;
    if (good && edit && lostCall(edit, good, facts, path, (lines ??= new LineIndex(text)))) return held(good);
    for (const k of this.clean.keys()) if (k.startsWith(`${path}\n`)) this.clean.delete(k);
    this.clean.set(`${path}\n${key}`, { text, lines: (lines ??= new LineIndex(text)), facts, latest: text, trail: [] });
    return facts;
  }

  forget(path: string): void {
    for (const k of this.clean.keys()) if (k.startsWith(`${path}\n`)) this.clean.delete(k);
  }
}
