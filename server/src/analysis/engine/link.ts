// Linking files into BPF objects: a source, the .bpf.o compiled from it, the skeleton generated
// from that, and the loaders that use the skeleton. Object names (bpftool's) tie them together;
// programs with the same name in two objects stay two programs.
import { basename, dirname } from 'node:path';
import type { BpfObjectFacts, FactOrigin, LoaderAction, LoaderFacts, SkeletonFacts } from '../facts';
import { lifecyclesOf, type ActionTarget } from './lifecycles';
import type { LoaderPath } from '../loader/paths';
import { actionSkeleton } from '../loader/lifecycleRecords';
import { outputsOf, sourceIsNewer, type BuiltOutput } from './buildStatus';

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
  sources: BpfObjectFacts[],
  objectFiles: BpfObjectFacts[],
  skeletons: SkeletonFacts[],
  loaders: LoaderFacts[],
): LinkedObject[] {
  const groups: LinkedObject[] = sources.map((s) => ({
    id: '',
    names: new Set(s.objectNames),
    source: s,
    objectFile: null,
    skeleton: null,
    loaders: [],
  }));
  const byName = (names: Iterable<string>): LinkedObject[] => {
    const wanted = new Set(names);
    return groups.filter((g) => [...g.names].some((n) => wanted.has(n)));
  };
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
  for (const l of loaders) linkLoader(l, groups);
  return groups;
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

/** Gives each lifecycle of a loader, and each action on its paths, to the object it concerns. */
function linkLoader(l: LoaderFacts, groups: LinkedObject[]): void {
  const linked = groups.filter((g) => l.skeletonTypes.some((t) => g.names.has(t)));
  if (!linked.length) return;
  // Two objects of the same name (two copies of a project): the one nearest the loader first.
  // The source the loader's build names for one of its objects is that object, however far it is (a symlinked lib/).
  const named = new Set(Object.values(l.objectSources ?? {}));
  const near = (g: LinkedObject): number => {
    if (g.source && named.has(g.source.file)) return Number.MAX_SAFE_INTEGER;
    const a = dirname(l.file).split('/');
    const b = dirname(g.source?.file ?? g.skeleton?.file ?? g.objectFile?.file ?? '').split('/');
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  };
  linked.sort((x, y) => near(y) - near(x));
  const targetOf: ActionTarget<LinkedObject> = (a) => {
    const skel = actionSkeleton(a);
    let target = skel ? linked.find((g) => g.names.has(skel)) : undefined;
    if (!target && linked.length === 1) target = linked[0];
    if (!target) {
      const name = actionMemberName(a);
      target = name ? linked.find((g) => memberNames(g).has(name)) : undefined;
    }
    return target;
  };
  for (const g of linked) g.loaders.push(...lifecyclesOf(l, g, targetOf));
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
