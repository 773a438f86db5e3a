// Facts read from one version of a file, moved to where an edit put the text they describe. The
// edit is one replaced span (found by the two texts' common prefix and suffix): what was before it
// stays, what was after it moves with the text, and a place inside it goes to where the new text
// of the span starts (or ends, for the end of a range).
import type { LineIndex } from './c/lineIndex';
import type { Position, Range } from './facts';

/** Source text [start, oldEnd) of the old version became [start, newEnd) of the new one. */
export interface SpanEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * Where an insertion (or a deletion) of `length` characters at `at` in `text` (the text that has
 * them) is put: the same characters could be said to go in anywhere they slide to (`.r\n\t.` typed
 * into `\t.init` is also `\t.r\n` typed before it); the first place that starts a line is taken,
 * so the edit covers whole lines as the typist wrote them. Bounded: a long run of the same
 * character is not walked through.
 */
function aligned(text: string, at: number, length: number): number {
  if (length === 0) return at;
  let s = at;
  for (let n = 0; n < 4096 && s > 0 && text.charCodeAt(s - 1) === text.charCodeAt(s - 1 + length); n++) s--;
  for (let n = 0; n < 8192 && s + length <= text.length; n++) {
    if (s === 0 || text.charCodeAt(s - 1) === 10) return s;
    if (s + length >= text.length || text.charCodeAt(s) !== text.charCodeAt(s + length)) break;
    s++;
  }
  return at;
}

/**
 * The lengths of the common prefix and of the common suffix (not overlapping it) of two texts.
 * Native comparisons of halving spans, not a loop over every character: this runs per keystroke.
 */
export function commonEnds(before: string, after: string): { prefix: number; suffix: number } {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  for (let step = max; step > 0; step >>= 1) {
    while (prefix + step <= max && before.slice(prefix, prefix + step) === after.slice(prefix, prefix + step)) prefix += step;
  }
  let suffix = 0;
  for (let step = max - prefix; step > 0; step >>= 1) {
    while (suffix + step <= max - prefix && before.slice(before.length - suffix - step, before.length - suffix) === after.slice(after.length - suffix - step, after.length - suffix)) suffix += step;
  }
  return { prefix, suffix };
}

/** The span that differs between two texts, or null when they are equal. */
export function spanEdit(before: string, after: string): SpanEdit | null {
  if (before === after) return null;
  const { prefix, suffix } = commonEnds(before, after);
  const oldEnd = before.length - suffix;
  const newEnd = after.length - suffix;
  if (oldEnd === prefix) {
    const start = aligned(after, prefix, newEnd - prefix);
    return { start, oldEnd: start, newEnd: start + newEnd - prefix };
  }
  if (newEnd === prefix) {
    const start = aligned(before, prefix, oldEnd - prefix);
    return { start, oldEnd: start + oldEnd - prefix, newEnd: start };
  }
  return { start: prefix, oldEnd, newEnd };
}

/** An offset of the old text in the new one; `end`: the end of a range (it stays before an insertion there). */
export function moveOffset(edit: SpanEdit, offset: number, end = false): number {
  if (offset < edit.start || (end && offset === edit.start)) return offset;
  if (offset >= edit.oldEnd) return offset + edit.newEnd - edit.oldEnd;
  return end ? edit.newEnd : edit.start;
}

function isPosition(v: unknown): v is Position {
  return typeof v === 'object' && v !== null && typeof (v as Position).line === 'number' && typeof (v as Position).character === 'number';
}

function isRange(v: object): v is Range {
  const r = v as Partial<Range>;
  // Most objects of the facts are not ranges: asked first, without listing their keys.
  if (r.start === undefined || r.end === undefined) return false;
  return isPosition(r.start) && isPosition(r.end) && Object.keys(v).length === 2;
}

/**
 * `edits` (each on the text the one before left) as they add up: an edit inside the text the one
 * before wrote (typing on, backspacing what was typed) is one with it, so a trail of keystrokes
 * stays short.
 */
export function appendEdit(edits: SpanEdit[], next: SpanEdit): void {
  const last = edits[edits.length - 1];
  if (last && next.start >= last.start && next.oldEnd <= last.newEnd) {
    last.newEnd += next.newEnd - next.oldEnd;
    return;
  }
  edits.push({ ...next });
}

/** An offset moved through several edits in turn. */
export function moveThrough(edits: readonly SpanEdit[], offset: number, end = false): number {
  let o = offset;
  for (const e of edits) o = moveOffset(e, o, end);
  return o;
}

/** The lowest and highest offsets of the ranges a part of the facts holds in the file (null: none). */
type Bounds = readonly [number, number] | null;

/** Bounds per object, per line index of the text they were read from, and per whether the object is in the file. */
const boundsMemo = new WeakMap<LineIndex, [WeakMap<object, Bounds>, WeakMap<object, Bounds>]>();

function join(a: Bounds, b: Bounds): Bounds {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

/** The offsets (in `from`'s text) of the ranges under `v` that relocateFacts would move; worked out once per object and text. */
function boundsOf(v: unknown, inFile: boolean, file: string, from: LineIndex): Bounds {
  if (typeof v !== 'object' || v === null) return null;
  let memo = boundsMemo.get(from);
  if (!memo) boundsMemo.set(from, (memo = [new WeakMap(), new WeakMap()]));
  const table = memo[inFile ? 1 : 0];
  const hit = table.get(v);
  if (hit !== undefined) return hit;
  let out: Bounds = null;
  if (Array.isArray(v)) for (const x of v) out = join(out, boundsOf(x, inFile, file, from));
  else if (Object.getPrototypeOf(v) !== Object.prototype) out = null;
  else if (isRange(v)) out = inFile ? [from.offset(v.start), from.offset(v.end)] : null;
  else {
    const o = v as Record<string, unknown>;
    const here = typeof o.file === 'string' ? o.file === file : inFile;
    for (const k of Object.keys(o)) out = join(out, boundsOf(o[k], here, file, from));
  }
  table.set(v, out);
  return out;
}

/** Newlines in text[from, to). */
function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Whether a part of the facts whose ranges lie within `bounds` keeps every position through
 * `edits`: it lies before all of them, or after all of them on a line of its own when they add
 * or remove no line (typing within a line moves nothing on the lines below).
 */
function unmovedBy(edits: readonly SpanEdit[], from: LineIndex, to: LineIndex): (bounds: Bounds) => boolean {
  const first = edits[0];
  if (!first) return () => true;
  // One span over all the edits: good text [start, oldEnd) became [start, newEnd) of the new one.
  let start = first.start;
  let oldEnd = first.oldEnd;
  let newEnd = first.newEnd;
  for (const e of edits.slice(1)) {
    start = Math.min(start, e.start);
    if (e.oldEnd > newEnd) oldEnd += e.oldEnd - newEnd;
    newEnd = Math.max(newEnd, e.oldEnd) + e.newEnd - e.oldEnd;
  }
  const sameLines = newlines(from.text, start, oldEnd) === newlines(to.text, start, newEnd);
  const nextLine = from.text.indexOf('\n', oldEnd);
  return (bounds) => !bounds || bounds[1] < start || (sameLines && nextLine >= 0 && bounds[0] > nextLine);
}

/**
 * A copy of `facts` with every range in `file` moved through `edits`, in turn (`from` indexes the
 * old text, `to` the new). Ranges of other files are kept; a range without a file (an extent) is in the
 * file of the object that holds it, and facts read from `file` hold no other until a `file`
 * field says so. Plain objects and arrays are copied, unless nothing in them moves (then they are
 * shared, as anything else is): per keystroke, only what the edit moves is made again.
 */
export function relocateFacts<T>(facts: T, file: string, edits: readonly SpanEdit[], from: LineIndex, to: LineIndex): T {
  const seen = new Map<object, unknown>();
  const unmoved = unmovedBy(edits, from, to);
  const move = (p: Position, end: boolean): Position => to.position(moveThrough(edits, from.offset(p), end));
  const visit = (v: unknown, inFile: boolean): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const hit = seen.get(v);
    if (hit !== undefined) return hit;
    let out: unknown;
    if (unmoved(boundsOf(v, inFile, file, from))) out = v;
    else if (Array.isArray(v)) out = v.map((x) => visit(x, inFile));
    else if (Object.getPrototypeOf(v) !== Object.prototype) out = v;
    else if (isRange(v)) out = inFile ? { start: move(v.start, false), end: move(v.end, true) } : v;
    else {
      const o = v as Record<string, unknown>;
      const here = typeof o.file === 'string' ? o.file === file : inFile;
      const copy: Record<string, unknown> = {};
      for (const k of Object.keys(o)) copy[k] = visit(o[k], here);
      out = copy;
    }
    seen.set(v, out);
    return out;
  };
  return visit(facts, true) as T;
}
