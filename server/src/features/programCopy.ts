// Quick fix for `poisoned-association`: give a second map its own copy of the program. The whole
// definition (its SEC line to the closing brace) is copied under a fresh name right after the
// original, and that map's slot initializer (or the loader's slot assignment) is pointed at it.
import type { CodeAction, TextEdit } from 'vscode-languageserver/node';
import { CodeActionKind } from 'vscode-languageserver/node';
import type { Location } from '../analysis/facts';
import type { Finding } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { lineStartOffset, offsetAt, positionAt, slice } from './sourceText';
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

/** Replaces the last whole-word `name` in the slot's text (the initializer's value). */
function repoint(text: string, slot: Location, name: string, to: string): TextEdit | null {
  const s = slice(text, slot.range);
  const matches = [...s.matchAll(new RegExp(`\\b${name}\\b`, 'g'))];
  const last = matches[matches.length - 1];
  if (!last || last.index === undefined) return null;
  const start = offsetAt(text, slot.range.start) + last.index;
  return { range: { start: positionAt(text, start), end: positionAt(text, start + name.length) }, newText: to };
}

export function programCopyActions(view: AnalysisView, f: Finding, uriOf: (path: string) => string): CodeAction[] {
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
    let ok = ownSlots.length > 0;
    for (const s of ownSlots) {
      const slotText = view.text(s.location.file);
      const edit = slotText === undefined ? null : repoint(slotText, s.location, program.name, newName);
      if (edit) add(s.location.file, edit);
      else ok = false;
    }
    if (!ok) continue;
    actions.push({
      title: `Give ${map} its own copy of ${program.name}`,
      kind: CodeActionKind.QuickFix,
      isPreferred: actions.length === 0,
      edit: { changes: Object.fromEntries([...changes].map(([p, edits]) => [uriOf(p), edits])) },
    });
  }
  return actions;
}
