// What a built object says it was linked from. clang records each program's source file in its
// `.BTF.ext` line info, and `bpftool gen object` keeps those records: a `.bpf.o` (or a skeleton's
// embedded object) whose programs come from several of the workspace's object sources was linked
// from them, whatever the build files say or whether they can be read. The object's own evidence
// decides: those sources are one object under its name, and the objects compiled from each
// (`bpf/egress.o` beside `out/mimic.bpf.o`) are the link's parts, not objects of their own.
import { fileStart, type BpfObjectFacts, type SkeletonFacts } from '../facts';
import { linkSources, type ObjectLink } from '../linkedSources';

const trimmed = (h: string): string => h.replace(/^(\.\/)+/, '');

/** The sources (by position) whose file the hint names: the same path, or a path ending with it. */
function sourceFor(hint: string, sources: readonly BpfObjectFacts[]): BpfObjectFacts | undefined {
  const h = trimmed(hint);
  return sources.find((s) => s.file === h || (!h.startsWith('/') && s.file.endsWith(`/${h}`))) ?? sources.find((s) => (s.linked?.sources ?? []).some((f) => f === h || f.endsWith(`/${h}`)));
}

/** The distinct sources a built object's programs come from, in program order. */
function sourcesNamedBy(built: BpfObjectFacts, sources: readonly BpfObjectFacts[]): BpfObjectFacts[] {
  const out: BpfObjectFacts[] = [];
  for (const p of built.programs) {
    const s = p.sourceHint ? sourceFor(p.sourceHint.file, sources) : undefined;
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
  const links: ObjectLink[] = [];
  const built = [...objectFiles.map((o) => ({ facts: o, names: o.objectNames })), ...skeletons.flatMap((s) => (s.embedded ? [{ facts: { ...s.embedded, file: s.file }, names: [s.objectName] }] : []))];
  for (const b of built) {
    const named = sourcesNamedBy(b.facts, sources);
    if (named.length < 2) continue;
    const [first] = named;
    // Already one object of the build's link: nothing to add.
    if (named.every((s) => s === first)) continue;
    links.push({ names: b.names, keepsFirstNames: false, sources: named.flatMap((s) => [s.file, ...(s.linked?.sources ?? [])]), partObjects: [], by: fileStart(b.facts.file) });
  }
  const linked = links.length ? linkSources(sources, dedupeLinks(links)) : sources;
  const partObjects = new Set(linked.flatMap((s) => s.linked?.partObjects ?? []));
  for (const o of objectFiles) {
    if (partObjects.has(o.file)) continue;
    const named = sourcesNamedBy(o, sources);
    const owner = named.length ? linked.find((l) => l.linked && named.every((s) => s.file === l.file || (l.linked?.sources ?? []).includes(s.file))) : undefined;
    // Not the linked output itself (its name), however many parts it shows (an output older than a part added since is stale, not a part).
    if (owner && !o.objectNames.some((n) => owner.linked?.outputNames.includes(n))) partObjects.add(o.file);
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
