// Facts of every file -> the workspace model.
import type { BpfObjectFacts, KfuncCall, KfuncDeclFact, LoaderFacts, Location, ProgramFact, ReadProblem, SkeletonFacts, StructOpsMapFact } from '../facts';
import { essentialTypeName } from '../sections';
import type { Finding, ModelMap, ModelObject, ModelProgram, WorkspaceModel } from '../model';
import { BUILTIN_ASSOC_KFUNCS, kfuncFamily, lookupKfunc, takesAuxForOtherPurposes, type DependentKfunc } from '../kfuncs';
import { linkObjects, truthOf, type LinkedObject } from './link';
import type { ObjectView } from './scenario';
import { replayLoader, type ReplayOutcome } from './pathReplay';
import { headlineOf } from './headline';
import { kfuncsKey, replaysOf } from './replayMemo';
import { buildFindings, buildOf } from './buildStatus';
import { finding, ofObject } from './findingText';
import { leftOutBySkeleton } from '../loader/buildConditions';

export interface WorkspaceFacts {
  sources: BpfObjectFacts[];
  objectFiles: BpfObjectFacts[];
  skeletons: SkeletonFacts[];
  loaders: LoaderFacts[];
  /** kfunc declarations found in headers (vmlinux.h and the project's own). */
  headerKfuncs: KfuncDeclFact[];
  /** Problems of files that produced no facts (binary .c, unreadable files). */
  problems: ReadProblem[];
  headers: number;
}

export interface ModelOptions {
  /** Extra association-dependent kfuncs (setting `bpfAssoc.kfuncs`). */
  extraKfuncs?: string[];
  /**
   * The build's -D/-U for BPF sources (setting `bpfAssoc.defines`, `--define`): `NAME`,
   * `NAME=VALUE`, `-DNAME[=VALUE]`, `-UNAME`. Used where the workspace's compile_commands.json or
   * Makefile says nothing (read by the workspace, not by the model builder).
   */
  defines?: string[];
}

function dependentKfuncs(facts: WorkspaceFacts, options: ModelOptions): Map<string, DependentKfunc> {
  const out = new Map<string, DependentKfunc>();
  for (const [name, k] of Object.entries(BUILTIN_ASSOC_KFUNCS)) out.set(name, { reason: `built-in list: ${k.reason}`, family: k.family });
  const decls = [
    ...facts.headerKfuncs,
    ...facts.sources.flatMap((s) => s.kfuncDecls),
    ...facts.objectFiles.flatMap((o) => o.kfuncDecls),
    ...facts.skeletons.flatMap((s) => s.embedded?.kfuncDecls ?? []),
  ];
  // A declaration taking the aux says "dependent", unless the kfunc is known to use it otherwise.
  for (const d of decls) {
    if (!out.has(d.name) && !takesAuxForOtherPurposes(d.name)) out.set(d.name, { reason: d.reason, location: d.location, family: kfuncFamily(d.name) });
  }
  for (const name of options.extraKfuncs ?? []) if (!out.has(name)) out.set(name, { reason: 'listed in the bpfAssoc.kfuncs setting', family: kfuncFamily(name) });
  return out;
}

/** Items by name, the first of each name winning (as `find` would), for lookups in a loop. */
function byName<T extends { name: string }>(items: readonly T[] | undefined): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items ?? []) if (!out.has(item.name)) out.set(item.name, item);
  return out;
}

function viewOf(o: LinkedObject, truth: BpfObjectFacts, foreign?: ObjectView['foreignStructOpsMap']): ObjectView & { sourceProgram(name: string): ProgramFact | undefined } {
  const src = o.source;
  const srcPrograms = byName(src?.programs);
  const srcMaps = byName(src?.structOpsMaps);
  // The source is what libbpf loads (no object, no skeleton): its lookups serve for both.
  const truthPrograms = truth === src ? srcPrograms : byName(truth.programs);
  const truthMaps = truth === src ? srcMaps : byName(truth.structOpsMaps);
  const program = (name: string): Location | undefined => srcPrograms.get(name)?.location;
  const map = (name: string): Location | undefined => srcMaps.get(name)?.location;
  const view: ObjectView & { sourceProgram(name: string): ProgramFact | undefined } = {
    id: o.id,
    truth,
    programLocation: (name) => program(name) ?? truthPrograms.get(name)?.location ?? { file: truth.file, range: zero },
    mapLocation: (name) => map(name) ?? truthMaps.get(name)?.location ?? { file: truth.file, range: zero },
    slotLocation: (mapName, member) =>
      slotOf(srcMaps.get(mapName), member) ??
      map(mapName) ??
      slotOf(truthMaps.get(mapName), member) ??
      { file: truth.file, range: zero },
    kfuncCalls: (name) =>
      kfuncCallsOf(srcPrograms.get(name)?.kfuncCalls, truth !== src ? truthPrograms.get(name)?.kfuncCalls : undefined, program(name)),
    sourceProgram: (name) => srcPrograms.get(name),
  };
  if (foreign) view.foreignStructOpsMap = foreign;
  return view;
}

/** Where a map's slot `member` is written (the first slot of that member). */
function slotOf(m: StructOpsMapFact | undefined, member: string): Location | undefined {
  if (!m) return undefined;
  for (const s of m.slots) if (s.member === member) return s.location;
  return undefined;
}

const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The struct_ops map `name` of the other object a loader knows as skeleton `skeleton`. */
function foreignStructOpsMap(o: LinkedObject, all: LinkedObject[], skeleton: string, name: string): { object: string; map: StructOpsMapFact } | undefined {
  if (o.names.has(skeleton)) return undefined;
  const other = all.find((g) => g !== o && g.names.has(skeleton));
  const facts = other ? truthOf(other)?.facts : undefined;
  const map = facts?.structOpsMaps.find((m) => m.name === name);
  return other && map ? { object: other.id, map } : undefined;
}

/**
 * A program's kfunc calls: those the source shows (with their places), and those only the compiled
 * object shows — made through macros or inline wrappers from headers (`scx_bpf_error()` calls
 * `scx_bpf_error_bstr`) — placed at the program.
 */
function kfuncCallsOf(fromSource: KfuncCall[] | undefined, compiled: KfuncCall[] | undefined, at: Location | undefined): KfuncCall[] {
  if (!fromSource) return compiled ?? [];
  if (!compiled) return fromSource;
  const seen = new Set(fromSource.map((c) => essentialTypeName(c.name)));
  const extra = compiled
    .filter((c) => !seen.has(essentialTypeName(c.name)))
    .map((c) => ({ name: c.name, location: at ?? c.location, via: c.via ?? 'a macro or inline function (seen in the compiled object)' }));
  return [...fromSource, ...extra];
}

function problemFindings(problems: ReadProblem[]): Finding[] {
  return problems.map((p) => finding(p.rule, p.location, p.message, []));
}

export function buildModel(facts: WorkspaceFacts, options: ModelOptions = {}): WorkspaceModel {
  const kfuncs = dependentKfuncs(facts, options);
  const linked = linkObjects(facts.sources, facts.objectFiles, facts.skeletons, facts.loaders);
  const model: WorkspaceModel = {
    version: 1,
    objects: [],
    programs: [],
    maps: [],
    associationCalls: [],
    findings: problemFindings(facts.problems),
    kfuncs: [...kfuncs].map(([name, v]) => ({ name, reason: v.reason, ...(v.location ? { location: v.location } : {}) })),
    stats: {
      files: facts.sources.length + facts.objectFiles.length + facts.skeletons.length + facts.loaders.length + facts.headers,
      sources: facts.sources.length,
      loaders: facts.loaders.length,
      skeletons: facts.skeletons.length,
      objectFiles: facts.objectFiles.length,
      headers: facts.headers,
    },
  };
  for (const f of [...facts.sources, ...facts.objectFiles]) model.findings.push(...problemFindings(f.problems));
  for (const s of facts.skeletons) model.findings.push(...problemFindings([...s.problems, ...(s.embedded?.problems ?? [])]));
  for (const l of facts.loaders) model.findings.push(...problemFindings(l.problems));
  const key = kfuncsKey(kfuncs);
  const leftOut = leftOutBySkeleton(facts.loaders);
  for (const o of linked) addObject(model, o, kfuncs, key, linked, leftOut);
  model.findings = dedupe(model.findings);
  return model;
}

function addObject(model: WorkspaceModel, o: LinkedObject, dependent: Map<string, DependentKfunc>, kfuncKey: string, all: LinkedObject[], leftOut: ReturnType<typeof leftOutBySkeleton>): void {
  const truth = truthOf(o);
  if (!truth) return;
  const loaders = [...o.loaders].sort((a, b) => a.facts.file.localeCompare(b.facts.file));
  // With no loader: loaders whose build leaves out the code that opens this object (a stub compiled instead).
  const unloadedBy = loaders.length ? [] : [...o.names].flatMap((n) => leftOut.get(n) ?? []);
  const dependentKey = unloadedBy.length ? `${kfuncKey}|${unloadedBy.map((u) => `${u.loader}:${u.location.range.start.line}:${u.directive}`).join('|')}` : kfuncKey;
  // The object's lookups, made once for its replays and its part of the model.
  let replayed: ReturnType<typeof viewOf> | undefined;
  const outcomes = replaysOf(o, truth.facts, loaders, dependentKey, (skeleton, name) => foreignStructOpsMap(o, all, skeleton, name), (foreign) => {
    const withForeign = (replayed = viewOf(o, truth.facts, foreign));
    if (unloadedBy.length) withForeign.unloadedBy = unloadedBy;
    return loaders.length ? loaders.map((l) => replayLoader(withForeign, l, dependent)) : [replayLoader(withForeign, null, dependent)];
  });
  // The object's part of the model as last built, while its replays and everything else it reads are the same.
  const refs: unknown[] = [o.id, o.source, o.objectFile, o.skeleton, truth.facts, truth.origin, dependentKey];
  const kept = objectParts.get(outcomes);
  if (kept && kept.refs.length === refs.length && kept.refs.every((r, i) => r === refs[i])) {
    addPart(model, kept.part);
    return;
  }
  const view = replayed ?? viewOf(o, truth.facts);
  const primary = outcomes[0] as ReplayOutcome;
  const obj: ModelObject = {
    id: o.id,
    sources: o.source ? [o.source.file, ...(o.source.linked?.sources ?? [])] : [],
    objectFiles: o.objectFile ? [o.objectFile.file] : [],
    skeletons: o.skeleton ? [o.skeleton.file] : [],
    loaders: [...new Set(loaders.map((l) => l.facts.file))],
    truth: truth.origin,
    scenarios: outcomes.map((s) => s.scenario),
    loadFails: primary.loadFails,
    build: buildOf(o),
  };
  const part: ObjectPart = { object: obj, programs: [], maps: [], calls: [], findings: [] };
  const seen = new Set<string>();
  for (const p of truth.facts.programs) {
    const state = headlineOf(outcomes, p.name);
    if (!state || seen.has(p.name)) continue;
    seen.add(p.name);
    const srcFact = view.sourceProgram(p.name) ?? p;
    // Every field present: one layout for every program of the model.
    const paths = state.decided.byPath;
    const prog: ModelProgram = {
      id: `${o.id}/${p.name}`,
      object: o.id,
      name: p.name,
      section: p.section,
      kind: p.kind,
      sleepable: p.sleepable,
      autoload: state.autoload,
      location: view.programLocation(p.name),
      association: state.association,
      byScenario: outcomes.length > 1 ? outcomes.map((s) => ({ scenario: s.scenario, association: s.programs.get(p.name)?.association ?? { state: 'none', reason: '' } })) : [],
      // The loader, lifecycle and path condition behind the state, then the calls.
      decidedBy: state.decided.decidedBy,
      byPath: paths?.length ? paths : undefined,
      kfuncCalls: dependentCalls(view.kfuncCalls(p.name), dependent),
      callbacks: srcFact.callbacks,
    };
    part.programs.push(prog);
  }
  for (const m of truth.facts.structOpsMaps) {
    const state = primary.maps.get(m.name);
    if (!state) continue;
    const map: ModelMap = {
      id: `${o.id}/${m.name}`,
      object: o.id,
      name: m.name,
      structType: m.structType,
      kernelType: m.kernelType,
      section: m.section,
      link: m.link,
      autocreate: state.autocreate,
      attached: outcomes.some((s) => s.maps.get(m.name)?.attached),
      location: view.mapLocation(m.name),
      slots: state.slots,
    };
    part.maps.push(map);
  }
  for (const s of outcomes) {
    for (const c of s.calls) part.calls.push(c);
    for (const f of s.findings) part.findings.push(ofObject(f, o.id));
  }
  const followed = truth.origin === 'source' ? 'source' : 'built';
  for (const f of buildFindings(o, followed)) part.findings.push(ofObject(f, o.id));
  objectParts.set(outcomes, { refs, part });
  addPart(model, part);
}

/** One object's share of the model: kept by its replays (the same array while nothing they read changed). */
interface ObjectPart {
  object: ModelObject;
  programs: ModelProgram[];
  maps: ModelMap[];
  calls: WorkspaceModel['associationCalls'];
  findings: Finding[];
}

const objectParts = new WeakMap<ReplayOutcome[], { refs: unknown[]; part: ObjectPart }>();

function addPart(model: WorkspaceModel, part: ObjectPart): void {
  model.objects.push(part.object);
  for (const p of part.programs) model.programs.push(p);
  for (const m of part.maps) model.maps.push(m);
  for (const c of part.calls) model.associationCalls.push(c);
  for (const f of part.findings) model.findings.push(f);
}

/** A program's calls of association-dependent kfuncs, each with the reason it depends (one lookup per call). */
function dependentCalls(calls: KfuncCall[], dependent: Map<string, DependentKfunc>): ModelProgram['kfuncCalls'] {
  const out: ModelProgram['kfuncCalls'] = [];
  for (const c of calls) {
    const dep = lookupKfunc(dependent, c.name);
    if (dep) out.push({ ...c, dependsOnAssociation: dep.reason ?? '' });
  }
  return out;
}


/**
 * The findings, each rule, place and message once (the first kept): looked up by file and line,
 * then compared (a message is read only against findings at the same place).
 */
function dedupe(findings: Finding[]): Finding[] {
  const byFile = new Map<string, Map<number, Finding[]>>();
  // A line with many findings (20,000 kfunc findings of a fuzzed object at one place: quadratic,
  // 48 s of CPU) is looked up by message too.
  const crowded = new Map<Finding[], Map<string, Finding[]>>();
  const add = (byMessage: Map<string, Finding[]>, g: Finding): void => {
    const list = byMessage.get(g.message);
    if (list) list.push(g);
    else byMessage.set(g.message, [g]);
  };
  const out: Finding[] = [];
  for (const f of findings) {
    let lines = byFile.get(f.location.file);
    if (!lines) byFile.set(f.location.file, (lines = new Map()));
    const line = f.location.range.start.line;
    const same = lines.get(line);
    if (!same) lines.set(line, [f]);
    else {
      let byMessage = crowded.get(same);
      if (!byMessage && same.length >= CROWDED_LINE) {
        byMessage = new Map();
        for (const g of same) add(byMessage, g);
        crowded.set(same, byMessage);
      }
      if ((byMessage ? (byMessage.get(f.message) ?? []) : same).some((g) => sameFinding(g, f))) continue;
      same.push(f);
      if (byMessage) add(byMessage, f);
    }
    out.push(f);
  }
  return out;
}

const CROWDED_LINE = 16;

/** Same rule, column and message (the file and line are the caller's). */
function sameFinding(a: Finding, b: Finding): boolean {
  return a.rule === b.rule && a.location.range.start.character === b.location.range.start.character && a.message === b.message;
}
