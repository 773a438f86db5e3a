// BPF objects linked from several sources. A Makefile's `bpftool gen object OUT a.o b.o` and
// scx_cargo's `BpfBuilder` (`enable_skel` + `add_source`s + `compile_link_gen()`) make ONE object
// of several `.bpf.c`, each compiled alone first: the object libbpf loads has every part's
// programs, maps and struct_ops slots, under the output's name (`OUT.bpf.o` -> `OUT`; scx_cargo's
// is always `bpf.bpf.o`), and the skeleton generated from it is that object's. Here the parts'
// source facts (each its own translation unit) are merged into that one object, as bpf_linker
// does: maps of the same name are one map, a slot may name a program another part defines
// (`extern`/`__weak` resolve across parts). The parts' own `.o` files are intermediates.
// Pure: file texts in.
import { dirname, normalize } from 'node:path';
import { fileStart, type BpfObjectFacts, type Location } from './facts';
import { makeLinks } from './engine/makeLinks';
import { mergeFragments } from './fragments';
import { objectNamesForObject } from './objectNames';
import { readBuildScript, SCX_LINKED_SKELETON } from './rust/crates';

export interface ObjectLink {
  /** The linked object's names (its file's, and the names its skeletons are given). */
  names: string[];
  /** The first source's own names are the object's too (the Rust reader knows scx_cargo's skeleton by its skel source). */
  keepsFirstNames: boolean;
  /** The sources linked, in link order (absolute). */
  sources: string[];
  /** The parts' own objects (absolute): compiled to be linked, never loaded. */
  partObjects: string[];
  by: Location;
}

interface FileView {
  kind: string;
  text?: string;
}

const MAKEFILE = /(^|\/)(GNUmakefile|makefile|Makefile)$/;
const BUILD_SCRIPT = /(^|\/)build\.rs$/;

/** The links each Makefile and build script gives, read again when its text (or, for a Makefile's wildcards, the set of paths) changes. */
export class ObjectLinks {
  private readonly read = new Map<string, { text: string; paths: number; links: ObjectLink[] }>();

  of(files: ReadonlyMap<string, FileView>, resolve: (path: string) => string = (p) => p): ObjectLink[] {
    const out: ObjectLink[] = [];
    const seen = new Set<string>();
    for (const [path, f] of files) {
      if (f.text === undefined || !((f.kind === 'build' && MAKEFILE.test(path)) || (f.kind === 'cargo' && BUILD_SCRIPT.test(path)))) continue;
      seen.add(path);
      const known = this.read.get(path);
      const paths = f.kind === 'build' ? files.size : 0;
      if (known && known.text === f.text && known.paths === paths) {
        out.push(...known.links);
        continue;
      }
      const links = f.kind === 'build' ? makefileLinks(path, f.text, files) : buildScriptLinks(path, f.text, files, resolve);
      this.read.set(path, { text: f.text, paths, links });
      out.push(...links);
    }
    for (const p of this.read.keys()) if (!seen.has(p)) this.read.delete(p);
    return out;
  }
}

function makefileLinks(path: string, text: string, files: ReadonlyMap<string, FileView>): ObjectLink[] {
  if (!/\bgen\s+object\b/.test(text)) return [];
  const dir = dirname(path);
  const under = [...files.keys()].filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1));
  return makeLinks(text, dir, under, (p) => files.get(p)?.kind === 'bpf').flatMap((l): ObjectLink[] => {
    const sources = l.parts.map((p) => p.source).filter((s): s is string => !!s && files.get(s)?.kind === 'bpf');
    if (!sources.length) return [];
    const names = [...new Set([...objectNamesForObject(l.output), ...l.skeletonNames])];
    return [{ names, keepsFirstNames: false, sources, partObjects: l.parts.map((p) => p.object), by: { file: path, range: { start: { line: l.line, character: 0 }, end: { line: l.line, character: 0 } } } }];
  });
}

function buildScriptLinks(path: string, text: string, files: ReadonlyMap<string, FileView>, resolve: (path: string) => string): ObjectLink[] {
  if (!/\.compile_link_gen\s*\(/.test(text)) return [];
  const crate = dirname(path);
  return readBuildScript(text, crate).flatMap((s): ObjectLink[] => {
    if (s.name !== SCX_LINKED_SKELETON || !s.parts.length) return [];
    // (A source through a symlinked directory is the file the workspace walked under its own path.)
    const sources = [s.source, ...s.parts].map(resolve).filter((p) => files.get(p)?.kind === 'bpf');
    if (!sources.length) return [];
    // scx_cargo compiles each source to OUT_DIR and links them into OUT_DIR/bpf.bpf.o: nothing in the workspace.
    return [{ names: objectNamesForObject(`${SCX_LINKED_SKELETON}.bpf.o`), keepsFirstNames: true, sources, partObjects: [], by: fileStart(path) }];
  });
}

/** Merged objects, with the parts and link they were merged from (the same inputs: the same object). */
const mergedLinks = new Map<string, { inputs: unknown[]; facts: BpfObjectFacts }>();

/**
 * The objects with each link's sources merged into one: the first part's position keeps the linked
 * object; a source no link names stays an object of its own. A source two links name is in both.
 */
export function linkSources(objects: readonly BpfObjectFacts[], links: readonly ObjectLink[]): BpfObjectFacts[] {
  if (!links.length) return [...objects];
  const byFile = new Map(objects.map((o) => [o.file, o] as const));
  const replaced = new Map<BpfObjectFacts, BpfObjectFacts[]>();
  const consumed = new Set<BpfObjectFacts>();
  const live = new Set<string>();
  for (const link of links) {
    const parts = link.sources.map((s) => byFile.get(s)).filter((o): o is BpfObjectFacts => !!o);
    const [first] = parts;
    if (!first) continue;
    const key = `${link.by.file}:${link.by.range.start.line}:${link.names.join(',')}:${link.sources.join(',')}`;
    live.add(key);
    const inputs: unknown[] = [...parts, link.partObjects.join(','), link.keepsFirstNames];
    let made = mergedLinks.get(key);
    if (!made || made.inputs.length !== inputs.length || made.inputs.some((x, i) => x !== inputs[i])) mergedLinks.set(key, (made = { inputs, facts: mergeParts(parts, link) }));
    for (const p of parts) consumed.add(p);
    replaced.set(first, [...(replaced.get(first) ?? []), made.facts]);
  }
  for (const k of mergedLinks.keys()) if (!live.has(k)) mergedLinks.delete(k);
  return objects.flatMap((o) => replaced.get(o) ?? (consumed.has(o) ? [] : [o]));
}

function mergeParts(parts: BpfObjectFacts[], link: ObjectLink): BpfObjectFacts {
  const [first, ...rest] = parts as [BpfObjectFacts, ...BpfObjectFacts[]];
  const merged = mergeFragments(first, rest);
  const fragments = [...new Set(parts.flatMap((p) => [...(p === first ? [] : [p.file]), ...(p.fragments ?? [])]))];
  const uncertain = parts.flatMap((p) => p.uncertain ?? []);
  return {
    ...merged,
    objectNames: [...new Set([...link.names, ...(link.keepsFirstNames ? first.objectNames : [])])],
    fragments,
    ...(uncertain.length ? { uncertain } : {}),
    // (A part already linked by the build's files brings its own parts.)
    linked: {
      sources: [...new Set([...(first.linked?.sources ?? []), ...rest.flatMap((p) => [p.file, ...(p.linked?.sources ?? [])])])],
      partObjects: [...new Set([...link.partObjects, ...parts.flatMap((p) => p.linked?.partObjects ?? [])])],
      by: link.by,
      outputNames: link.names,
    },
  };
}

/** A part object of a link (an intermediate `bpf/egress.o`), by its path. */
export function partObjectsOf(sources: readonly BpfObjectFacts[]): Set<string> {
  return new Set(sources.flatMap((s) => s.linked?.partObjects ?? []).map((p) => normalize(p)));
}
