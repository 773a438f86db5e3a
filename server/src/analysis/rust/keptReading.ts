// A Rust loader's reading kept through an edit the walk cannot see, instead of walking every path
// again: the reading is made only of the functions that make loader calls (or call such
// functions) and of the skeleton types and struct fields the file names (reader.ts, its plan). An
// edit outside those functions, or inside one of them but within a statement the walk passes over
// before and after it (no loader call, no exit, no `?`, a `let` that binds nothing the walk
// reads: `let n = skel.maps.bss_data.as_ref().unwrap().nr_cpus;`), or only in the whitespace
// between statements, leaves the reading as it was, moved to where the edit put the text. Any
// other edit, or any doubt, reads the file again.
import type { Node, Tree } from '../c/parser';
import { LineIndex } from '../c/lineIndex';
import type { LoaderFacts } from '../facts';
import type { PathState } from '../loader/pathState';
import { moveOffset, relocateFacts, spanEdit, type SpanEdit } from '../relocate';
import { LOADER_TEXT, PATH_TEXT } from './calls';
import type { RustReadingPlan } from './reader';
import { testedCall } from './results';
import { SKIPPED } from './walker';

/** The last reading of a text, with its plan and what else it was read with (the crate's skeletons). */
export interface KeptReading {
  text: string;
  /** The text's syntax tree (a copy the holder frees): what the edited region was. */
  tree: Tree;
  facts: LoaderFacts;
  plan: RustReadingPlan;
  /** The crate's skeletons and, of the words the linked sources mention, those the reading's calls name. */
  context: string;
}

/** Exits and results a statement must not hold for the walk to pass over it (walker.ts, branches.ts: `matters`, `givesUp`, `inert`). */
const EXITS = /\breturn\b|\bbreak\b|\bcontinue\b|\bbail!|\bexit\s*\(|\?/;
/** What may make a `let` bind something the walk reads (reader.ts bindValue): skeletons, struct_ops shadows, program lists, members by name. */
const BINDS = /Skel|\bstruct_ops\b|\bprogs\b|\b(?:map|prog)(?:_mut)?\s*\(\s*"|\bscx_ops_/;
/** `skel.maps.M...` (reader.ts bindValue): binds the map M unless it is a data section (`bss_data`). */
const MAPS_VALUE = /^\s*&?\s*(?:mut\s+)?[\w.]+\s*\.\s*maps\b[\w.()]*$/;
const MAPS_MEMBER = /\bmaps(?:_mut)?(?:\(\))?\s*\.\s*(\w+)(?:\(\))?/g;

/** A state under which any result a value could be tested as is one (results.ts testedCall): its answer is null only when no state can make one. */
const ANY_RESULT = { scope: { get: () => ({ resultOf: -1 }) }, nodeActions: { has: () => true } } as unknown as PathState;

function callsAny(text: string, names: readonly string[]): boolean {
  return names.some((n) => text.includes(n) && new RegExp(`(?:\\.|::|[^\\w.]|^)${n}\\s*\\(`).test(text));
}

function countWord(text: string, word: string): number {
  return text.match(new RegExp(`\\b${word}\\b`, 'g'))?.length ?? 0;
}

/**
 * The walk goes through the statement as if it were not there: it makes no loader call and calls
 * no function the walk reads, never leaves, and a `let` binds a name used nowhere else (in either
 * of `texts`: no condition the walk decided names it) to a value that is no skeleton, program,
 * map or tested result.
 */
function passedOver(stmt: Node, relevant: readonly string[], texts: readonly string[]): boolean {
  const text = stmt.text;
  if (!text.trimEnd().endsWith(';') || LOADER_TEXT.test(text) || PATH_TEXT.test(text) || EXITS.test(text) || BINDS.test(text) || callsAny(text, relevant)) return false;
  if (stmt.type === 'expression_statement') return true;
  if (stmt.type !== 'let_declaration' || stmt.childForFieldName('alternative')) return false;
  const pattern = stmt.childForFieldName('pattern');
  const name = pattern?.type === 'identifier' ? pattern.text : pattern?.type === 'mut_pattern' ? pattern.namedChildren[0]?.text : undefined;
  if (!name || !/^\w+$/.test(name) || texts.some((t) => countWord(t, name) > 1)) return false;
  const value = stmt.childForFieldName('value');
  if (!value || /^\s*&?\s*(?:mut\s+)?[A-Za-z_]\w*\s*$/.test(value.text) || testedCall(value, ANY_RESULT)) return false;
  if (MAPS_VALUE.test(value.text)) {
    const members = [...value.text.matchAll(MAPS_MEMBER)];
    if (!members.length || !members[members.length - 1]?.[1]?.endsWith('_data')) return false;
  }
  return true;
}

/** What the walker reads of a block's children (walker.ts block()). */
const walked = (c: Node | null): c is Node => !!c && !SKIPPED.has(c.type) && c.type !== 'label';

/**
 * Where an edited region [lo, hi) of a text lies in its tree: within one statement of a block
 * (`unit` is that statement), or over whole children of a block (`unit` is the region: the
 * children it touches lie within it); with the statements the walk reads there. Null otherwise.
 */
function regionIn(tree: Tree, lo: number, hi: number): { block: Node; start: number; end: number; statements: Node[] } | null {
  for (let n: Node | null = tree.rootNode.descendantForIndex(lo, Math.max(lo, hi - 1)); n; n = n.parent) {
    if (n.type === 'block' && !(n.startIndex < lo && hi < n.endIndex)) return null;
    if (n.type === 'block') {
      const children = n.namedChildren.filter((c): c is Node => !!c);
      const touched = children.filter((c) => c.endIndex > lo && c.startIndex < hi);
      // A child reaching out of the region (a comment running on past it): not whole statements.
      if (touched.some((c) => c.startIndex < lo || c.endIndex > hi)) return null;
      return { block: n, start: lo, end: hi, statements: touched.filter(walked) };
    }
    if (n.parent?.type === 'block') return n.startIndex <= lo && hi <= n.endIndex ? { block: n.parent, start: n.startIndex, end: n.endIndex, statements: walked(n) ? [n] : [] } : null;
    if (n.type === 'function_item') return null;
  }
  return null;
}

/**
 * The edit lies within one function the walk reads and changes only what it passes over: one
 * statement (or none) before and after, at the same place in the same block of both trees, each
 * passed over; the text around it the same and read the same (the old tree shows it).
 */
function withinPassedOver(edit: SpanEdit, kept: KeptReading, text: string, tree: Tree, relevant: readonly string[]): boolean {
  const texts = [text, kept.text];
  const pass = (s: Node): boolean => passedOver(s, relevant, texts);
  const now = regionIn(tree, edit.start, edit.newEnd);
  const then = regionIn(kept.tree, edit.start, edit.oldEnd);
  if (!now || !then || now.block.startIndex !== then.block.startIndex || now.start !== then.start || now.end - then.end !== edit.newEnd - edit.oldEnd) return false;
  if (now.statements.length > 1 || then.statements.length > 1 || !now.statements.every(pass) || !then.statements.every(pass)) return false;
  // A statement where there was none (or none where there was one): the walk reads the block's
  // states in the same order only when a statement before it in the block already went through them (walker.ts expr()).
  return now.statements.length === then.statements.length || now.block.namedChildren.some((c) => walked(c) && c.endIndex <= now.start);
}

/**
 * The kept reading moved to `text`, when the edit from its text changes nothing the walk reads
 * (see the file's head); else null. `plan` is the new text's plan, `context` what it is read with.
 */
export function keptThrough(kept: KeptReading | undefined, text: string, tree: Tree, plan: RustReadingPlan, context: string, file: string): LoaderFacts | null {
  if (!kept || kept.context !== context || plan.context !== kept.plan.context || plan.relevant.length !== kept.plan.relevant.length) return null;
  const edit = spanEdit(kept.text, text);
  if (!edit) return kept.facts;
  let inside = 0;
  for (let i = 0; i < plan.relevant.length; i++) {
    const a = kept.plan.relevant[i] as RustReadingPlan['relevant'][number];
    const b = plan.relevant[i] as RustReadingPlan['relevant'][number];
    if (a.name !== b.name) return null;
    const outside = a.end <= edit.start || a.start >= edit.oldEnd;
    const contains = a.start < edit.start && edit.oldEnd < a.end;
    if (!outside && !contains) return null;
    if (contains) inside++;
    // Where the function is now: moved by the edit, and (containing it) grown by what it adds.
    const end = contains ? a.end + edit.newEnd - edit.oldEnd : moveOffset(edit, a.end, true);
    if (b.start !== moveOffset(edit, a.start) || b.end !== end) return null;
  }
  if (inside > 1) return null;
  if (inside === 1 && !withinPassedOver(edit, kept, text, tree, plan.relevant.map((r) => r.name))) return null;
  return relocateFacts(kept.facts, file, [edit], new LineIndex(kept.text), new LineIndex(text));
}
