// Code lens above every struct_ops map (`3 programs · 1 poisoned`) and every program
// (`st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned`, `explicit: M`, `not associated`).
// The lenses carry no command (VS Code shows them as plain text); the client may add one.
import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { associationLabel, mapLabel } from './describe';

export function codeLenses(view: AnalysisView, params: CodeLensParams): CodeLens[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  const { model } = view;
  const lenses: CodeLens[] = [];
  for (const map of model.maps) {
    if (map.location.file !== path) continue;
    lenses.push({ range: map.location.range, command: { title: mapLabel(model, map), command: '' }, data: { kind: 'map', id: map.id } });
  }
  for (const program of model.programs) {
    if (program.location.file !== path) continue;
    lenses.push({
      range: program.location.range,
      command: { title: associationLabel(program.association), command: '' },
      data: { kind: 'program', id: program.id },
    });
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
