// Programs, struct_ops maps and slots: bpf-assoc's model against the objects' truth, per object
// (matched by the object's main source file). Agreement is |model ∩ truth| / |model ∪ truth|: a
// missing item and an invented one both count against it.
import type { Model } from './analysis';
import type { ObjectTruth } from './truth';

export interface TruthObject {
  /** The main source, relative to the analysis' working directory. */
  file: string;
  truth: ObjectTruth;
}

export interface Tally {
  truth: number;
  model: number;
  agree: number;
  /** `+item` found only by the model, `-item` only in the object. */
  differences: string[];
}

export interface Comparison {
  programs: Tally;
  maps: Tally;
  slots: Tally;
  /** Model objects whose main source has no compiled object (not compared). */
  uncompared: string[];
  /** Slots a loader re-points before load: the model gives the loader's program, the object its own. */
  repointed: string[];
}

function tally(model: Set<string>, truth: Set<string>): Tally {
  const differences: string[] = [];
  for (const m of model) if (!truth.has(m)) differences.push(`+${m}`);
  for (const t of truth) if (!model.has(t)) differences.push(`-${t}`);
  const agree = [...model].filter((m) => truth.has(m)).length;
  return { truth: truth.size, model: model.size, agree, differences: differences.sort((a, b) => (a.slice(1) < b.slice(1) ? -1 : 1)) };
}

export function agreement(t: Pick<Tally, 'truth' | 'model' | 'agree'>): number {
  const union = t.truth + t.model - t.agree;
  return union === 0 ? 100 : (100 * t.agree) / union;
}

export function compare(model: Model, objects: TruthObject[]): Comparison {
  const byFile = new Map(objects.map((o) => [o.file, o]));
  const objectFile = new Map<string, string>();
  const uncompared: string[] = [];
  for (const o of model.objects) {
    const main = o.sources[0];
    if (main && byFile.has(main)) objectFile.set(o.id, main);
    else uncompared.push(`${o.id} (${main ?? o.objectFiles[0] ?? 'no source'})`);
  }
  const repointed: string[] = [];
  const mp = new Set<string>();
  const mm = new Set<string>();
  const ms = new Set<string>();
  for (const p of model.programs) {
    const f = objectFile.get(p.object);
    if (f) mp.add(`${f}: ${p.name} [${p.section}]`);
  }
  for (const m of model.maps) {
    const f = objectFile.get(m.object);
    if (!f) continue;
    mm.add(`${f}: ${m.name} (${m.type})`);
    for (const s of m.slots) {
      if (s.origin === 'loader') repointed.push(`${f}: ${m.name}.${s.member} -> ${s.program} (${s.file ?? 'loader'}:${s.line ?? 0})`);
      // A member the source leaves NULL names no program: the object has no relocation to compare it with.
      else if (s.program !== null) ms.add(`${f}: ${m.name}.${s.member} -> ${s.program}`);
    }
  }
  const isRepointed = (slot: string): boolean => repointed.some((r) => slot.startsWith(`${r.slice(0, r.indexOf(' -> '))} -> `));
  const tp = new Set<string>();
  const tm = new Set<string>();
  const ts = new Set<string>();
  for (const { file, truth } of objects) {
    for (const p of truth.programs) tp.add(`${file}: ${p.name} [${p.section}]`);
    for (const m of truth.maps) {
      tm.add(`${file}: ${m.name} (${m.type})`);
      for (const s of m.slots) {
        const slot = `${file}: ${m.name}.${s.member} -> ${s.program}`;
        if (!isRepointed(slot)) ts.add(slot);
      }
    }
  }
  return { programs: tally(mp, tp), maps: tally(mm, tm), slots: tally(ms, ts), uncompared, repointed: [...new Set(repointed)] };
}
