// Linking files into BPF objects: a source, the .bpf.o compiled from it, the skeleton generated
// from that, and the loaders that use the skeleton. Object names (bpftool's) tie them together;
// programs with the same name in two objects stay two programs. A loader's links follow its own
// facts and the objects it names: while those are the same (an edit elsewhere, a keystroke in
// another loader), its lifecycles are kept from the last linking (loaderLinks), not made again.
import { basename, dirname } from 'node:path';
import type { BpfObjectFacts, FactOrigin, LoaderAction, LoaderFacts, SkeletonFacts } from '../facts';
import { lifecyclesOf, type ActionTarget } from './lifecycles';
import type { LoaderPath } from '../loader/paths';
import { actionSkeleton } from '../loader/lifecycleRecords';
import { outputsOf, sourceIsNewer, type BuiltOutput } from './buildStatus';
import { linkedByObjects } from './linkEvidence';

export interface LinkedObject {
  id: string;
  names: Set<string>;
  source: BpfObjectFacts | null;
  objectFile: BpfObjectFacts | null;
  skeleton: SkeletonFacts | null;
  /** One entry per lifecycle of each loader (a loader that opens the skeleton once has one). */
  loaders: LinkedLoader[];
}

export interface LinkedLoader {
  facts: LoaderFacts;
  /** Every call of the lifecycle, on any path (source order). */
  actions: LoaderAction[];
  /** The distinct ways through the lifecycle; each is replayed. */
  paths: LoaderPath[];
  /** More paths than the reader keeps: some branches were read in sequence. */
  truncated: boolean;
  /** Which lifecycle of the loader, when it opens the skeleton more than once. */
  lifecycle?: { index: number; label: string };
  /** Where the lifecycle is: `in test_hotplug()`. */
  where?: string;
}

function overlap(a: BpfObjectFacts | null | undefined, b: BpfObjectFacts | null | undefined): number {
  if (!a || !b) return 0;
  const names = new Set(a.programs.map((p) => p.name));
  return b.programs.filter((p) => names.has(p.name)).length + (a.structOpsMaps.length && b.structOpsMaps.length ? 1 : 0);
}

/**
 * How strongly a built object belongs to a source: the source file its BTF line info names (the
 * compiler recorded it), then directory names the two paths share from the end (`build/x/main.o`
 * and `src/x/main.bpf.c` share `x`), then the programs they have in common.
 */
function affinity(source: BpfObjectFacts | null, built: BpfObjectFacts | null | undefined): number {
  if (!source || !built) return 0;
  const hints = new Set(built.programs.map((p) => p.sourceHint?.file?.replace(/^(\.\/)+/, '')).filter((f): f is string => !!f));
  let score = overlap(source, built);
  if ([...hints].some((h) => h === source.file || (!h.startsWith('/') && source.file.endsWith(`/${h}`)))) score += 1000;
  const a = dirname(source.file).split('/').reverse();
  const b = dirname(built.file).split('/').reverse();
  let shared = 0;
  while (shared < a.length && shared < b.length && a[shared] === b[shared]) shared++;
  if (shared === 0) {
    // Parallel trees: src/x/.. and build/x/..: compare the nearest directory names.
    for (let i = 0; i < Math.min(3, a.length); i++) if (b.slice(0, 3).includes(a[i] as string)) shared += 0.5;
  }
  return score + shared * 20;
}

/** Two skeletons of one object: the same names, programs and maps, and the same embedded programs and slots. */
function sameSkeleton(a: SkeletonFacts, b: SkeletonFacts): boolean {
  const shape = (s: SkeletonFacts): string =>
    JSON.stringify([
      s.objectName,
      s.programs,
      s.maps,
      s.links,
      s.structOpsShadows,
      s.embedded?.programs.map((p) => [p.name, p.section]) ?? null,
      s.embedded?.structOpsMaps.map((m) => [m.name, m.slots.map((x) => [x.member, x.program])]) ?? null,
    ]);
  return shape(a) === shape(b);
}

function stem(file: string): string {
  return basename(file).replace(/\.(bpf\.)?(c|o)$/, '').replace(/\.skel\.h$/, '');
}

const usable = (f: BpfObjectFacts | null | undefined): f is BpfObjectFacts => !!f && !f.problems.some((p) => p.rule === 'malformed-object');

/**
 * What libbpf will load, as far as the workspace shows: the skeleton's embedded object, else the
 * .bpf.o, else the source. A build output the sources are newer than (saved after it was built, as
 * `make` would see it, or being edited) and disagree with is the last build: then the sources are
 * followed, and what the build said is shown as the last build (buildStatus.ts).
 */
export function truthOf(o: LinkedObject): { facts: BpfObjectFacts; origin: FactOrigin } | null {
  const src = o.source;
  const outputs = outputsOf(o);
  const current = (kind: BuiltOutput['kind']): BuiltOutput | undefined => outputs.find((b) => b.kind === kind && !sourceIsNewer(o, b));
  const skeleton = current('skeleton');
  if (skeleton) return { facts: skeleton.facts, origin: 'skeleton' };
  const object = current('object');
  if (object) return { facts: object.facts, origin: 'object' };
  if (src) return { facts: src, origin: 'source' };
  if (usable(o.skeleton?.embedded)) return { facts: o.skeleton.embedded, origin: 'skeleton' };
  if (usable(o.objectFile)) return { facts: o.objectFile, origin: 'object' };
  return null;
}

export function linkObjects(
  ownSources: BpfObjectFacts[],
  allObjectFiles: BpfObjectFacts[],
  skeletons: SkeletonFacts[],
  loaders: LoaderFacts[],
): LinkedObject[] {
  // Sources linked into one object (by the build's files, or as a built object shows), and the
  // parts' own objects, which are only compiled to be linked (linkEvidence.ts).
  const { sources, partObjects } = linkedByObjects(ownSources, allObjectFiles, skeletons);
  const objectFiles = partObjects.size ? allObjectFiles.filter((o) => !partObjects.has(o.file)) : allObjectFiles;
  const groups: LinkedObject[] = sources.map((s) => ({
    id: '',
    names: new Set(s.objectNames),
    source: s,
    objectFile: null,
    skeleton: null,
    loaders: [],
  }));
  let index = namesIndex(groups);
  const byName = (names: Iterable<string>): LinkedObject[] => objectsNamed(index, names);
  // Pair built outputs with sources best-first over all candidates, not file by file: every
  // scheduler's `main.bpf.o` finds its own `main.bpf.c`.
  const pairs: { o: BpfObjectFacts; g: LinkedObject; score: number }[] = [];
  for (const o of objectFiles) {
    for (const g of byName(o.objectNames)) pairs.push({ o, g, score: affinity(g.source, o) + (stem(g.source?.file ?? '') === stem(o.file) ? 5 : 0) });
  }
  pairs.sort((a, b) => b.score - a.score);
  const placed = new Set<BpfObjectFacts>();
  for (const { o, g } of pairs) {
    if (placed.has(o) || g.objectFile) continue;
    g.objectFile = o;
    for (const n of o.objectNames) g.names.add(n);
    placed.add(o);
  }
  for (const o of objectFiles) {
    if (!placed.has(o)) groups.push({ id: '', names: new Set(o.objectNames), source: null, objectFile: o, skeleton: null, loaders: [] });
  }
  // (The objects' names now include their built objects'.)
  index = namesIndex(groups);
  const skelPairs: { s: SkeletonFacts; g: LinkedObject; score: number }[] = [];
  for (const sk of skeletons) {
    for (const g of byName([sk.objectName])) {
      const built = sk.embedded ? { ...sk.embedded, file: sk.file } : null;
      skelPairs.push({ s: sk, g, score: affinity(g.source ?? g.objectFile, built) + (g.objectFile && dirname(g.objectFile.file) === dirname(sk.file) ? 50 : 0) });
    }
  }
  skelPairs.sort((a, b) => b.score - a.score);
  const skelPlaced = new Set<SkeletonFacts>();
  for (const { s: sk, g } of skelPairs) {
    if (skelPlaced.has(sk) || g.skeleton) continue;
    g.skeleton = sk;
    g.names.add(sk.objectName);
    skelPlaced.add(sk);
  }
  for (const sk of skeletons) {
    // A copy of a placed skeleton (qemu's make copies tools/ebpf/rss.bpf.skeleton.h into ebpf/, beside its loader) is that object.
    if (!skelPlaced.has(sk) && !groups.some((g) => g.skeleton && sameSkeleton(g.skeleton, sk))) groups.push({ id: '', names: new Set([sk.objectName]), source: null, objectFile: null, skeleton: sk, loaders: [] });
  }
  assignIds(groups);
  index = namesIndex(groups);
  for (const l of loaders) {
    const linked = objectsNamed(index, l.skeletonTypes);
    if (!linked.length) continue;
    let kept = loaderLinks.get(l);
    if (!kept || !sameObjects(kept.refs, linked)) loaderLinks.set(l, (kept = { refs: linked.flatMap((g) => [g.source, g.objectFile, g.skeleton]), lifecycles: linkLoader(l, linked) }));
    kept.lifecycles.forEach((lifecycles, i) => (linked[i] as LinkedObject).loaders.push(...lifecycles));
  }
  return groups;
}

/**
 * A loader's lifecycles as last linked, one list per object it names (in the order of `refs`),
 * with what they were linked from: each object's source, built object and skeleton (facts kept by
 * identity while their files are the same). An object's names, the files it is made of and what
 * libbpf loads of it (truthOf) all follow from those three, and the loader's lifecycles from its
 * own facts and those objects: the same inputs give the same links.
 */
const loaderLinks = new WeakMap<LoaderFacts, { refs: unknown[]; lifecycles: LinkedLoader[][] }>();

/** The objects are made of the same files' facts as `refs` were (three per object, in order). */
function sameObjects(refs: readonly unknown[], linked: readonly LinkedObject[]): boolean {
  if (refs.length !== linked.length * 3) return false;
  for (let i = 0; i < linked.length; i++) {
    const g = linked[i] as LinkedObject;
    if (refs[3 * i] !== g.source || refs[3 * i + 1] !== g.objectFile || refs[3 * i + 2] !== g.skeleton) return false;
  }
  return true;
}

/** The objects by each of their names (positions in `groups`), for lookups by name. */
interface NamesIndex {
  groups: readonly LinkedObject[];
  at: Map<string, number[]>;
}

function namesIndex(groups: readonly LinkedObject[]): NamesIndex {
  const at = new Map<string, number[]>();
  groups.forEach((g, i) => {
    for (const n of g.names) {
      const list = at.get(n);
      if (!list) at.set(n, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  return { groups, at };
}

/** The objects having any of the names, in the objects' order (as filtering them all would give). */
function objectsNamed(index: NamesIndex, names: Iterable<string>): LinkedObject[] {
  const found = new Set<number>();
  for (const n of names) for (const i of index.at.get(n) ?? []) found.add(i);
  return [...found].sort((a, b) => a - b).map((i) => index.groups[i] as LinkedObject);
}

function assignIds(groups: LinkedObject[]): void {
  const primary = (g: LinkedObject): string => {
    if (g.skeleton) return g.skeleton.objectName;
    const facts = g.source ?? g.objectFile;
    return facts?.objectNames[1] ?? facts?.objectNames[0] ?? 'object';
  };
  const counts = new Map<string, number>();
  for (const g of groups) counts.set(primary(g), (counts.get(primary(g)) ?? 0) + 1);
  for (const g of groups) {
    const p = primary(g);
    const file = g.source?.file ?? g.objectFile?.file ?? g.skeleton?.file ?? '';
    g.id = (counts.get(p) ?? 0) > 1 ? `${p}@${basename(dirname(file))}` : p;
  }
  // Still ambiguous (same name, same directory name): number them.
  const seen = new Map<string, number>();
  for (const g of groups) {
    const n = seen.get(g.id) ?? 0;
    seen.set(g.id, n + 1);
    if (n > 0) g.id = `${g.id}#${n + 1}`;
  }
}

function memberNames(g: LinkedObject): Set<string> {
  const t = truthOf(g)?.facts;
  const s = g.source;
  const names = new Set<string>();
  for (const f of [t, s]) {
    for (const p of f?.programs ?? []) names.add(p.name);
    for (const m of f?.structOpsMaps ?? []) names.add(m.name);
    for (const m of f?.otherMaps ?? []) names.add(m);
  }
  return names;
}

/**
 * The lifecycles of a loader for each object it names (`linked`, in that order): each lifecycle,
 * and each action on its paths, given to the object it concerns.
 */
function linkLoader(l: LoaderFacts, linked: readonly LinkedObject[]): LinkedLoader[][] {
  // Two objects of the same name (two copies of a project): the one nearest the loader first.
  // The source the loader's build names for one of its objects is that object, however far it is (a symlinked lib/).
  const named = new Set(Object.values(l.objectSources ?? {}));
  const from = dirname(l.file).split('/');
  const near = new Map<LinkedObject, number>();
  for (const g of linked) {
    if (g.source && named.has(g.source.file)) {
      near.set(g, Number.MAX_SAFE_INTEGER);
      continue;
    }
    const to = dirname(g.source?.file ?? g.skeleton?.file ?? g.objectFile?.file ?? '').split('/');
    let n = 0;
    while (n < from.length && n < to.length && from[n] === to[n]) n++;
    near.set(g, n);
  }
  const nearest = [...linked].sort((x, y) => (near.get(y) ?? 0) - (near.get(x) ?? 0));
  const members = new Map<LinkedObject, Set<string>>();
  const membersOf = (g: LinkedObject): Set<string> => {
    let names = members.get(g);
    if (!names) members.set(g, (names = memberNames(g)));
    return names;
  };
  // Each action's object, worked out once for all the objects' lifecycles (a linked skeleton's 21 sources ask 21 times).
  const targets = new Map<LoaderAction, LinkedObject | undefined>();
  const targetOf: ActionTarget<LinkedObject> = (a) => {
    if (targets.has(a)) return targets.get(a);
    const target = findTarget(a);
    targets.set(a, target);
    return target;
  };
  const findTarget = (a: LoaderAction): LinkedObject | undefined => {
    const skel = actionSkeleton(a);
    let target = skel ? nearest.find((g) => g.names.has(skel)) : undefined;
    if (!target && nearest.length === 1) target = nearest[0];
    if (!target) {
      const name = actionMemberName(a);
      target = name ? nearest.find((g) => membersOf(g).has(name)) : undefined;
    }
    return target;
  };
  return linked.map((g) => lifecyclesOf(l, g, targetOf));
}

function actionMemberName(a: LoaderAction): string | null {
  switch (a.kind) {
    case 'assoc':
      return a.program?.name ?? a.map?.name ?? null;
    case 'set_autoload':
      return a.program.name;
    case 'set_autocreate':
    case 'set_autoattach':
    case 'attach_struct_ops':
    case 'slot_assign':
    case 'data_assign':
      return a.map.name;
    default:
      return null;
  }
}
