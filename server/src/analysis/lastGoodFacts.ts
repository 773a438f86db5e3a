// Error tolerance while typing: a broken region never changes facts outside it. The facts read
// from an editor's buffer are kept per file (and per reading of it) together with the text they
// were read from, as long as that text parsed without new errors: the last good reading. When an
// edit leaves errors, the region that changed since the last good text is the broken region; the
// text outside it is the same as then, so its facts are the last good ones, moved to where the
// edit put that text, and the items inside it keep their last good facts until the region parses
// again (as rust-analyzer and clangd keep a half-typed file's symbols). Findings that depend on
// the file are therefore held back while the region is broken, never flipped.
//
// A region is broken when it parses with errors the last good text did not have, and also when it
// parses cleanly only by taking in the untouched code after it: a statement typed up to `if (err)`
// that makes the next line its body (c/misleadingBody.ts), or a line that makes the readers lose
// a program, map or slot written outside it (`.r` typed above `.init = ...` reads as `.r.init`;
// a definition's header typed above another definition reads as its K&R parameter list). An edit
// of a preprocessor line may take things away anywhere (a `#define` an `#ifdef` tests) and is
// read as it is. Only buffers being edited are kept: the CLI, which reads final texts, reports
// their parse gaps as before.
import type { ParsedC } from './c/document';
import type { LineIndex } from './c/lineIndex';
import { misleadingBody } from './c/misleadingBody';
import { parseErrors } from './c/parseErrors';
import type { BpfObjectFacts, Position, Range } from './facts';
import { appendEdit, moveOffset, relocateFacts, spanEdit, type SpanEdit } from './relocate';

interface GoodReading {
  text: string;
  lines: LineIndex;
  /** parseErrors() of that text: errors it had already (a construct the grammar does not cover). */
  errors: number[];
  facts: unknown;
  /** The text of the latest reading (held or not) and the edits from `text` to it, keystroke by keystroke. */
  latest: string;
  trail: SpanEdit[];
}

/** Calls `visit` with the range of everything in `facts` an edit must not take away outside itself. */
export type Anchors<T> = (facts: T, visit: (range: Range) => void) => void;

const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);
const same = (a: Range, b: Range): boolean =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

/**
 * Whether the last good facts' nearest anchors on either side of the edit (what a half-typed line
 * can take in: the next slot, the next definition) are missing from the new facts. Comparisons
 * only, nothing made: this runs on every keystroke.
 */
function lostAnchor<T>(edit: SpanEdit, good: GoodReading, facts: T, lines: LineIndex, anchors: Anchors<T>): boolean {
  const editStart = good.lines.position(edit.start);
  const editEnd = good.lines.position(edit.oldEnd);
  let next: Range | null = null;
  let previous: Range | null = null;
  anchors(good.facts as T, (r) => {
    // Strictly outside: a name the edit types on (`fifo_init` -> `fifo_init2`) is the edit's own.
    if (before(editEnd, r.start) && (!next || before(r.start, next.start))) next = r;
    if (before(r.end, editStart) && (!previous || before(previous.end, r.end))) previous = r;
  });
  const moved = (r: Range | null): Range | null =>
    r && { start: lines.position(moveOffset(edit, good.lines.offset(r.start))), end: lines.position(moveOffset(edit, good.lines.offset(r.end), true)) };
  const wanted = [moved(next), moved(previous)].filter((r): r is Range => r !== null);
  const found = wanted.map(() => false);
  anchors(facts, (r) => wanted.forEach((w, i) => (found[i] ||= same(w, r))));
  return found.includes(false);
}

/** The whole lines of `text` that [start, end) spans. */
function linesOf(text: string, start: number, end: number): string {
  const stop = text.indexOf('\n', end);
  return text.slice(text.lastIndexOf('\n', start - 1) + 1, stop < 0 ? text.length : stop);
}

/** The lines the edit spans, in either text, hold a preprocessor directive. */
function touchesDirective(old: string, now: string, edit: SpanEdit): boolean {
  const directive = /^[ \t]*#/m;
  return directive.test(linesOf(old, edit.start, edit.oldEnd)) || directive.test(linesOf(now, edit.start, edit.newEnd));
}

/** The edited lines hold a keyword that heads a statement with a body (a cheap test before the tree is asked). */
function writesStatementHead(now: string, edit: SpanEdit): boolean {
  return /\b(?:if|else|for|while)\b/.test(linesOf(now, edit.start, edit.newEnd));
}

/** Errors (flat [start, end) pairs) that meet [from, to]. */
function countWithin(errors: readonly number[], from: number, to: number): number {
  let n = 0;
  for (let i = 0; i < errors.length; i += 2) if ((errors[i] as number) <= to && (errors[i + 1] as number) >= from) n++;
  return n;
}

/**
 * Whether the text after `edit` is broken where it changed: more errors inside the changed span
 * than the last good text had there, or an error outside it that the last good text did not have
 * where the edit moved it (an unclosed brace shows as a MISSING `}` at the end of the file).
 */
export function brokenByEdit(edit: SpanEdit, now: readonly number[], before: readonly number[]): boolean {
  if (countWithin(now, edit.start, edit.newEnd) > countWithin(before, edit.start, edit.oldEnd)) return true;
  const had = new Set<string>();
  for (let i = 0; i < before.length; i += 2) had.add(`${before[i] as number}:${before[i + 1] as number}`);
  const delta = edit.newEnd - edit.oldEnd;
  for (let i = 0; i < now.length; i += 2) {
    const s = now[i] as number;
    const e = now[i + 1] as number;
    if (s <= edit.newEnd && e >= edit.start) continue;
    const key = s > edit.newEnd ? `${s - delta}:${e - delta}` : `${s}:${e}`;
    if (!had.has(key)) return true;
  }
  return false;
}

/**
 * The last good facts, moved to where the edits since put the text they were read from: through
 * each keystroke's edit in turn (text between two edited places stays where it is, not where one
 * span over both would put it).
 */
function held<T>(good: GoodReading, path: string, lines: LineIndex): T {
  return relocateFacts(good.facts as T, path, good.trail, good.lines, lines);
}

/** What an edit must not take away outside itself in a BPF source: its programs, maps and slots, where they are written. */
export const sourceAnchors: Anchors<BpfObjectFacts> = (facts, visit) => {
  for (const p of facts.programs) visit(p.location.range);
  for (const m of facts.structOpsMaps) {
    visit(m.location.range);
    for (const s of m.slots) visit(s.location.range);
  }
  for (const s of facts.unresolvedSlots ?? []) visit(s.location.range);
};

export class LastGoodFacts {
  private readonly files = new Map<string, Map<string, GoodReading>>();

  /**
   * The facts of `parsed` as `read` gives them, unless the region typed since the last good
   * reading (of this file under `key`) is broken: then the last good facts, moved by the edit.
   * `live`: the text is an editor's buffer; other files are read as they are and not kept.
   * `anchors`: the ranges of what an edit must not take away outside itself (programs, maps, slots).
   */
  read<T>(path: string, key: string, live: boolean, parsed: ParsedC, read: () => T, anchors?: Anchors<T>): T {
    if (!live) {
      if (this.files.size) this.files.delete(path);
      return read();
    }
    // Not parsed (its budget): parse-limit says so; nothing to compare.
    if (!parsed.tree) return read();
    let readings = this.files.get(path);
    const good = readings?.get(key);
    const clean = !parsed.tree.rootNode.hasError && !parsed.unread?.length && !parsed.tooLong?.length;
    const errors = clean ? [] : parseErrors(parsed);
    const edit = good && good.text !== parsed.text ? spanEdit(good.text, parsed.text) : null;
    if (good && edit) {
      const step = good.latest === good.text ? edit : spanEdit(good.latest, parsed.text);
      if (step) appendEdit(good.trail, step);
      good.latest = parsed.text;
    }
    if (good && edit && ((!clean && brokenByEdit(edit, errors, good.errors)) || (writesStatementHead(parsed.text, edit) && misleadingBody(parsed, edit.start, edit.newEnd)))) {
      return held<T>(good, path, parsed.lines);
    }
    const facts = read();
    if (good && edit && anchors && lostAnchor(edit, good, facts, parsed.lines, anchors) && !touchesDirective(good.text, parsed.text, edit)) return held<T>(good, path, parsed.lines);
    if (!readings) this.files.set(path, (readings = new Map()));
    readings.set(key, { text: parsed.text, lines: parsed.lines, errors, facts, latest: parsed.text, trail: [] });
    return facts;
  }

  /** The file is no longer an editor's buffer, or is gone. */
  forget(path: string): void {
    this.files.delete(path);
  }
}
