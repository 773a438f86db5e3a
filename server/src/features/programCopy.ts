// Quick fix for `poisoned-association`: give a second map its own copy of the program. The whole
// definition (its SEC line to the closing brace) is copied under a fresh name right after the
// original, and that map's slot initializer (or the loader's slot assignment) is pointed at it.
// A comment right above the original that speaks of the sharing ("shared by both maps", "poisoned")
// goes: once each map has its own copy, it is no longer true. When the slot assignment is in the
// loader, the editor is asked to show it there (REVEAL_COMMAND, as codeActions.ts does).
import type { CodeAction, Range, TextEdit } from 'vscode-languageserver/node';
import { CodeActionKind } from 'vscode-languageserver/node';
import type { Location } from '../analysis/facts';
import type { Finding } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { escapeRegExp, lineStartOffset, offsetAt, positionAt, slice } from './sourceText';
import { before, bpfFacts, programOfFinding } from './targets';

function commonPrefix(names: string[]): number {
  const first = names[0] ?? '';
  let n = 0;
  while (n < first.length && names.every((x) => x[n] === first[n])) n++;
  return n;
}

/** `test_1_b` for map `st_ops_map_b` among `st_ops_map_a`/`st_ops_map_b`; never a name in use. */
export function copyName(program: string, map: string, maps: string[], taken: (name: string) => boolean): string {
  const distinct = map.slice(commonPrefix(maps)).replace(/^_+/, '');
  const base = `${program}_${/^\w+$/.test(distinct) ? distinct : map}`;
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}${i}`;
  return name;
}

/**
 * The comment on the lines right above `lineStart` (a block comment, or a run of `//` lines), when
 * it speaks of the program being shared: it names two of the maps, or says shared, both or poison.
 */
export function sharingComment(text: string, lineStart: number, maps: string[]): { start: number; end: number } | null {
  const lines = text.slice(0, lineStart).split('\n');
  lines.pop(); // the empty rest after the last newline
  let k = lines.length - 1;
  const trimmed = (i: number): string => (lines[i] ?? '').trim();
  if (trimmed(k).endsWith('*/')) {
    while (k >= 0 && !trimmed(k).startsWith('/*')) k--;
    if (k < 0) return null;
  } else if (trimmed(k).startsWith('//')) {
    while (k > 0 && trimmed(k - 1).startsWith('//')) k--;
  } else return null;
  const start = lines.slice(0, k).reduce((n, l) => n + l.length + 1, 0);
  const comment = text.slice(start, lineStart);
  const named = maps.filter((m) => new RegExp(`\\b${escapeRegExp(m)}\\b`).test(comment)).length;
  return named >= 2 || /\bshar(?:e|ed|es|ing)\b|\bboth\b|\bpoison/i.test(comment) ? { start, end: lineStart } : null;
}

/** Replaces the last whole-word `name` in the slot's text (the initializer's value). */
function repoint(text: string, slot: Location, name: string, to: string): TextEdit | null {
  const s = slice(text, slot.range);
  const matches = [...s.matchAll(new RegExp(`\\b${name}\\b`, 'g'))];
  const last = matches[matches.length - 1];
  if (!last || last.index === undefined) return null;
  const start = offsetAt(text, slot.range.start) + last.index;
  return { range: { start: positionAt(text, start), end: positionAt(text, start + name.length) }, newText: to };
}

export function programCopyActions(view: AnalysisView, f: Finding, uriOf: (path: string) => string, reveal?: string): CodeAction[] {
  const program = programOfFinding(view.model, f);
  if (!program || program.association.state !== 'poisoned') return [];
  const file = program.location.file;
  const text = view.text(file);
  const facts = bpfFacts(view, file);
  const fact = facts?.programs.find((p) => p.name === program.name);
  if (text === undefined || !fact?.extent) return [];
  const extentEnd = offsetAt(text, fact.extent.end);
  const nameStart = offsetAt(text, program.location.range.start) - offsetAt(text, fact.extent.start);
  const original = slice(text, fact.extent);
  const { maps, slots } = program.association;
  const comment = sharingComment(text, lineStartOffset(text, offsetAt(text, fact.extent.start)), maps);
  const taken = (n: string): boolean => new RegExp(`\\b${n}\\b`).test(text) || view.model.programs.some((p) => p.object === program.object && p.name === n);
  const actions: CodeAction[] = [];
  for (const map of maps.slice(1)) {
    const newName = copyName(program.name, map, maps, taken);
    const copy = original.slice(0, nameStart) + newName + original.slice(nameStart + program.name.length);
    const changes = new Map<string, TextEdit[]>();
    const add = (path: string, edit: TextEdit): void => void changes.set(path, [...(changes.get(path) ?? []), edit]);
    // After the original, unless the map's slot comes earlier in the file (a forward declaration):
    // then right before the map, so the copy is defined before its use.
    const ownSlots = slots.filter((s) => s.map === map);
    const mapFact = facts?.structOpsMaps.find((m) => m.name === map);
    const early = ownSlots.some((s) => s.location.file === file && before(s.location.range.start, fact.extent?.end ?? s.location.range.start));
    if (early && mapFact?.extent) {
      const at = lineStartOffset(text, offsetAt(text, mapFact.extent.start));
      add(file, { range: { start: positionAt(text, at), end: positionAt(text, at) }, newText: `${copy}\n\n` });
    } else add(file, { range: { start: positionAt(text, extentEnd), end: positionAt(text, extentEnd) }, newText: `\n\n${copy}` });
    if (comment) add(file, { range: { start: positionAt(text, comment.start), end: positionAt(text, comment.end) }, newText: '' });
    let ok = ownSlots.length > 0;
    for (const s of ownSlots) {
      const slotText = view.text(s.location.file);
      const edit = slotText === undefined ? null : repoint(slotText, s.location, program.name, newName);
      if (edit) add(s.location.file, edit);
      else ok = false;
    }
    if (!ok) continue;
    const action: CodeAction = {
      title: `Give ${map} its own copy of ${program.name}`,
      kind: CodeActionKind.QuickFix,
      isPreferred: actions.length === 0,
      edit: { changes: Object.fromEntries([...changes].map(([p, edits]) => [uriOf(p), edits])) },
    };
    // A slot assignment renamed in the loader: one word on its line, so the range stays where it was.
    const elsewhere = [...changes].find(([p]) => p !== file);
    const renamed = elsewhere?.[1][0];
    if (reveal && elsewhere && renamed) {
      const range: Range = { start: renamed.range.start, end: { line: renamed.range.start.line, character: renamed.range.start.character + renamed.newText.length } };
      action.command = { title: `Show ${elsewhere[0].split('/').pop()}`, command: reveal, arguments: [uriOf(elsewhere[0]), range] };
    }
    actions.push(action);
  }
  return actions;
}
