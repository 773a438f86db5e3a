// An editor's edits as the analysis takes them: one replaced span per version of a text (the LSP
// change ranges of the keystrokes since the text was last read, composed), and whether an edit
// leaves everything a whole-text scan reads (directives, macros, includes, comments, literals,
// kfunc declarations) where it was, so the scans' answers from the text before stand.
import type { SpanEdit } from '../relocate';

/** `first`, then `next` (in the offsets of the text `first` made): one span from the oldest text to the newest. */
export function composeEdits(first: SpanEdit | null, next: SpanEdit): SpanEdit {
  if (!first) return { ...next };
  const start = Math.min(first.start, next.start);
  // The union of the two changed spans in the middle text, mapped back to the old and on to the new one.
  const middleEnd = Math.max(first.newEnd, next.oldEnd);
  const oldEnd = first.oldEnd + Math.max(0, next.oldEnd - first.newEnd);
  const newEnd = middleEnd + (next.newEnd - next.oldEnd);
  // A start before the first edit's, in the middle text, is the same offset in the old text.
  return { start, oldEnd: Math.max(oldEnd, start), newEnd: Math.max(newEnd, start) };
}

/** Characters that start or end a directive, a comment, a literal or a line. */
const LEXICAL = /[\n\r#\\/*"']/;
/** What ends the text a kfunc declaration is read from (kfuncs.ts: the previous `;`, `}` or line-start `#`). */
const DECLARATION_BOUND = /[;}]|\n#/g;

/** A `__ksym` after `from` has a declaration boundary between `from` and it (or there is none). */
function boundedBeforeKsym(text: string, from: number): boolean {
  const k = text.indexOf('__ksym', from);
  if (k < 0) return true;
  DECLARATION_BOUND.lastIndex = from;
  const m = DECLARATION_BOUND.exec(text);
  return m !== null && m.index < k;
}

/**
 * Whether `edit` (from `before` to `after`) leaves every directive, comment, literal and kfunc
 * declaration of the text as it was, on the same lines: no line added or removed, no character
 * typed or deleted that starts or ends one, on a line of code that is not a directive, not a
 * directive's continuation and not inside a block comment, and outside the text a kfunc
 * declaration is read from. Then `#define`s, `#undef`s (moved by the edit's length), includes,
 * directives and kfunc declarations are those of `before`. Cheap: the edited line and searches
 * from it, no scan of the whole text.
 */
export function leavesDirectivesAlone(before: string, after: string, edit: SpanEdit): boolean {
  if (LEXICAL.test(before.slice(edit.start, edit.oldEnd)) || LEXICAL.test(after.slice(edit.start, edit.newEnd))) return false;
  const lineStart = after.lastIndexOf('\n', edit.start - 1) + 1;
  const nl = after.indexOf('\n', edit.newEnd);
  const line = after.slice(lineStart, nl < 0 ? after.length : nl);
  const oldNl = before.indexOf('\n', edit.oldEnd);
  if (line.includes('#') || line.includes('__ksym') || before.slice(lineStart, oldNl < 0 ? before.length : oldNl).includes('__ksym')) return false;
  // The line before ends with a backslash: this one may continue a directive.
  if (lineStart >= 2 && (after.charCodeAt(lineStart - 2) === 92 || (after.charCodeAt(lineStart - 2) === 13 && after.charCodeAt(lineStart - 3) === 92))) return false;
  // Inside a block comment (one opened on a directive line may go on a macro's body): read again.
  if (after.lastIndexOf('/*', lineStart) > after.lastIndexOf('*/', lineStart)) return false;
  return boundedBeforeKsym(after, edit.newEnd) && boundedBeforeKsym(before, edit.oldEnd);
}
