// One run of one object: open, the loader's configuration, load (libbpf's checks), attach (the
// kernel associates every program in an updated map's slots, poisoning shared ones), and the
// explicit association calls in order, each answered as libbpf and the kernel would.
import type { BpfObjectFacts, KfuncCall, LoaderAction, Location, StructOpsMapFact } from '../facts';
import type { AssociationState, Errno, Finding, ModelAssociationCall, ModelSlot, Scenario, SlotRef } from '../model';
import { applyPreLoadActions, checkLoad, targetsOf, type MapState, type ProgState } from './libbpfLoad';
import { predictCall, type CallContext } from './explicit';
import { finding, list, quote } from './findingText';
import { leftOutText, type LeftOutOpen } from '../loader/buildConditions';
import { lookupKfunc, SCHED_EXT_OPS_TYPES, type DependentKfunc } from '../kfuncs';
import type { LinkedLoader } from './link';

export interface ObjectView {
  id: string;
  truth: BpfObjectFacts;
  /** Where to show a program, map or slot: in the source when we have it. */
  programLocation(name: string): Location;
  mapLocation(name: string): Location;
  slotLocation(map: string, member: string): Location;
  /** kfunc calls of a program, from the source when we have it (for locations). */
  kfuncCalls(program: string): KfuncCall[];
  /**
   * A struct_ops map of another object of the workspace, by the skeleton a loader names it
   * through (`root->maps.ops` where `root` is another skeleton): loaders may associate a program
   * of this object with it (a sub-scheduler's program with its root's map).
   */
  foreignStructOpsMap?(skeleton: string, map: string): { object: string; map: StructOpsMapFact } | undefined;
  /** With no loader: loaders that use the skeleton but whose build leaves out the code that opens it (loader/buildConditions.ts). */
  unloadedBy?: (LeftOutOpen & { loader: string })[];
}

export interface ScenarioOutcome {
  scenario: Scenario;
  programs: Map<string, { autoload: boolean; association: AssociationState }>;
  maps: Map<string, { autocreate: boolean; attached: boolean; slots: ModelSlot[] }>;
  calls: ModelAssociationCall[];
  findings: Finding[];
  loadFails: boolean;
  /** Attached maps and the call that attaches each (for messages). */
  attachedBy: Map<string, string>;
  /** Of those, the maps attached only if the loader names them at run time, with the call that may. */
  pickedAtRunTime?: Map<string, string>;
}

/** A poisoning that rests on maps the loader names only at run time: said as what happens if it picks them. */
export function pickedContext(a: AssociationState | undefined, picked: ReadonlyMap<string, string>): PoisonContext {
  if (a?.state !== 'poisoned') return {};
  const calls = [...new Set(a.maps.flatMap((m) => picked.get(m) ?? []))];
  return calls.length ? { picked: list(calls) } : {};
}

function initialState(view: ObjectView): { progs: Map<string, ProgState>; maps: Map<string, MapState>; findings: Finding[] } {
  const progs = new Map<string, ProgState>();
  for (const p of view.truth.programs) {
    if (progs.has(p.name)) continue;
    progs.set(p.name, {
      fact: p,
      location: view.programLocation(p.name),
      autoload: p.autoload,
      autoloadReason: `its section ${quote(p.section)} starts with '?'`,
    });
  }
  const maps = new Map<string, MapState>();
  const findings: Finding[] = [];
  const optionalSections = new Map<string, string>();
  for (const m of view.truth.structOpsMaps) {
    const slots = new Map<string, ModelSlot>();
    for (const s of m.slots) {
      slots.set(s.member, { member: s.member, program: s.program, location: view.slotLocation(m.name, s.member), origin: view.truth.origin });
    }
    // libbpf's init_struct_ops_maps() drops the '?' after the first variable of the section.
    let autocreate = m.autocreate;
    const first = optionalSections.get(m.section);
    if (!m.autocreate && first) {
      autocreate = true;
      findings.push(
        finding('optional-map-created', view.mapLocation(m.name),
          `${quote(m.name)} is in ${quote(m.section)} after ${quote(first)}: libbpf (1.7 and earlier) turns autocreate off only for the first map of a '?' section, so ${quote(m.name)} is created and, when attached, associates its programs. Call bpf_map__set_autocreate(skel->maps.${m.name}, false) before load if it must stay optional.`,
          [{ location: view.mapLocation(first), message: `${first} is the first map of ${m.section}` }]),
      );
    } else if (!m.autocreate) optionalSections.set(m.section, m.name);
    maps.set(m.name, {
      fact: m,
      location: view.mapLocation(m.name),
      autocreate,
      autocreateReason: `its section ${quote(m.section)} starts with '?'`,
      autoattach: true,
      slots,
      displaced: new Map(),
    });
  }
  return { progs, maps, findings };
}

/**
 * Maps whose value the run writes into the kernel (bpf_map__attach_struct_ops), in order; `picked`:
 * those attached only if the loader names them at run time (by the call that may), not certainly.
 */
function attachedMaps(view: ObjectView, loader: LinkedLoader | null, actions: LoaderAction[], maps: Map<string, MapState>, picked: Map<string, string>): Map<string, string> {
  const attached = new Map<string, string>();
  if (!loader) {
    for (const m of maps.values()) if (m.autocreate) attached.set(m.fact.name, `${view.id}__attach()`);
    return attached;
  }
  const file = loader.facts.file.split('/').pop();
  const attach = (m: MapState, how: string, pick: string | undefined): void => {
    const why = pick ?? m.picked;
    // An attachment that rests on a run-time name does not replace a certain one.
    if (why && attached.has(m.fact.name) && !picked.has(m.fact.name)) return;
    attached.set(m.fact.name, how);
    const before = picked.get(m.fact.name);
    if (why) picked.set(m.fact.name, before && !before.split(' and ').includes(why) ? `${before} and ${why}` : why);
    else picked.delete(m.fact.name);
  };
  for (const a of actions) {
    if (a.kind === 'set_autoattach' && a.value !== null) {
      for (const m of targetsOf(a.map, a.value, maps, (x) => x.autoattach)) m.autoattach = a.value;
    } else if (a.kind === 'attach_struct_ops') {
      const call = loader.facts.language === 'rust' ? `skel.maps.${a.map.written ?? a.map.name}.attach_struct_ops()` : `bpf_map__attach_struct_ops(${a.map.written ?? a.map.name})`;
      for (const m of targetsOf(a.map, true, maps, () => false)) {
        if (m.autocreate) attach(m, a.map.atRunTime ? `${call} in ${file}` : `${loader.facts.language === 'rust' ? `skel.maps.${m.fact.name}.attach_struct_ops()` : 'bpf_map__attach_struct_ops()'} in ${file}`, a.map.atRunTime === 'some' ? `${call} in ${a.inFunction}()` : undefined);
      }
    }
    // libbpf-rs's skel.attach() attaches programs only (its skeleton has no map links).
    else if (a.kind === 'attach' && !a.programsOnly) {
      for (const map of maps.values()) {
        if (map.autocreate && map.autoattach && !attached.has(map.fact.name)) attach(map, `${a.skeleton}__attach() in ${file}`, undefined);
      }
    }
  }
  return attached;
}

export function runScenario(
  view: ObjectView,
  loader: LinkedLoader | null,
  dependentKfuncs: Map<string, DependentKfunc>,
  actions: LoaderAction[] = loader?.actions ?? [],
): ScenarioOutcome {
  const life = loader?.lifecycle;
  const scenario: Scenario = loader
    ? {
        loader: loader.facts.file,
        ...(life ? { lifecycle: life.index } : {}),
        description: `as loaded by ${loader.facts.file.split('/').pop()}${life ? ` (${life.label})` : ''}`,
      }
    : { loader: null, description: `${view.unloadedBy?.length ? leftOutText(view.unloadedBy) : 'no loader found'}: what open, load and attach of every struct_ops map would do` };
  const { progs, maps, findings } = initialState(view);
  applyPreLoadActions(actions, progs, maps);
  const load = checkLoad(progs, maps);
  findings.push(...load.findings);
  const picked = new Map<string, string>();
  const attached = load.failure ? new Map<string, string>() : attachedMaps(view, loader, actions, maps, picked);

  // Automatic association: every program in an attached map's slots.
  const autoMaps = new Map<string, SlotRef[]>();
  for (const name of attached.keys()) {
    const m = maps.get(name);
    for (const s of m?.slots.values() ?? []) {
      if (!s.program || progs.get(s.program)?.fact.kind !== 'struct_ops') continue;
      const refs = autoMaps.get(s.program) ?? [];
      refs.push({ map: name, member: s.member, location: s.location });
      autoMaps.set(s.program, refs);
    }
  }

  // Explicit association, call by call.
  const ctx: CallContext = { view, progs, maps, loadFailure: load.failure, explicit: new Map() };
  const calls: ModelAssociationCall[] = [];
  for (const a of actions) {
    if (a.kind !== 'assoc') continue;
    const out = predictCall(a, loader?.facts.file ?? '', ctx);
    calls.push(...(life ? out.calls.map((c) => ({ ...c, lifecycle: life.index })) : out.calls));
    findings.push(...out.findings);
  }

  const programs = new Map<string, { autoload: boolean; association: AssociationState }>();
  for (const p of progs.values()) {
    programs.set(p.fact.name, { autoload: p.autoload, association: stateOf(p, load.failure, autoMaps, ctx, attached) });
  }
  const assumed = !loader;
  findings.push(...poisonFindings((n) => view.programLocation(n), programs, attached, assumed ? { assumed, ...(view.unloadedBy?.length ? { unloaded: leftOutText(view.unloadedBy) } : {}) } : (n) => pickedContext(programs.get(n)?.association, picked)));
  const subSchedulers = new Set(actions.flatMap((a) => (a.kind === 'data_assign' && a.member === 'sub_cgroup_id' ? [a.map.name] : [])));
  findings.push(...kfuncFindings(view, progs, programs, dependentKfuncs, maps, assumed, subSchedulers, loader?.facts.language === 'rust', picked));

  const outMaps = new Map<string, { autocreate: boolean; attached: boolean; slots: ModelSlot[] }>();
  // With no loader nothing says a map is attached: the states say what attaching would do.
  for (const m of maps.values()) outMaps.set(m.fact.name, { autocreate: m.autocreate, attached: !assumed && attached.has(m.fact.name), slots: [...m.slots.values()] });
  return { scenario, programs, maps: outMaps, calls, findings, loadFails: load.failure !== null, attachedBy: attached, pickedAtRunTime: picked };
}

function stateOf(
  p: ProgState,
  failure: string | null,
  autoMaps: Map<string, SlotRef[]>,
  ctx: CallContext,
  attached: Map<string, string>,
): AssociationState {
  if (failure) return { state: 'not-loaded', reason: `libbpf fails to load the object: ${failure}` };
  if (!p.autoload) return { state: 'not-loaded', reason: `autoload is off: ${p.autoloadReason}` };
  if (p.fact.kind === 'struct_ops') {
    const refs = autoMaps.get(p.fact.name) ?? [];
    const mapNames = [...new Set(refs.map((r) => r.map))];
    if (mapNames.length > 1) return { state: 'poisoned', maps: mapNames, slots: refs };
    if (mapNames.length === 1) return { state: 'auto', map: mapNames[0] as string, slots: refs };
    const holders = [...ctx.maps.values()].filter((m) => [...m.slots.values()].some((s) => s.program === p.fact.name));
    return { state: 'none', reason: holders.length ? `its map ${list(holders.map((m) => quote(m.fact.name)))} is never attached${attached.size ? '' : ' (no attach in the loader)'}` : 'no struct_ops map holds it' };
  }
  const explicit = ctx.explicit.get(p.fact.name);
  if (explicit?.map) return { state: 'explicit', map: explicit.map, calls: explicit.calls };
  if (explicit?.rejected) return { state: 'rejected', reason: explicit.rejected.reason, errno: explicit.rejected.errno as Errno, calls: explicit.calls };
  return { state: 'none', reason: 'no association call for it' };
}

/** How a poisoning is known: on every path of a loader, on some (`when`), or assumed with no loader. */
export interface PoisonContext {
  /** The loader's condition for the paths that attach both maps, when not every path does. */
  when?: string;
  /** No loader of any kind was found: attaching is assumed, not read. */
  assumed?: boolean;
  /** With `assumed`: why no loader loads it although one uses its skeleton (its build leaves out that code). */
  unloaded?: string;
  /** Some of the maps are created or attached only if the loader names them at run time: the calls that may. */
  picked?: string;
  /**
   * The paths that attach both maps are compiled only under a build condition nothing decides (`when`
   * says which). Still a warning, as for a runtime condition: a build that compiles the code poisons
   * the program, and a build that does not runs another path of the loader (or none at all).
   */
  build?: boolean;
}

export function poisonFindings(
  locationOf: (program: string) => Location,
  states: Map<string, { association: AssociationState }>,
  attached: Map<string, string>,
  context: PoisonContext | ((program: string) => PoisonContext),
): Finding[] {
  const out: Finding[] = [];
  for (const [name, { association: a }] of states) {
    if (a.state !== 'poisoned') continue;
    const how = [...new Set(a.maps.map((m) => attached.get(m) ?? ''))].filter(Boolean);
    const ctx = typeof context === 'function' ? context(name) : context;
    const slots = list([...new Set(a.slots.map((s) => quote(`${s.map}.${s.member}`)))]);
    const effect = 'the kernel poisons its association and bpf_prog_get_assoc_struct_ops() returns NULL for it, so kfuncs that look up "their" struct_ops from this program get NULL';
    const message = ctx.picked
      ? `${quote(name)} fills ${slots}. The loader creates or attaches maps it names only at run time (${ctx.picked}), so whether it attaches both is not in its code; if it does, ${effect}. Give each map its own copy of the program if both are meant to run.`
      : ctx.assumed
      ? `${quote(name)} fills ${slots}. ${ctx.unloaded ?? 'No loader for this object is in the workspace'}, so nothing says these maps are attached; if both are attached (as ${list(how)} would), ${effect}. Give each map its own copy of the program if both are meant to run.`
      : ctx.when
        ? `${quote(name)} fills ${slots}: on the path where ${ctx.when}, these maps are both attached (by ${list(how)}) and ${effect}. ${ctx.build ? 'Nothing in the workspace says whether the build compiles that code; builds that do poison it.' : 'Other paths do not attach both.'} Give each map its own copy of the program.`
        : `${quote(name)} fills ${slots}: when these maps are attached (by ${list(how)}), ${effect}. Give each map its own copy of the program.`;
    out.push(finding('poisoned-association', locationOf(name), message, a.slots.map((s) => ({ location: s.location, message: `slot ${s.map}.${s.member}` })), ctx.assumed || ctx.picked ? 'info' : undefined, name));
  }
  return out;
}

function kfuncFindings(
  view: ObjectView,
  progs: Map<string, ProgState>,
  states: Map<string, { association: AssociationState }>,
  dependent: Map<string, DependentKfunc>,
  maps: Map<string, MapState>,
  assumed: boolean,
  subSchedulers: ReadonlySet<string>,
  /** The loader is a libbpf-rs one: the fix is written in its API. */
  rust = false,
  /** Maps attached only if the loader names them at run time. */
  picked: ReadonlyMap<string, string> = new Map(),
): Finding[] {
  const out: Finding[] = [];
  // sched_ext: an unassociated (or poisoned) program falls back to the root scheduler unless the
  // root implements ops.sub_attach; then scx_prog_sched() returns NULL. The root of a
  // sub-scheduler (the loader sets its ops.sub_cgroup_id) always implements it.
  const schedulers = [...maps.values()].filter((m) => SCHED_EXT_OPS_TYPES.has(m.fact.kernelType));
  const subAttach = schedulers.find((m) => m.slots.get('sub_attach')?.program);
  const subSched = schedulers.find((m) => subSchedulers.has(m.fact.name));
  const noScheduler = subAttach
    ? `because ${quote(subAttach.fact.name)} implements ops.sub_attach`
    : subSched
      ? `because ${quote(subSched.fact.name)} is a sub-scheduler (the loader sets its ops.sub_cgroup_id), whose root scheduler implements ops.sub_attach`
      : null;
  for (const [name, { association: a }] of states) {
    const p = progs.get(name) as ProgState;
    for (const call of view.kfuncCalls(name)) {
      const dep = lookupKfunc(dependent, call.name);
      if (!dep) continue;
      const via = call.via ? ` (through ${call.via.includes(' ') ? call.via : quote(call.via)})` : '';
      const isScx = dep.family === 'sched_ext';
      const outcome = isScx
        ? noScheduler
          ? `scx_prog_sched() returns NULL ${noScheduler}, and the kernel logs "sched_ext: Unassociated program ${name}"`
          : 'scx_prog_sched() falls back to the root scheduler (it would return NULL under a root that implements ops.sub_attach)'
        : 'the kfunc gets NULL';
      const severity = isScx && !noScheduler ? 'info' : undefined;
      if (a.state === 'poisoned') {
        const ifPicked = pickedContext(a, picked).picked;
        out.push(
          finding('poisoned-kfunc-caller', call.location,
            `${quote(call.name)} reads the caller's struct_ops association, but ${quote(name)}${via} is poisoned (shared by ${list(a.maps.map(quote))}${assumed ? `, if both are attached: ${view.unloadedBy?.length ? `n${leftOutText(view.unloadedBy).slice(1)}` : 'no loader for this object is in the workspace'}` : ifPicked ? `, if the loader attaches both: it names them at run time, ${ifPicked}` : ''}): ${outcome}.`,
            [{ location: p.location, message: `${name} is poisoned` }, ...a.slots.map((s) => ({ location: s.location, message: `slot ${s.map}.${s.member}` }))], assumed || ifPicked ? 'info' : severity, name),
        );
      } else if (p.fact.kind === 'other' && (a.state === 'none' || a.state === 'rejected')) {
        const reason = a.state === 'rejected' ? `its association call fails (${a.errno}: ${a.reason})` : 'nothing associates it with a struct_ops map';
        const fix = rust
          ? `${isScx ? 'scx_ops_load!() associates nothing and libbpf-rs has no association API: call' : 'Call'} libbpf_rs::libbpf_sys::bpf_program__assoc_struct_ops(skel.progs.${name}.as_libbpf_object().as_ptr(), skel.maps.MAP.as_libbpf_object().as_ptr(), std::ptr::null_mut()) after load and before attach.`
          : `${isScx ? 'Load the skeleton with SCX_OPS_LOAD() or call' : 'Call'} bpf_program__assoc_struct_ops(skel->progs.${name}, skel->maps.MAP, NULL) between __load() and __attach().`;
        out.push(
          finding('unassociated-kfunc-caller', call.location,
            `${quote(call.name)} reads the caller's struct_ops association, but ${quote(name)}${via} is never associated: ${reason}, so ${outcome}. ${fix}`,
            [{ location: p.location, message: `${name} (SEC("${p.fact.section}"))` }, ...(a.state === 'rejected' ? a.calls.map((c) => ({ location: c, message: 'association call' })) : [])], severity, name),
        );
      }
    }
  }
  return out;
}
