// Where the build stands against its sources, as make sees it: a compiled object or skeleton older
// than the saved sources is behind them (one info per object, the analysis follows the sources);
// sources with unsaved edits are being typed (the build is the last build, not a contradiction);
// only an output built after the sources were saved that still disagrees with them is a warning.
// Times and saved/unsaved state are inputs (the caller's mtimes and buffers): no clock here.
import type { BpfObjectFacts, Location } from '../facts';
import type { Finding, ModelBuild, RelatedInfo } from '../model';
import type { LinkedObject } from './link';
import { finding, list, quote } from './findingText';
import { differences, staleFinding } from './staleness';

/** A build output of an object: its .bpf.o, or the object a skeleton embeds. */
export interface BuiltOutput {
  kind: 'object' | 'skeleton';
  file: string;
  facts: BpfObjectFacts;
  modified?: number;
}

const usable = (f: BpfObjectFacts | null | undefined): f is BpfObjectFacts => !!f && !f.problems.some((p) => p.rule === 'malformed-object');

export function outputsOf(o: LinkedObject): BuiltOutput[] {
  const out: BuiltOutput[] = [];
  const embedded = o.skeleton?.embedded;
  if (o.skeleton && usable(embedded)) out.push({ kind: 'skeleton', file: o.skeleton.file, facts: embedded, modified: o.skeleton.modified });
  if (usable(o.objectFile)) out.push({ kind: 'object', file: o.objectFile.file, facts: o.objectFile, modified: o.objectFile.modified });
  return out;
}

/**
 * Built before its sources were last saved (or, a skeleton, before the object it is generated
 * from was rebuilt). Without times nothing is behind.
 */
export function isBehind(o: LinkedObject, out: BuiltOutput): boolean {
  if (out.modified === undefined) return false;
  if (o.source?.modified !== undefined && o.source.modified > out.modified) return true;
  return out.kind === 'skeleton' && o.objectFile?.modified !== undefined && o.objectFile.modified > out.modified;
}

/** Some file of the source's translation unit has edits the editor has not saved. */
export function isBeingEdited(o: LinkedObject): boolean {
  return !!o.source?.unsaved?.length;
}

/**
 * The analysis follows the sources instead of a build output when the sources are newer (saved
 * after it, or being edited) and they disagree: what libbpf would load is the last build, until
 * it is rebuilt.
 */
export function sourceIsNewer(o: LinkedObject, out: BuiltOutput): boolean {
  return !!o.source && (isBehind(o, out) || isBeingEdited(o)) && differences(o.source, out.facts).length > 0;
}

const name = (file: string): string => file.split('/').pop() ?? file;
const fileStart = (file: string): Location => ({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });

/** What the outputs say otherwise than the source, each difference once (the skeleton's first: libbpf loads it). */
function differencesOf(src: BpfObjectFacts, outputs: BuiltOutput[]): RelatedInfo[] {
  const seen = new Set<string>();
  return outputs
    .flatMap((out) => differences(src, out.facts))
    .filter((d) => !seen.has(d.text) && seen.add(d.text))
    .map((d) => ({ location: d.location, message: d.text }));
}

/** The state of an object's build, for the model (hover, lens and tree say "last build"). */
export function buildOf(o: LinkedObject): ModelBuild | undefined {
  const outputs = outputsOf(o);
  if (!o.source || !outputs.length) return undefined;
  const behind = outputs.filter((out) => isBehind(o, out)).map((out) => out.file);
  const editing = isBeingEdited(o);
  const diffs = differencesOf(o.source, outputs);
  const state = behind.length ? 'behind' : editing ? 'editing' : diffs.length ? 'disagrees' : 'current';
  return { state, outputs: outputs.map((out) => out.file), behind, ...(editing ? { unsaved: o.source.unsaved } : {}), differences: diffs };
}

/**
 * Findings about the build, all on the source (never on generated files): one info when outputs
 * are behind the saved sources; a stale-object/stale-skeleton warning per output built after the
 * sources were saved that still disagrees with them. Nothing while the sources are being typed.
 */
export function buildFindings(o: LinkedObject, followed: 'source' | 'built'): Finding[] {
  const src = o.source;
  const outputs = outputsOf(o);
  if (!src || !outputs.length) return [];
  const out: Finding[] = [];
  const behind = outputs.filter((b) => isBehind(o, b));
  if (behind.length) out.push(behindFinding(o, src, behind, followed));
  if (isBeingEdited(o)) return out;
  const generated = new Set(outputs.map((b) => b.file));
  for (const b of outputs) {
    if (behind.includes(b)) continue;
    const f = staleFinding(b.kind, fileStart(src.file), b.file, src, b.facts, followed);
    if (!f) continue;
    // On the first difference the source shows (a program, map or slot), else the source's start.
    const first = f.related.find((r) => !generated.has(r.location.file));
    out.push({ ...f, location: first?.location ?? fileStart(src.file) });
  }
  return out;
}

function behindFinding(o: LinkedObject, src: BpfObjectFacts, behind: BuiltOutput[], followed: 'source' | 'built'): Finding {
  const newest = src.newest ?? src.file;
  // Behind the saved sources, or only a skeleton older than its rebuilt object.
  const sourceNewer = behind.some((b) => src.modified !== undefined && b.modified !== undefined && src.modified > b.modified);
  const what = list(behind.map((b) => quote(name(b.file))));
  const than = sourceNewer ? `the saved ${quote(name(newest))}` : `${quote(name(o.objectFile?.file ?? ''))}, rebuilt since`;
  // Related locations stay in the sources: a generated file is nothing to open.
  const related = differencesOf(src, behind);
  const said = related.length
    ? ` The last build differs: ${related.slice(0, 5).map((d) => d.message).join('; ')}${related.length > 5 ? `; and ${related.length - 5} more` : ''}.${
        followed === 'source' ? ' The analysis follows the sources; until you rebuild, libbpf would load the last build.' : ''
      }`
    : ' What it says about programs, maps and slots still agrees with the sources.';
  const rebuild = behind.some((b) => b.kind === 'skeleton') ? 'Rebuild the object and regenerate the skeleton (bpftool gen skeleton).' : 'Rebuild it.';
  return { ...finding('build-behind-sources', fileStart(src.file), `The build is behind its sources: ${what} ${behind.length > 1 ? 'are' : 'is'} older than ${than}.${said} ${rebuild}`, related), object: o.id };
}
