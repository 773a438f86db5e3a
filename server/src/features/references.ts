// Find references: from a program, its definition, every slot that holds it, every association
// call naming it and every `skel->progs.P` in its loaders; from a map, its definition, the calls
// associating with it and every `skel->maps.M` / `skel->struct_ops.M`.
import type { Location, ReferenceParams } from 'vscode-languageserver/node';
import type { Location as FactLocation } from '../analysis/facts';
import type { ModelMap, ModelProgram, WorkspaceModel } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { contains, skeletonRefs, targetsAt, type SkeletonRef } from './targets';

/** Skeleton references to `name` in the loaders of `object`, outside association calls. */
function loaderRefs(view: AnalysisView, object: string, groups: SkeletonRef['group'][], name: string): FactLocation[] {
  const out: FactLocation[] = [];
  const loaders = view.model.objects.find((o) => o.id === object)?.loaders ?? [];
  for (const file of loaders) {
    const text = view.text(file);
    if (text === undefined) continue;
    text.split('\n').forEach((lineText, line) => {
      for (const ref of skeletonRefs(line, lineText)) {
        if (ref.name !== name || !groups.includes(ref.group)) continue;
        const inCall = view.model.associationCalls.some((c) => c.location.file === file && contains(c.location.range, ref.range.start));
        if (!inCall) out.push({ file, range: ref.range });
      }
    });
  }
  return out;
}

function programRefs(view: AnalysisView, p: ModelProgram, withDeclaration: boolean): FactLocation[] {
  const model: WorkspaceModel = view.model;
  const out: FactLocation[] = withDeclaration ? [p.location] : [];
  for (const m of model.maps) if (m.object === p.object) for (const s of m.slots) if (s.program === p.name) out.push(s.location);
  for (const c of model.associationCalls) if (c.object === p.object && c.program === p.name) out.push(c.location);
  return [...out, ...loaderRefs(view, p.object, ['progs', 'links'], p.name)];
}

function mapRefs(view: AnalysisView, m: ModelMap, withDeclaration: boolean): FactLocation[] {
  const out: FactLocation[] = withDeclaration ? [m.location] : [];
  for (const c of view.model.associationCalls) if (c.object === m.object && c.map === m.name) out.push(c.location);
  return [...out, ...loaderRefs(view, m.object, ['maps', 'struct_ops', 'links'], m.name)];
}

export function references(view: AnalysisView, params: ReferenceParams, uriOf: (path: string) => string): Location[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  const withDeclaration = params.context.includeDeclaration;
  const find = (object: string, name: string | null): ModelProgram | undefined => view.model.programs.find((p) => p.object === object && p.name === name);
  let found: FactLocation[] = [];
  for (const t of targetsAt(view, path, params.position)) {
    const program = t.kind === 'program' ? t.program : t.kind === 'slot' ? find(t.map.object, t.slot.program) : t.kind === 'associationCall' ? find(t.call.object, t.call.program) : undefined;
    if (program) found = programRefs(view, program, withDeclaration);
    else if (t.kind === 'map') found = mapRefs(view, t.map, withDeclaration);
    if (found.length) break;
  }
  const seen = new Set<string>();
  return found
    .filter((l) => {
      const key = `${l.file}:${l.range.start.line}:${l.range.start.character}`;
      return !seen.has(key) && seen.add(key) !== undefined;
    })
    .map((l) => ({ uri: uriOf(l.file), range: l.range }));
}
