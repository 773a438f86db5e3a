// What a VM run does with one object, derived from the workspace model. Pure: model in, plan out.
//
// Associations come from the loader's calls (model.associationCalls, SCX_OPS_LOAD already
// expanded per program by the analysis) or, when asked, "associate every non-struct_ops program
// with map M" the way sched_ext's SCX_OPS_LOAD does. What the loader changes before load that
// bears on associations is replayed too: autoload, autocreate, and struct_ops slots re-pointed
// through the skeleton (skel->struct_ops.M->slot = P or NULL). Maps are attached when the scenario
// the run replays (its loader's first lifecycle) attaches them, and only on targets that allow it
// (run.ts decides). The object shipped is the one libbpf would load: the skeleton's embedded object
// when there is a skeleton, else the .bpf.o.
import type { Location } from '../../server/src/analysis/facts';
import type { AssociationStateName, Errno, ModelAssociationCall, ModelObject, WorkspaceModel } from '../../server/src/analysis/model';

export type AssocPhase = 'opened' | 'loaded' | 'attached';

export interface PlannedAssociation {
  /** Position in the plan: the agent reports results under the same index. */
  index: number;
  phase: AssocPhase;
  /** `libbpf`: bpf_program__assoc_struct_ops() (libbpf checks first); `syscall`: bpf_prog_assoc_struct_ops(). */
  api: 'libbpf' | 'syscall';
  program: string;
  map: string;
  flags: number;
  /** The call in the loader (or SCX_OPS_LOAD), or null when the plan made it up ("associate all"). */
  source: { api: string; loader: string | null; location: Location | null };
  /** What libbpf and a kernel with the command (Linux 7.0+) answer. */
  predicted: { result: 0 | Errno | 'unknown'; reason: string };
}

export interface PlannedProgram {
  name: string;
  kind: 'struct_ops' | 'other';
  autoload: boolean;
  predicted: AssociationStateName;
  maps: string[];
  location: Location;
  /** The loader's condition for `predicted` when its paths disagree (the model's decidedBy.when). */
  when?: string;
  /** The states the loader's other paths give (the model's byPath): a run takes one path. */
  paths?: { when: string; predicted: AssociationStateName; maps: string[] }[];
}

/** A slot the loader re-points before load: `skel->struct_ops.MAP->MEMBER = skel->progs.PROGRAM` (or NULL). */
export interface PlannedSlot {
  map: string;
  member: string;
  program: string | null;
  location: Location;
}

export interface VmPlan {
  object: string;
  /** The file to ship: a .bpf.o as is, or a skeleton whose embedded object is extracted. */
  shipped: { kind: 'object' | 'skeleton'; path: string; remoteName: string };
  loader: string | null;
  /** The analysis predicts that libbpf refuses to load the object. */
  loadFails: boolean;
  mode: 'loader' | 'associate-all' | 'none';
  autoload: { program: string; value: boolean }[];
  autocreate: { map: string; value: boolean }[];
  /** Slots re-pointed before load, in the model's map order. */
  slots: PlannedSlot[];
  associations: PlannedAssociation[];
  /**
   * The loader's calls in its later lifecycles (it opens the skeleton again): not replayed, but a
   * loader that runs makes them, and its calls are matched against these too.
   */
  laterCalls?: (PlannedAssociation & { lifecycle: number })[];
  /** struct_ops maps a loader run attaches (performed only where the target allows it). */
  attach: { map: string; location: Location }[];
  programs: PlannedProgram[];
  /** Calls that cannot be replayed (the code does not say which program, map or flags). */
  skipped: { location: Location; why: string }[];
  notes: string[];
}

export interface PlanOptions {
  /** Which loader's calls to replay when several load the object (default: the first). */
  loader?: string;
  /** Associate every non-struct_ops program with this struct_ops map instead of the loader's calls. */
  associateAllWith?: string;
}

export class PlanError extends Error {}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function shippedFile(o: ModelObject): VmPlan['shipped'] {
  const skeleton = o.skeletons[0];
  if (skeleton) return { kind: 'skeleton', path: skeleton, remoteName: `${o.id}.bpf.o` };
  const file = o.objectFiles[0];
  if (file) return { kind: 'object', path: file, remoteName: basename(file) };
  throw new PlanError(`object ${o.id} has no compiled form in the workspace: build ${o.id}.bpf.o (clang -target bpf) or its skeleton first`);
}

const PHASE: Record<string, AssocPhase> = { opened: 'opened', loaded: 'loaded', attached: 'attached', unknown: 'loaded' };

function fromCall(c: ModelAssociationCall, index: number): PlannedAssociation | { why: string } {
  if (c.program === null) return { why: 'the code does not say which program it associates' };
  if (c.map === null) return { why: 'the code does not say which map it associates with' };
  if (c.flags === 'unknown') return { why: 'the flags are not a constant' };
  return {
    index,
    phase: PHASE[c.phase] ?? 'loaded',
    api: c.api === 'bpf_prog_assoc_struct_ops' ? 'syscall' : 'libbpf',
    program: c.program,
    map: c.map,
    flags: c.flags,
    source: { api: c.api, loader: c.loader, location: c.location },
    predicted: c.predicted,
  };
}

const mapsOf = (a: WorkspaceModel['programs'][number]['association']): string[] => ('map' in a ? [a.map] : 'maps' in a ? a.maps : []);

/** The object's scenario a loader run replays: the loader's first lifecycle; -1 when the object has one scenario only (or none is the loader's). */
function scenarioRun(o: ModelObject, loader: string | null): number {
  if (o.scenarios.length < 2) return -1;
  const first = o.scenarios.findIndex((s) => s.loader === loader && (s.lifecycle ?? 0) === 0);
  return first >= 0 ? first : o.scenarios.findIndex((s) => s.loader === loader);
}

/**
 * The struct_ops maps the scenario the run replays attaches. The model's `maps[].attached` says
 * whether any scenario attaches a map (another loader, another lifecycle); with several, the
 * scenario's own states tell: a map it attaches associates every struct_ops program in its slots,
 * so each is `auto` with it or `poisoned` by it in that scenario's state (`byScenario`). A map none of whose slots
 * holds a struct_ops program associates nothing either way: it is attached as the model says,
 * and a note says the model does not tell which scenario attaches it.
 */
function attachedMaps(
  o: ModelObject,
  maps: WorkspaceModel['maps'],
  programs: WorkspaceModel['programs'],
  loader: string | null,
  noLoader: boolean,
): { maps: WorkspaceModel['maps']; unsure: string[]; path?: NonNullable<ModelObject['scenarios'][number]['replays']> } {
  const index = scenarioRun(o, loader);
  // A scenario whose paths attach different maps: the run follows one path, never the union of them.
  const replays = noLoader ? undefined : (index >= 0 ? o.scenarios[index] : o.scenarios.find((s) => s.loader === loader))?.replays;
  if (replays) return { maps: maps.filter((m) => !replays.notCreated.includes(m.name) && replays.attaches.includes(m.name)), unsure: [], path: replays };
  // With no loader the model's states say what attaching every created map would do, so the
  // run attaches every created map to check exactly that (docs/model.md, "No loader").
  if (index < 0 || noLoader) return { maps: maps.filter((m) => m.autocreate && (m.attached || noLoader)), unsure: [] };
  const scenario = o.scenarios[index];
  const attachedThere = new Set<string>();
  for (const p of programs) {
    const a = p.byScenario.find((s) => s.scenario.loader === scenario?.loader && s.scenario.lifecycle === scenario?.lifecycle)?.association;
    if (a && (a.state === 'auto' || a.state === 'poisoned')) for (const m of mapsOf(a)) attachedThere.add(m);
  }
  const structOps = new Set(programs.filter((p) => p.kind === 'struct_ops').map((p) => p.name));
  const empty = (m: WorkspaceModel['maps'][number]): boolean => !m.slots.some((x) => x.program !== null && structOps.has(x.program));
  const out = maps.filter((m) => attachedThere.has(m.name) || (empty(m) && m.autocreate && m.attached));
  return { maps: out, unsure: out.filter((m) => !attachedThere.has(m.name)).map((m) => m.name) };
}

export function buildPlan(model: WorkspaceModel, objectId: string, options: PlanOptions = {}): VmPlan {
  const o = model.objects.find((x) => x.id === objectId);
  if (!o) throw new PlanError(`no object ${objectId} in the workspace (objects: ${model.objects.map((x) => x.id).join(', ') || 'none'})`);
  const programs = model.programs.filter((p) => p.object === objectId);
  const maps = model.maps.filter((m) => m.object === objectId);
  const calls = model.associationCalls.filter((c) => c.object === objectId);
  const loaders = [...new Set(calls.map((c) => c.loader))].sort();
  // The model's states are those of its first scenario; another loader's are in byScenario.
  const loader = options.associateAllWith !== undefined ? null : (options.loader ?? loaders[0] ?? o.loaders[0] ?? null);
  const stateOf = (p: WorkspaceModel['programs'][number]): WorkspaceModel['programs'][number]['association'] =>
    p.byScenario.find((s) => s.scenario.loader === loader)?.association ?? p.association;
  const noLoader = loaders.length === 0 && o.loaders.length === 0;
  const attaching = attachedMaps(o, maps, programs, loader, noLoader);
  const plan: VmPlan = {
    object: objectId,
    shipped: shippedFile(o),
    loader: null,
    loadFails: o.loadFails,
    mode: 'none',
    autoload: [],
    autocreate: [],
    slots: maps.flatMap((m) => m.slots.filter((x) => x.origin === 'loader').map((x) => ({ map: m.name, member: x.member, program: x.program, location: x.location }))),
    associations: [],
    // The maps the scenario this run replays attaches (with no loader: every created map).
    attach: attaching.maps.map((m) => ({ map: m.name, location: m.location })),
    programs: programs.map((p) => {
      const a = stateOf(p);
      // byPath is the deciding scenario's: it applies when that scenario is the one run.
      const firstScenario = p.decidedBy !== undefined && p.decidedBy.loader === loader && (p.decidedBy.scenario === undefined || p.decidedBy.scenario === o.scenarios.findIndex((s) => s.loader === loader));
      const paths = firstScenario ? (p.byPath ?? []).map((b) => ({ when: b.when, predicted: b.association.state, maps: mapsOf(b.association) })) : [];
      return {
        name: p.name,
        kind: p.kind,
        autoload: p.autoload,
        predicted: a.state,
        maps: mapsOf(a),
        location: p.location,
        ...(firstScenario && p.decidedBy?.when ? { when: p.decidedBy.when } : {}),
        ...(paths.length ? { paths } : {}),
      };
    }),
    skipped: [],
    notes: [],
  };
  // The loader's autoload and autocreate choices where they differ from the object's own ('?').
  // struct_ops programs follow their maps' autocreate inside libbpf, so they are left to it.
  // With paths that differ, those of the path the run follows.
  const path = attaching.path;
  const autoload = (p: WorkspaceModel['programs'][number]): boolean => (path ? !path.notLoaded.includes(p.name) : p.autoload);
  const autocreate = (m: WorkspaceModel['maps'][number]): boolean => (path ? !path.notCreated.includes(m.name) : m.autocreate);
  for (const p of programs) {
    if (p.kind !== 'struct_ops' && autoload(p) !== !p.section.startsWith('?')) plan.autoload.push({ program: p.name, value: autoload(p) });
  }
  for (const m of maps) if (autocreate(m) !== !m.section.startsWith('?')) plan.autocreate.push({ map: m.name, value: autocreate(m) });

  if (options.associateAllWith !== undefined) {
    const target = maps.find((m) => m.name === options.associateAllWith);
    if (!target) throw new PlanError(`object ${objectId} has no struct_ops map ${options.associateAllWith} (maps: ${maps.map((m) => m.name).join(', ') || 'none'})`);
    plan.mode = 'associate-all';
    for (const p of programs.filter((x) => x.kind !== 'struct_ops')) {
      const predicted = !p.autoload
        ? { result: 'EINVAL' as const, reason: `${p.name} is not loaded, so libbpf refuses it (no fd)` }
        : !target.autocreate
          ? { result: 'EINVAL' as const, reason: `map ${target.name} is not created; the kernel rejects libbpf's placeholder fd` }
          : { result: 0 as const, reason: `associates ${p.name} with ${target.name}` };
      plan.associations.push({
        index: plan.associations.length,
        phase: 'loaded',
        api: 'libbpf',
        program: p.name,
        map: target.name,
        flags: 0,
        source: { api: 'associate-all', loader: null, location: null },
        predicted,
      });
    }
    // Without the loader's calls, a non-struct_ops program ends as these calls leave it.
    for (const p of plan.programs.filter((x) => x.kind !== 'struct_ops' && x.predicted !== 'not-loaded')) {
      p.predicted = target.autocreate ? 'explicit' : 'rejected';
      p.maps = target.autocreate ? [target.name] : [];
    }
    plan.notes.push(`Every non-struct_ops program is associated with ${target.name}, as sched_ext's SCX_OPS_LOAD() does; the loader's own calls are not replayed.`);
    return plan;
  }

  if (options.loader && !loaders.includes(options.loader)) throw new PlanError(`no association calls for ${objectId} in ${options.loader}`);
  if (loader && loaders.includes(loader)) {
    plan.loader = loader;
    plan.mode = 'loader';
    // A loader that opens the skeleton several times: its first lifecycle, as the model's states.
    const ofLoader = calls.filter((x) => x.loader === loader);
    for (const c of ofLoader.filter((x) => (x.lifecycle ?? 0) === 0)) {
      const step = fromCall(c, plan.associations.length);
      if ('why' in step) plan.skipped.push({ location: c.location, why: step.why });
      else plan.associations.push(step);
    }
    for (const c of ofLoader.filter((x) => (x.lifecycle ?? 0) > 0)) {
      const step = fromCall(c, plan.associations.length + (plan.laterCalls?.length ?? 0));
      if (!('why' in step)) (plan.laterCalls ??= []).push({ ...step, lifecycle: c.lifecycle ?? 0 });
    }
    const lifecycles = new Set(ofLoader.map((x) => x.lifecycle ?? 0)).size;
    if (lifecycles > 1) plan.notes.push(`${basename(loader)} opens the skeleton ${lifecycles} times; this run replays the first lifecycle.`);
    const others = loaders.filter((l) => l !== loader);
    if (others.length) plan.notes.push(`Replays the calls of ${basename(loader)}; ${others.map(basename).join(', ')} also associate programs of ${objectId} (choose with the loader option).`);
  } else {
    if (loader) plan.loader = loader;
    plan.notes.push(`${loader ? `${basename(loader)} associates no program` : 'No loader in the workspace associates programs'} of ${objectId}: the run loads${plan.attach.length ? ' and attaches' : ''} it only. Associate every non-struct_ops program with a map to try SCX_OPS_LOAD's behaviour.`);
  }
  if (noLoader && plan.attach.length) plan.notes.push(`No loader uses ${objectId}: the run attaches every created struct_ops map (${plan.attach.map((a) => a.map).join(', ')}), which is what the predicted states assume.`);
  if (attaching.path) plan.notes.push(`${plan.loader ? basename(plan.loader) : 'The loader'}'s paths attach different maps: this run follows the path where ${attaching.path.when}, which attaches ${attaching.path.attaches.join(', ') || 'no struct_ops map'}.`);
  if (attaching.unsure.length) plan.notes.push(`Attaches ${attaching.unsure.join(', ')}, which no struct_ops program fills: some loader of ${objectId} attaches it, and the model does not say whether ${plan.loader ? basename(plan.loader) : 'this run\'s scenario'} does.`);
  if (plan.slots.length) plan.notes.push(`Re-points ${plan.slots.length} struct_ops slot(s) before load, as the loader does through the skeleton: ${plan.slots.map((x) => `${x.map}.${x.member} = ${x.program ?? 'NULL'}`).join(', ')}.`);
  return plan;
}

/** The agent's argv (after the agent's own path) for a plan, the object's remote path and the target's permissions. */
export function agentArgs(
  plan: VmPlan,
  objectPath: string,
  o: { allowAttach: boolean; pidfile: string; hold?: { stage: 'load' | 'associate' | 'attach'; seconds: number }; observe?: 'debugfs' | 'bpf-iter' },
): string[] {
  const args = ['--object', objectPath, '--pidfile', o.pidfile];
  for (const a of plan.autoload) args.push(a.value ? '--autoload' : '--no-autoload', a.program);
  for (const m of plan.autocreate) args.push(m.value ? '--autocreate' : '--no-autocreate', m.map);
  for (const x of plan.slots ?? []) args.push('--slot', x.map, x.member, x.program ?? '-');
  for (const a of plan.associations) args.push('--assoc', a.phase, a.api, a.program, a.map, String(a.flags));
  if (o.allowAttach) for (const m of plan.attach) args.push('--attach', m.map);
  if (o.observe) args.push('--observe', o.observe);
  if (o.hold) args.push('--hold', o.hold.stage, '--hold-timeout', String(Math.ceil(o.hold.seconds)));
  return args;
}

/** The agent's argv when it runs the user's loader (built with the recorder) instead of the plan. */
export function loaderArgs(
  plan: VmPlan,
  loaderPath: string,
  o: { pidfile: string; budgetSeconds: number; hold?: { stage: 'load' | 'associate' | 'attach'; seconds: number }; observe?: 'debugfs' | 'bpf-iter' },
): string[] {
  const args = ['--loader', loaderPath, '--object-name', plan.object, '--loader-budget', String(Math.max(1, Math.ceil(o.budgetSeconds))), '--pidfile', o.pidfile];
  if (o.observe) args.push('--observe', o.observe);
  if (o.hold) args.push('--hold', o.hold.stage, '--hold-timeout', String(Math.ceil(o.hold.seconds)));
  return args;
}
