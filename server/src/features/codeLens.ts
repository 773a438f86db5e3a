// Code lens above every struct_ops map (`3 programs · 1 poisoned`) and every program
// (`st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned`, `explicit: M`, `not associated`), on the
// first line of the whole item (its `SEC(...)`), not between the section and the signature.
// A lens runs a command only when the client says it implements it
// (initializationOptions.clientCommands); otherwise its command ID is "" and it reads as text:
//   bpfAssoc.revealMap MAP_ID                  the map's lens: the client shows it in its tree
//   bpfAssoc.showLocations URI POS LOCATIONS   the program's lens: its slots and association
//                                              calls, listed as references (LSP Locations)
//   bpfAssoc.runOnVm OBJECT_ID                 a second lens per map, `Run on test VM`
// The server says what to show; the client decides how.
import type { CodeLens, CodeLensParams, Command, Location as LspLocation } from 'vscode-languageserver/node';
import type { Location, Range } from '../analysis/facts';
import type { ModelProgram, WorkspaceModel } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { pathOf, uriOf } from '../lsp/uri';
import { associationLabel, decidedSuffix, mapLabel } from './describe';
import { lastBuildSuffix } from './lastBuild';
import { before, bpfFacts } from './targets';

export const RUN_ON_VM_COMMAND = 'bpfAssoc.runOnVm';
export const RUN_ON_VM_TITLE = 'Run on test VM';
export const REVEAL_MAP_COMMAND = 'bpfAssoc.revealMap';
export const SHOW_LOCATIONS_COMMAND = 'bpfAssoc.showLocations';

export interface CodeLensOptions {
  /** The client runs `bpfAssoc.runOnVm` (with an object id). */
  runOnVm?: boolean;
  /** The client runs `bpfAssoc.revealMap` (with a map id). */
  revealMap?: boolean;
  /** The client runs `bpfAssoc.showLocations` (uri, position, locations). */
  showLocations?: boolean;
}

/** The commands a client may name in initializationOptions.clientCommands. */
export function lensOptionsFrom(clientCommands: unknown[]): CodeLensOptions {
  return {
    runOnVm: clientCommands.includes(RUN_ON_VM_COMMAND),
    revealMap: clientCommands.includes(REVEAL_MAP_COMMAND),
    showLocations: clientCommands.includes(SHOW_LOCATIONS_COMMAND),
  };
}

/** An empty range at the item's first line: its `SEC(...)` when the extent holds the name. */
function above(extent: Range | undefined, name: Range): Range {
  const start = extent && !before(name.start, extent.start) && !before(extent.end, name.end) ? extent.start : name.start;
  return { start, end: start };
}

function lspLocation(l: Location): LspLocation {
  return { uri: uriOf(l.file), range: l.range };
}

/** Where a program's association is decided: the slots that hold it and the calls that name it. */
export function programSites(model: WorkspaceModel, program: ModelProgram): Location[] {
  const slots = model.maps.filter((m) => m.object === program.object).flatMap((m) => m.slots.filter((s) => s.program === program.name).map((s) => s.location));
  const calls = model.associationCalls.filter((c) => c.object === program.object && c.program === program.name).map((c) => c.location);
  return [...slots, ...calls];
}

export function codeLenses(view: AnalysisView, params: CodeLensParams, options: CodeLensOptions = {}): CodeLens[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  const { model } = view;
  const facts = bpfFacts(view, path);
  const lenses: CodeLens[] = [];
  for (const map of model.maps) {
    if (map.location.file !== path) continue;
    const range = above(facts?.structOpsMaps.find((f) => f.name === map.name)?.extent, map.location.range);
    const title = `${mapLabel(model, map)}${lastBuildSuffix(model, map.object, map.name)}`;
    const command: Command = options.revealMap
      ? { title, command: REVEAL_MAP_COMMAND, tooltip: `Show ${map.name} in the struct_ops associations view`, arguments: [map.id] }
      : { title, command: '' };
    lenses.push({ range, command, data: { kind: 'map', id: map.id } });
    if (options.runOnVm) {
      lenses.push({
        range,
        command: { title: RUN_ON_VM_TITLE, command: RUN_ON_VM_COMMAND, tooltip: `Load ${map.object} on a test VM and compare what the kernel answers with the prediction`, arguments: [map.object] },
        data: { kind: 'run', id: map.id },
      });
    }
  }
  for (const program of model.programs) {
    if (program.location.file !== path) continue;
    const range = above(facts?.programs.find((f) => f.name === program.name)?.extent, program.location.range);
    const title = `${associationLabel(program.association)}${decidedSuffix(program)}${lastBuildSuffix(model, program.object, program.name)}`;
    const sites = options.showLocations ? programSites(model, program) : [];
    const command: Command = sites.length
      ? {
          title,
          command: SHOW_LOCATIONS_COMMAND,
          tooltip: `Show the slots and association calls of ${program.name}`,
          arguments: [uriOf(program.location.file), program.location.range.start, sites.map(lspLocation)],
        }
      : { title, command: '' };
    lenses.push({ range, command, data: { kind: 'program', id: program.id } });
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
