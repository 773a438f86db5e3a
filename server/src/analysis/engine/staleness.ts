// A skeleton embeds the object it was generated from; a .bpf.o is compiled from a source. When
// either disagrees with the source about programs, maps or slots, the build is out of date and
// libbpf will load something other than what the editor shows.
import type { BpfObjectFacts, Location, Range } from '../facts';
import type { Finding, RelatedInfo } from '../model';
import { finding, quote } from './findingText';

interface Difference {
  text: string;
  location: Location;
}

/**
 * Lines of one file where the source model is not to be trusted: a conditional on something the
 * analysis cannot know (facts.uncertain) or code it could not read (parse-limit problems). A
 * location without extent reaches to the end of its file (a whole file not read, or a
 * conditional whose end is not recorded).
 */
interface Region {
  file: string;
  from: number;
  to: number;
}

function regionsOf(source: BpfObjectFacts): Region[] {
  const region = (l: Location): Region => {
    const r = l.range;
    const empty = r.start.line === r.end.line && r.start.character === r.end.character;
    return { file: l.file, from: r.start.line, to: empty ? Infinity : r.end.line };
  };
  return [...(source.uncertain ?? []).map((u) => region(u.location)), ...source.problems.filter((p) => p.rule === 'parse-limit').map((p) => region(p.location))];
}

function slotsOf(f: BpfObjectFacts): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const m of f.structOpsMaps) for (const s of m.slots) out.set(`${m.name}.${s.member}`, s.program);
  return out;
}

/** The same file, whether written absolute or as the compiler recorded it (`./x.bpf.c`). */
function sameFile(file: string, hint: string): boolean {
  const h = hint.replace(/^(\.\/)+/, '');
  return file === hint || file.endsWith(`/${h}`);
}

function within(regions: Region[], file: string, line: number, last = line): Region | undefined {
  return regions.find((r) => sameFile(r.file, file) && last >= r.from && line <= r.to);
}

/** Differences between what the source says and what the build says, each certain or not. */
type Comparison = { certain: Difference[]; uncertain: Difference[] };

/**
 * Comparisons kept while both sides are the same facts (the workspace keeps a file's facts until
 * it changes): a model rebuilt after an edit elsewhere compares nothing again.
 */
const compared = new WeakMap<BpfObjectFacts, WeakMap<BpfObjectFacts, Comparison>>();

function compare(source: BpfObjectFacts, built: BpfObjectFacts): Comparison {
  let bySource = compared.get(source);
  if (!bySource) compared.set(source, (bySource = new WeakMap()));
  let result = bySource.get(built);
  if (!result) bySource.set(built, (result = compareFacts(source, built)));
  return result;
}

function compareFacts(source: BpfObjectFacts, built: BpfObjectFacts): Comparison {
  const regions = regionsOf(source);
  const certain: Difference[] = [];
  const uncertain: Difference[] = [];
  // A fact of the source is uncertain where it stands in a region; a fact only the build has is
  // uncertain when it may come from a region (by its line info, or without it, any region).
  const atSource = (l: Location, extent?: Range): boolean => !within(regions, l.file, extent?.start.line ?? l.range.start.line, extent?.end.line ?? l.range.end.line);
  const add = (sure: boolean, d: Difference): void => void (sure ? certain : uncertain).push(d);
  const builtProgs = new Map(built.programs.map((p) => [p.name, p]));
  const srcProgs = new Map(source.programs.map((p) => [p.name, p]));
  for (const p of source.programs) {
    const b = builtProgs.get(p.name);
    const sure = atSource(p.location, p.extent);
    if (!b) add(sure, { text: `program ${quote(p.name)} is missing`, location: p.location });
    else if (b.section !== p.section) add(sure, { text: `program ${quote(p.name)} is in section ${quote(b.section)}, the source says ${quote(p.section)}`, location: p.location });
  }
  for (const p of built.programs) {
    if (srcProgs.has(p.name)) continue;
    const sure = p.sourceHint ? !within(regions, p.sourceHint.file, p.sourceHint.line) : !regions.length;
    add(sure, { text: `program ${quote(p.name)} is no longer in the source`, location: source.programs[0]?.location ?? p.location });
  }
  const builtMaps = new Map(built.structOpsMaps.map((m) => [m.name, m]));
  const srcMaps = new Map(source.structOpsMaps.map((m) => [m.name, m]));
  for (const m of source.structOpsMaps) {
    const b = builtMaps.get(m.name);
    const sure = atSource(m.location, m.extent);
    if (!b) add(sure, { text: `struct_ops map ${quote(m.name)} is missing`, location: m.location });
    else if (b.section !== m.section || b.structType !== m.structType) {
      add(sure, { text: `struct_ops map ${quote(m.name)} is ${quote(`${b.structType}`)} in ${quote(b.section)}, the source says ${quote(m.structType)} in ${quote(m.section)}`, location: m.location });
    }
  }
  for (const m of built.structOpsMaps) if (!srcMaps.has(m.name)) add(!regions.length, { text: `struct_ops map ${quote(m.name)} is no longer in the source`, location: source.structOpsMaps[0]?.location ?? m.location });
  const srcSlots = slotsOf(source);
  const builtSlots = slotsOf(built);
  for (const m of source.structOpsMaps) {
    if (!builtMaps.has(m.name)) continue;
    const sure = atSource(m.location, m.extent);
    for (const s of m.slots) {
      const key = `${m.name}.${s.member}`;
      const b = builtSlots.get(key);
      if ((b ?? null) !== s.program) add(sure, { text: `slot ${quote(key)} holds ${b ? quote(b) : 'nothing'}, the source says ${s.program ? quote(s.program) : 'NULL'}`, location: s.location });
    }
  }
  for (const [key, prog] of builtSlots) {
    const mapName = key.split('.')[0] ?? '';
    const m = srcMaps.get(mapName);
    if (m && !srcSlots.has(key) && prog) {
      add(atSource(m.location, m.extent), { text: `slot ${quote(key)} holds ${quote(prog)}, which the source no longer sets`, location: m.location });
    }
  }
  return { certain, uncertain };
}

/** What the source and the build certainly disagree about (where the source model is uncertain, nothing is claimed). */
export function differences(source: BpfObjectFacts, built: BpfObjectFacts): Difference[] {
  return compare(source, built).certain;
}

/**
 * A build output that disagrees with its source. The engine asks only about an output built after
 * the sources were saved (buildStatus.ts): then it is not out of date as make sees it, and the
 * disagreement is real (a build that failed silently, or compiled with other defines).
 */
export function staleFinding(
  kind: 'skeleton' | 'object',
  at: Location,
  builtFile: string,
  source: BpfObjectFacts,
  built: BpfObjectFacts,
  followed: 'source' | 'built',
): Finding | null {
  const { certain: diffs, uncertain } = compare(source, built);
  // Only where both are certain: a difference in code the source reading could not be sure of
  // says nothing about the build (the parse-limit note or the unknown condition is the news).
  if (!diffs.length) return null;
  const name = builtFile.split('/').pop() ?? builtFile;
  const what = kind === 'skeleton' ? `The object embedded in ${quote(name)}` : quote(name);
  const rebuild = kind === 'skeleton' ? 'Check the build of the object and of its skeleton (bpftool gen skeleton): a step that failed silently, or other -D flags than the analysis reads.' : 'Check its build: a compile that failed silently, or other -D flags than the analysis reads.';
  const shown = diffs.slice(0, 5).map((d) => d.text);
  const more = `${diffs.length > 5 ? `; and ${diffs.length - 5} more` : ''}${
    uncertain.length ? ` (${uncertain.length} other difference${uncertain.length > 1 ? 's are' : ' is'} left out: ${uncertain.length > 1 ? 'they stand' : 'it stands'} where the source could not be read with certainty)` : ''
  }`;
  const related: RelatedInfo[] = diffs.map((d) => ({ location: d.location, message: d.text }));
  const sourceName = quote(source.file.split('/').pop() ?? source.file);
  return finding(kind === 'skeleton' ? 'stale-skeleton' : 'stale-object', at,
    `${what} disagrees with ${sourceName}, and was not built before the source was last saved: ${shown.join('; ')}${more}. ${
      followed === 'source'
        ? `The analysis follows the source; libbpf would load the ${kind === 'skeleton' ? 'embedded' : 'compiled'} object.`
        : `libbpf loads the ${kind === 'skeleton' ? 'embedded' : 'compiled'} object, so the analysis follows it.`
    } ${rebuild}`,
    related);
}
