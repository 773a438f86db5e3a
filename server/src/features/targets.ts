// What the cursor is on: a program (its name, its SEC, or `skel->progs.P` in a loader), a struct_ops
// map, a slot initializer, an association call, or a call to an association-dependent kfunc.
// Hover, definition and references all start here; each picks the kinds it cares about.
import type { BpfObjectFacts, Location, Position, Range } from '../analysis/facts';
import type { Finding, ModelAssociationCall, ModelKfuncCall, ModelMap, ModelProgram, ModelSlot, WorkspaceModel } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';

export type Target =
  | { kind: 'program'; program: ModelProgram; range: Range; via: 'definition' | 'skeleton' }
  | { kind: 'map'; map: ModelMap; range: Range; via: 'definition' | 'skeleton' }
  | { kind: 'slot'; map: ModelMap; slot: ModelSlot; range: Range }
  | { kind: 'associationCall'; call: ModelAssociationCall; range: Range }
  | { kind: 'kfuncCall'; program: ModelProgram; call: ModelKfuncCall; range: Range };

export function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Inclusive at both ends, so a cursor just after an identifier still counts. */
export function contains(r: Range, p: Position): boolean {
  return !before(p, r.start) && !before(r.end, p);
}

/**
 * `skel->progs.P`, `skel->maps.M`, `skel->struct_ops.M`, `skel->links.X` on one line; in a Rust
 * (libbpf-rs) loader `skel.progs.P`, `skel.maps.M`, `skel.struct_ops.M_mut()` and, before
 * libbpf-rs 0.24, `skel.progs().P()` / `skel.maps_mut().M()`.
 */
const SKELETON_REF = /\b\w+\s*(?:->|\.)\s*(progs|maps|links|struct_ops)(?:_mut)?(?:\(\))?\s*\.\s*(\w+)(\s*\(\))?/g;

export interface SkeletonRef {
  group: 'progs' | 'maps' | 'links' | 'struct_ops';
  name: string;
  range: Range;
}

/** Before libbpf-rs 0.24, the skeleton's object asked by name: `skel.obj.map_mut("M")`, `obj.prog("P")`. */
const RUST_BY_NAME = /\b(map|prog)(?:_mut)?\s*\(\s*"(\w+)"\s*\)/g;

export function skeletonRefs(line: number, lineText: string): SkeletonRef[] {
  const out: SkeletonRef[] = [];
  for (const m of lineText.matchAll(RUST_BY_NAME)) {
    const at = m.index ?? 0;
    out.push({ group: m[1] === 'map' ? 'maps' : 'progs', name: m[2] ?? '', range: { start: { line, character: at }, end: { line, character: at + m[0].length } } });
  }
  for (const m of lineText.matchAll(SKELETON_REF)) {
    // libbpf-rs's struct_ops accessor: `struct_ops.M_mut()` is the map M.
    const name = m[1] === 'struct_ops' && m[3] ? (m[2] ?? '').replace(/_mut$/, '') : (m[2] ?? '');
    const end = (m.index ?? 0) + m[0].length - (m[3]?.length ?? 0);
    out.push({ group: m[1] as SkeletonRef['group'], name, range: { start: { line, character: m.index ?? 0 }, end: { line, character: end } } });
  }
  return out;
}

/** The program or map a loader's skeleton reference names, among the objects that loader drives. */
export function resolveSkeletonRef(model: WorkspaceModel, loader: string, ref: SkeletonRef): Target | null {
  const objects = new Set(model.objects.filter((o) => o.loaders.includes(loader)).map((o) => o.id));
  const program = (): ModelProgram | undefined => model.programs.find((p) => objects.has(p.object) && p.name === ref.name);
  const map = (): ModelMap | undefined => model.maps.find((m) => objects.has(m.object) && m.name === ref.name);
  if (ref.group === 'progs' || ref.group === 'links') {
    const p = program();
    if (p) return { kind: 'program', program: p, range: ref.range, via: 'skeleton' };
  }
  if (ref.group !== 'progs') {
    const m = map();
    if (m) return { kind: 'map', map: m, range: ref.range, via: 'skeleton' };
  }
  return null;
}

/** The BPF-side facts of a file (a source or an object), if it is one. */
export function bpfFacts(view: AnalysisView, path: string): BpfObjectFacts | undefined {
  const facts = view.facts(path);
  return facts && 'origin' in facts ? facts : undefined;
}

export function lineOf(text: string, line: number): string {
  let start = 0;
  for (let i = 0; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

/** Every target at the position, most specific first. */
export function targetsAt(view: AnalysisView, path: string, pos: Position): Target[] {
  const { model } = view;
  const out: Target[] = [];
  const text = view.text(path);
  if (text !== undefined) {
    for (const ref of skeletonRefs(pos.line, lineOf(text, pos.line))) {
      if (!contains(ref.range, pos)) continue;
      const t = resolveSkeletonRef(model, path, ref);
      if (t) out.push(t);
    }
  }
  for (const call of model.associationCalls) {
    if (call.location.file === path && contains(call.location.range, pos)) out.push({ kind: 'associationCall', call, range: call.location.range });
  }
  for (const map of model.maps) {
    for (const slot of map.slots) {
      if (slot.location.file === path && contains(slot.location.range, pos)) out.push({ kind: 'slot', map, slot, range: slot.location.range });
    }
  }
  for (const program of model.programs) {
    for (const call of program.kfuncCalls) {
      if (call.location.file === path && contains(call.location.range, pos)) out.push({ kind: 'kfuncCall', program, call, range: call.location.range });
    }
  }
  const facts = bpfFacts(view, path);
  for (const program of model.programs) {
    if (program.location.file !== path) continue;
    const site = facts?.programs.find((p) => p.name === program.name)?.sectionSite;
    if (contains(program.location.range, pos)) out.push({ kind: 'program', program, range: program.location.range, via: 'definition' });
    else if (site && contains(site.range, pos)) out.push({ kind: 'program', program, range: site.range, via: 'definition' });
  }
  for (const map of model.maps) {
    if (map.location.file === path && contains(map.location.range, pos)) out.push({ kind: 'map', map, range: map.location.range, via: 'definition' });
  }
  return out;
}

/**
 * The program a finding is about: its `program` field when the analysis sets it, else the program
 * defined at the finding's location, else the program whose kfunc call is at that location.
 */
export function programOfFinding(model: WorkspaceModel, f: Finding): ModelProgram | undefined {
  const same = (a: Location, b: Location): boolean =>
    a.file === b.file && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
  const inObject = model.programs.filter((p) => f.object === undefined || p.object === f.object);
  return (
    (f.program ? inObject.find((p) => p.name === f.program) : undefined) ??
    inObject.find((p) => same(p.location, f.location)) ??
    inObject.find((p) => p.kfuncCalls.some((k) => same(k.location, f.location)))
  );
}
