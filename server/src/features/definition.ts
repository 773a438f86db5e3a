// Go to definition: a slot initializer -> its program, `skel->progs.P` -> the program in the BPF
// source, `skel->maps.M` / `skel->struct_ops.M` -> the map, an association-dependent kfunc call
// -> the declaration that makes it one.
import type { DefinitionParams, Location } from 'vscode-languageserver/node';
import type { Location as FactLocation } from '../analysis/facts';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { contains, targetsAt } from './targets';

export function definition(view: AnalysisView, params: DefinitionParams, uriOf: (path: string) => string): Location[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  const { model } = view;
  const to = (l: FactLocation): Location[] => [{ uri: uriOf(l.file), range: l.range }];
  for (const t of targetsAt(view, path, params.position)) {
    if (t.kind === 'program' && t.via === 'skeleton') return to(t.program.location);
    if (t.kind === 'map' && t.via === 'skeleton') return to(t.map.location);
    if (t.kind === 'slot' && t.slot.program !== null) {
      // On the member name (`.test_1`) too: the slot's one meaning is the program it holds.
      const program = model.programs.find((p) => p.object === t.map.object && p.name === t.slot.program);
      if (program) return to(program.location);
    }
    if (t.kind === 'kfuncCall') {
      const decl = model.kfuncs.find((k) => k.name === t.call.name)?.location;
      if (decl && !(decl.file === path && contains(decl.range, params.position))) return to(decl);
    }
  }
  return [];
}
