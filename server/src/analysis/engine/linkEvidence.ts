// What a built object says it was linked from. clang records each program's source file in its
// `.BTF.ext` line info, and `bpftool gen object` keeps those records: a `.bpf.o` (or a skeleton's
// embedded object) whose programs come from several of the workspace's object sources was linked
// from them, whatever the build files say or whether they can be read. The object's own evidence
// decides: those sources are one object under its name, and the objects compiled from each
// (`bpf/egress.o` beside `out/mimic.bpf.o`) are the link's parts, not objects of their own.
import { fileStart, type BpfObjectFacts, type SkeletonFacts } from '../facts';
import { linkSources, type ObjectLink } from '../linkedSources';

const trimmed = (h: string): string => h.replace(/^(\.\/)+/, '');

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** The object sources by the base name of each file they are made of (their own, and a linked object's parts). */
type SourceIndex = Map<string, { file: string; source: BpfObjectFacts }[]>;

function indexSources(sources: readonly BpfObjectFacts[]): SourceIndex {
  const index: SourceIndex = new Map();
  for (const s of sources) {
    for (const file of [s.file, ...(s.linked?.sources ?? [])]) {
      const list = index.get(baseName(file));
      if (list) list.push({ file, source: s });
      else index.set(baseName(file), [{ file, source: s }]);
    }
  }
  return index;
}

/** The source whose file the hint names: the same path, or a path ending with it. */
function sourceFor(hint: string, index: SourceIndex): BpfObjectFacts | undefined {
  const h = trimmed(hint);
  return index.get(baseName(h))?.find((e) => e.file === h || (!h.startsWith('/') && e.file.endsWith(`/${h}`)))?.source;
}

/** The distinct sources a built object's programs come from, in program order. */
function sourcesNamedBy(built: BpfObjectFacts, index: SourceIndex): BpfObjectFacts[] {
  const out: BpfObjectFacts[] = [];
  for (const p of built.programs) {
    const s = p.sourceHint ? sourceFor(p.sourceHint.file, index) : undefined;
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * Sources linked as the built objects show, and the built objects that are parts of a link (by
 * the build's rules, or because all their programs' sources are parts of one linked object and
 * they are not it).
 */
export function linkedByObjects(sources: BpfObjectFacts[], objectFiles: readonly BpfObjectFacts[], skeletons: readonly SkeletonFacts[]): { sources: BpfObjectFacts[]; partObjects: Set<string> } {
  if (!objectFiles.length && !skeletons.some((s) => s.embedded)) return { sources, partObjects: new Set() };
  const index = indexSources(sources);
  const links: ObjectLink[] = [];
  const built = [...objectFiles.map((o) => ({ facts: o, names: o.objectNames })), ...skeletons.flatMap((s) => (s.embedded ? [{ facts: { ...s.embedded, file: s.file }, names: [s.objectName] }] : []))];
  for (const b of built) {
    const named = sourcesNamedBy(b.facts, index);
    // (One: a single source's object, or already one object of the build's link.)
    if (named.length < 2) continue;
    links.push({ names: b.names, keepsFirstNames: false, sources: named.flatMap((s) => [s.file, ...(s.linked?.sources ?? [])]), partObjects: [], by: fileStart(b.facts.file) });
  }
  const linked = links.length ? linkSources(sources, dedupeLinks(links)) : sources;
  const partObjects = new Set(linked.flatMap((s) => s.linked?.partObjects ?? []));
  const linkedIndex = linked === sources ? index : indexSources(linked);
  for (const o of objectFiles) {
    if (partObjects.has(o.file)) continue;
    const named = sourcesNamedBy(o, linkedIndex);
    const [owner] = named;
    // Not the linked output itself (its name), however many parts it shows (an output older than a part added since is stale, not a part).
    if (named.length === 1 && owner?.linked && !o.objectNames.some((n) => owner.linked?.outputNames.includes(n))) partObjects.add(o.file);
  }
  return { sources: linked, partObjects };
}

/** One link per set of sources (an object and its skeleton's embedded copy name the same ones): the first built output's names. */
function dedupeLinks(links: ObjectLink[]): ObjectLink[] {
  const out: ObjectLink[] = [];
  for (const l of links) {
    const same = out.find((o) => o.sources.join('\n') === l.sources.join('\n'));
    if (same) same.names = [...new Set([...same.names, ...l.names])];
    else out.push({ ...l, names: [...l.names] });
  }
  return out;
}
