// Code lens above every struct_ops map (`3 programs · 1 poisoned`) and every program
// (`st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned`, `explicit: M`, `not associated`).
// These lenses carry no command (VS Code shows them as plain text). A client that says it has the
// command `bpfAssoc.runOnVm` (initializationOptions.clientCommands) also gets a second lens per
// map, `Run on test VM`, whose argument is the map's object id: the server says what to run,
// the client decides how.
import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { associationLabel, decidedSuffix, mapLabel } from './describe';

export const RUN_ON_VM_COMMAND = 'bpfAssoc.runOnVm';
export const RUN_ON_VM_TITLE = 'Run on test VM';

export interface CodeLensOptions {
  /** The client runs `bpfAssoc.runOnVm` (with an object id). */
  runOnVm?: boolean;
}

export function codeLenses(view: AnalysisView, params: CodeLensParams, options: CodeLensOptions = {}): CodeLens[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  const { model } = view;
  const lenses: CodeLens[] = [];
  for (const map of model.maps) {
    if (map.location.file !== path) continue;
    lenses.push({ range: map.location.range, command: { title: mapLabel(model, map), command: '' }, data: { kind: 'map', id: map.id } });
    if (options.runOnVm) {
      lenses.push({
        range: map.location.range,
        command: { title: RUN_ON_VM_TITLE, command: RUN_ON_VM_COMMAND, tooltip: `Load ${map.object} on a test VM and compare what the kernel answers with the prediction`, arguments: [map.object] },
        data: { kind: 'run', id: map.id },
      });
    }
  }
  for (const program of model.programs) {
    if (program.location.file !== path) continue;
    lenses.push({
      range: program.location.range,
      command: { title: `${associationLabel(program.association)}${decidedSuffix(program)}`, command: '' },
      data: { kind: 'program', id: program.id },
    });
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
