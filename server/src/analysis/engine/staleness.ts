// A skeleton embeds the object it was generated from; a .bpf.o is compiled from a source. When
// either disagrees with the source about programs, maps or slots, the build is out of date and
// libbpf will load something other than what the editor shows.
import type { BpfObjectFacts, Location } from '../facts';
import type { Finding, RelatedInfo } from '../model';
import { finding, quote } from './findingText';

interface Difference {
  text: string;
  location: Location;
}

function slotsOf(f: BpfObjectFacts): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const m of f.structOpsMaps) for (const s of m.slots) out.set(`${m.name}.${s.member}`, s.program);
  return out;
}

export function differences(source: BpfObjectFacts, built: BpfObjectFacts): Difference[] {
  const diffs: Difference[] = [];
  const builtProgs = new Map(built.programs.map((p) => [p.name, p]));
  const srcProgs = new Map(source.programs.map((p) => [p.name, p]));
  for (const p of source.programs) {
    const b = builtProgs.get(p.name);
    if (!b) diffs.push({ text: `program ${quote(p.name)} is missing`, location: p.location });
    else if (b.section !== p.section) diffs.push({ text: `program ${quote(p.name)} is in section ${quote(b.section)}, the source says ${quote(p.section)}`, location: p.location });
  }
  for (const p of built.programs) if (!srcProgs.has(p.name)) diffs.push({ text: `program ${quote(p.name)} is no longer in the source`, location: source.programs[0]?.location ?? p.location });
  const builtMaps = new Map(built.structOpsMaps.map((m) => [m.name, m]));
  const srcMaps = new Map(source.structOpsMaps.map((m) => [m.name, m]));
  for (const m of source.structOpsMaps) {
    const b = builtMaps.get(m.name);
    if (!b) diffs.push({ text: `struct_ops map ${quote(m.name)} is missing`, location: m.location });
    else if (b.section !== m.section || b.structType !== m.structType) {
      diffs.push({ text: `struct_ops map ${quote(m.name)} is ${quote(`${b.structType}`)} in ${quote(b.section)}, the source says ${quote(m.structType)} in ${quote(m.section)}`, location: m.location });
    }
  }
  for (const m of built.structOpsMaps) if (!srcMaps.has(m.name)) diffs.push({ text: `struct_ops map ${quote(m.name)} is no longer in the source`, location: source.structOpsMaps[0]?.location ?? m.location });
  const srcSlots = slotsOf(source);
  const builtSlots = slotsOf(built);
  for (const m of source.structOpsMaps) {
    if (!builtMaps.has(m.name)) continue;
    for (const s of m.slots) {
      const key = `${m.name}.${s.member}`;
      const b = builtSlots.get(key);
      if ((b ?? null) !== s.program) diffs.push({ text: `slot ${quote(key)} holds ${b ? quote(b) : 'nothing'}, the source says ${s.program ? quote(s.program) : 'NULL'}`, location: s.location });
    }
  }
  for (const [key, prog] of builtSlots) {
    const mapName = key.split('.')[0] ?? '';
    if (srcMaps.has(mapName) && !srcSlots.has(key) && prog) {
      diffs.push({ text: `slot ${quote(key)} holds ${quote(prog)}, which the source no longer sets`, location: srcMaps.get(mapName)?.location ?? source.programs[0]?.location ?? { file: source.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } });
    }
  }
  return diffs;
}

export function staleFinding(
  kind: 'skeleton' | 'object',
  at: Location,
  builtFile: string,
  source: BpfObjectFacts,
  built: BpfObjectFacts,
  followed: 'source' | 'built',
): Finding | null {
  const diffs = differences(source, built);
  if (!diffs.length) return null;
  const name = builtFile.split('/').pop() ?? builtFile;
  const what = kind === 'skeleton' ? `The object embedded in ${quote(name)}` : quote(name);
  const rebuild = kind === 'skeleton' ? 'Rebuild the object and regenerate the skeleton (bpftool gen skeleton).' : 'Rebuild it.';
  const shown = diffs.slice(0, 5).map((d) => d.text);
  const more = diffs.length > 5 ? `; and ${diffs.length - 5} more` : '';
  const related: RelatedInfo[] = diffs.map((d) => ({ location: d.location, message: d.text }));
  return finding(kind === 'skeleton' ? 'stale-skeleton' : 'stale-object', at,
    `${what} is out of date with ${quote(source.file.split('/').pop() ?? source.file)}: ${shown.join('; ')}${more}. ${
      followed === 'source'
        ? `The source is newer, so the analysis follows it; until you rebuild, libbpf would load the old ${kind === 'skeleton' ? 'embedded' : 'compiled'} object.`
        : `libbpf loads the ${kind === 'skeleton' ? 'embedded' : 'compiled'} object, so the analysis follows it.`
    } ${rebuild}`,
    related);
}
