// One tree measured: compiled, its truth read, analysed from sources alone and with its objects,
// compared, and its findings classified.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyse, type Model } from './analysis';
import { compare, type Comparison, type TruthObject } from './compare';
import { compileTree, inputsHash, type CompiledObject } from './compile';
import { explain } from './explain';
import { libbpfRefusesUnreferenced } from './libbpf';
import { classify, type ClassifiedFinding, type Review } from './findings';
import { JOBS, pool } from './proc';
import { cacheRoot, type Compiler } from './toolchain';
import type { Tree } from './trees';
import { cachedTruth } from './truth';

export interface RunFigures {
  comparison: Comparison | null;
  failure: string | null;
  seconds: number;
  /** Why each file with differences differs (explain.ts). */
  reasons: Record<string, string>;
}

export interface TreeResult {
  name: string;
  unavailable?: string;
  flagsFrom: string;
  compile: { sources: number; compiled: number; byCompiler: Record<string, number>; failures: { source: string; reason: string }[]; rebuilt: number; seconds: number };
  sourcesOnly: RunFigures;
  withObjects: RunFigures;
  /** Every finding of the sources-only run. */
  findings: ClassifiedFinding[];
  /** stale-object and stale-skeleton findings of the run with the objects. */
  stale: ClassifiedFinding[];
}

export interface Context {
  linux: string;
  include: string;
  compilers: Compiler[];
  hostHeaders: string;
  reviews: Map<string, Review>;
  /** realcode/disagreements.txt: `tree | file` -> reason. */
  reasons: Map<string, string>;
  log: (s: string) => void;
}

function figures(run: { model: Model | null; failure: string | null; seconds: number }, objects: TruthObject[]): RunFigures {
  return { comparison: run.model ? compare(run.model, objects) : null, failure: run.failure, seconds: run.seconds, reasons: {} };
}

const truthLookup = (model: Model, objects: TruthObject[]) => {
  const byFile = new Map(objects.map((o) => [o.file, o.truth]));
  return (id: string) => byFile.get(model.objects.find((o) => o.id === id)?.sources[0] ?? '') ?? null;
};

export async function measureTree(tree: Tree, ctx: Context): Promise<TreeResult> {
  const { linux, log } = ctx;
  const t0 = Date.now();
  const inputs = ctx.hostHeaders + inputsHash([tree.root, join(linux, 'tools/include'), join(linux, 'tools/lib/bpf'), ctx.include, join(linux, 'tools/sched_ext/include')]);
  const compiled = await compileTree(tree, ctx.include, ctx.compilers, inputs, log);
  const byCompiler: Record<string, number> = {};
  for (const c of compiled) if (c.compiler) byCompiler[c.compiler] = (byCompiler[c.compiler] ?? 0) + 1;
  const compile = {
    sources: compiled.length,
    compiled: compiled.filter((c) => c.path).length,
    byCompiler,
    failures: compiled.filter((c) => c.failure).map((c) => ({ source: relative(linux, join(tree.root, c.source)), reason: c.failure as string })),
    rebuilt: compiled.filter((c) => !c.cached).length,
    seconds: (Date.now() - t0) / 1000,
  };
  const precompiled = compiled.filter((c) => c.precompiled).length;
  log(`  ${tree.name}: ${compile.compiled}/${compile.sources} objects (${compile.rebuilt} compiled now${precompiled ? `, ${precompiled} of them with the precompiled vmlinux.h` : ''}, ${compile.seconds.toFixed(0)} s)`);

  const built = compiled.filter((c) => c.path);
  const objects: TruthObject[] = await pool(built, JOBS, async (c) => ({ file: relative(linux, join(tree.root, c.source)), truth: await cachedTruth(c.path as string) }));
  const paths = tree.analysisPaths.map((p) => relative(linux, p));
  mkdirSync(join(cacheRoot(), 'runs'), { recursive: true });
  const scratch = join(cacheRoot(), 'runs', tree.name);
  const alone = await analyse(linux, paths, `${scratch}.sources`);
  log(`  ${tree.name}: analysed from sources alone in ${alone.seconds.toFixed(1)} s${alone.failure ? ` (${alone.failure})` : ''}`);
  const withObjects = await analyse(linux, [...paths, join(cacheRoot(), 'objects', tree.name)], `${scratch}.objects`);
  log(`  ${tree.name}: analysed with its objects in ${withObjects.seconds.toFixed(1)} s${withObjects.failure ? ` (${withObjects.failure})` : ''}`);

  const sourcesOnly = figures(alone, objects);
  const objectsToo = figures(withObjects, objects);
  const why = { linux, include: ctx.include, compilers: ctx.compilers, inputs, reasons: ctx.reasons, log };
  if (alone.model && sourcesOnly.comparison) sourcesOnly.reasons = await explain(tree, alone.model, sourcesOnly.comparison, compiled, why);
  if (withObjects.model && objectsToo.comparison) objectsToo.reasons = await explain(tree, withObjects.model, objectsToo.comparison, compiled, why);
  const lost = (file: string): number =>
    (['programs', 'maps', 'slots'] as const).reduce((n, w) => n + (sourcesOnly.comparison?.[w].differences.filter((d) => d.startsWith(`+${file}:`) || d.startsWith(`-${file}:`)).length ?? 0), 0);
  const findings = alone.model ? classify(tree.name, alone.model, truthLookup(alone.model, objects), ctx.reviews, lost) : [];
  await confirmWithLibbpf(findings, alone.model, compiled, tree, linux);
  const stale = withObjects.model
    ? classify(tree.name, { ...withObjects.model, findings: withObjects.model.findings.filter((f) => f.ruleId.startsWith('stale-')) }, truthLookup(withObjects.model, objects), ctx.reviews, lost)
    : [];
  // A stale-object finding on a fresh object means the source model is wrong there: say where.
  for (const f of stale) {
    // stale-object/stale-skeleton stand on the source (before: on the object).
    const source = withObjects.model?.objects.find((o) => o.sources.includes(f.file) || o.objectFiles.includes(f.file))?.sources[0];
    const why = source ? (sourcesOnly.reasons[source] ?? objectsToo.reasons[source]) : undefined;
    if (source) f.reason += `; bpf-assoc's model of ${source} is what differs${why ? `: ${why}` : ''}`;
  }
  return { name: tree.name, flagsFrom: tree.flagsFrom, compile, sourcesOnly, withObjects: objectsToo, findings, stale };
}

/** An unreferenced-struct-ops-program the object says libbpf refuses: ask libbpf on this host. */
async function confirmWithLibbpf(findings: ClassifiedFinding[], model: Model | null, compiled: CompiledObject[], tree: Tree, linux: string): Promise<void> {
  for (const f of findings.filter((x) => x.rule === 'unreferenced-struct-ops-program' && x.by === 'rule' && x.verdict === 'true')) {
    const source = model?.objects.find((o) => o.sources[0] === f.file || model.programs.some((p) => p.object === o.id && p.file === f.file && p.name === f.program))?.sources[0];
    const object = compiled.find((c) => c.path && relative(linux, join(tree.root, c.source)) === source)?.path;
    if (!object) continue;
    const answer = await libbpfRefusesUnreferenced(object, f.program);
    if (answer.refused === false) Object.assign(f, { verdict: 'false', reason: `libbpf on this host loaded it: ${answer.said}` });
    else f.reason += answer.refused ? `; libbpf on this host agrees: "${answer.said}"` : `; libbpf on this host stops earlier: ${answer.said}`;
  }
}

export function unavailableTree(name: string, reason: string): TreeResult {
  const none: RunFigures = { comparison: null, failure: reason, seconds: 0, reasons: {} };
  return { name, unavailable: reason, flagsFrom: '', compile: { sources: 0, compiled: 0, byCompiler: {}, failures: [], rebuilt: 0, seconds: 0 }, sourcesOnly: none, withObjects: none, findings: [], stale: [] };
}
