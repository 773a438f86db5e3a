// The association graph from the workspace model: struct_ops maps and programs are nodes,
// grouped by BPF object; slots (map → program) and explicit association calls
// (program → map) are edges. Pure (no vscode, no DOM): the webview only lays it out and draws it.
import type { Location, WorkspaceModel } from '../../../server/src/protocol';
import { describeAssociation } from '../associationOutline';

export interface GraphNode {
  id: string;
  kind: 'map' | 'program';
  object: string;
  label: string;
  detail: string;
  /** Poisoned programs, and maps whose slots hold one. */
  poisoned: boolean;
  /** Programs that are not associated with any map (or whose call is rejected). */
  unassociated: boolean;
  location: Location;
}

export interface GraphEdge {
  id: string;
  kind: 'slot' | 'explicit';
  source: string;
  target: string;
  label: string;
  /** Explicit calls the kernel rejects, and slots into a poisoned program. */
  problem: boolean;
}

export interface AssociationGraph {
  objects: { id: string; label: string }[];
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function associationGraph(model: WorkspaceModel): AssociationGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const poisonedPrograms = new Set(model.programs.filter((p) => p.association.state === 'poisoned').map((p) => p.id));
  for (const m of model.maps) {
    const poisoned = m.slots.some((s) => s.program !== null && poisonedPrograms.has(`${m.object}/${s.program}`));
    nodes.push({
      id: `map:${m.id}`,
      kind: 'map',
      object: m.object,
      label: m.name,
      detail: `struct ${m.structType}${m.link ? ' · link' : ''}`,
      poisoned,
      unassociated: false,
      location: m.location,
    });
  }
  for (const p of model.programs) {
    const state = p.association.state;
    nodes.push({
      id: `program:${p.id}`,
      kind: 'program',
      object: p.object,
      label: p.name,
      detail: describeAssociation(p.association),
      poisoned: state === 'poisoned',
      unassociated: state === 'none' || state === 'rejected' || state === 'not-loaded',
      location: p.location,
    });
  }
  const ids = new Set(nodes.map((n) => n.id));
  for (const m of model.maps) {
    for (const s of m.slots) {
      if (s.program === null) continue;
      const target = `program:${m.object}/${s.program}`;
      if (!ids.has(target)) continue;
      edges.push({
        id: `slot:${m.id}.${s.member}`,
        kind: 'slot',
        source: `map:${m.id}`,
        target,
        label: `.${s.member}`,
        problem: poisonedPrograms.has(`${m.object}/${s.program}`),
      });
    }
  }
  model.associationCalls.forEach((c, i) => {
    if (c.program === null || c.map === null) return;
    const source = `program:${c.object}/${c.program}`;
    const target = `map:${c.object}/${c.map}`;
    if (!ids.has(source) || !ids.has(target)) return;
    const result = c.predicted.result;
    edges.push({
      id: `explicit:${i}`,
      kind: 'explicit',
      source,
      target,
      label: result === 0 ? 'assoc' : `assoc → ${result}`,
      problem: result !== 0 && result !== 'unknown',
    });
  });
  return { objects: model.objects.map((o) => ({ id: o.id, label: o.id })), nodes, edges };
}
