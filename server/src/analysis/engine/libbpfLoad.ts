// What libbpf (v1.7, src/libbpf.c) does with an object's struct_ops maps and programs between
// open and load: effective autocreate/autoload, slots after the skeleton's shadow struct is
// written, and the checks that make the load fail.
import type { LoaderAction, Location, ProgramFact, SkeletonMemberRef, StructOpsMapFact } from '../facts';
import type { Finding, ModelSlot } from '../model';
import { finding, quote } from './findingText';

export interface ProgState {
  fact: ProgramFact;
  location: Location;
  autoload: boolean;
  /** Why autoload is off, for the not-loaded reason. */
  autoloadReason: string;
}

export interface MapState {
  fact: StructOpsMapFact;
  location: Location;
  autocreate: boolean;
  autocreateReason: string;
  autoattach: boolean;
  /** Created only if the loader names it at run time (the call that may): not certain. */
  picked?: string;
  slots: Map<string, ModelSlot>;
  /** Programs the loader displaced from a slot (member -> program compiled into it). */
  displaced: Map<string, string>;
}

export interface LoadResult {
  findings: Finding[];
  /** Set when libbpf refuses to open or load the object. */
  failure: string | null;
}

const preLoad = (a: LoaderAction): boolean => a.phase === 'opened' || a.phase === 'unknown';

/** Applies the loader's calls made between open and load (or where the phase is not known). */
export function applyPreLoadActions(actions: LoaderAction[], progs: Map<string, ProgState>, maps: Map<string, MapState>): void {
  for (const a of actions) {
    if (!preLoad(a)) continue;
    if (a.kind === 'set_autoload') {
      if (a.value === null) continue;
      const call = `bpf_program__set_autoload(${a.program.written ?? a.program.name}, ${a.value})`;
      // A program named at run time: which one is not known, and what loading it would claim (an
      // unreferenced struct_ops program fails the load; a kfunc caller left unassociated) could be
      // false of the one the loader names. Its autoload stays as its section says.
      if (a.program.atRunTime === 'some') continue;
      for (const p of targetsOf(a.program, a.value, progs, (x) => x.autoload)) {
        p.autoload = a.value;
        p.autoloadReason = a.program.atRunTime === 'every' ? `${call} for every program in ${a.inFunction}()` : `bpf_program__set_autoload(${p.fact.name}, false) in ${a.inFunction}()`;
      }
    } else if (a.kind === 'set_autocreate') {
      if (a.value === null) continue;
      const call = `bpf_map__set_autocreate(${a.map.written ?? a.map.name}, ${a.value})`;
      for (const m of targetsOf(a.map, a.value, maps, (x) => x.autocreate)) {
        m.autocreate = a.value;
        m.autocreateReason = a.map.atRunTime === 'every' ? `${call} for every map in ${a.inFunction}()` : `bpf_map__set_autocreate(${m.fact.name}, false) in ${a.inFunction}()`;
        if (a.map.atRunTime === 'some') m.picked = `${call} in ${a.inFunction}()`;
        else delete m.picked;
      }
    } else if (a.kind === 'slot_assign') {
      const m = maps.get(a.map.name);
      if (!m) continue;
      const before = m.slots.get(a.member)?.program;
      if (before && before !== a.program?.name && !m.displaced.has(a.member)) m.displaced.set(a.member, before);
      m.slots.set(a.member, { member: a.member, program: a.program?.name ?? null, location: a.location, origin: 'loader' });
    }
  }
}

/**
 * What a call on a program or map changes: the one it names; every one, for the variable of
 * `bpf_object__for_each_*()`; for one named at run time, those it may change to `value` (any of
 * them could be the one named) when that turns something on, none when it turns something off
 * (the others stay as they were, and which one is not known).
 */
export function targetsOf<T>(ref: SkeletonMemberRef, value: boolean, all: Map<string, T>, current: (x: T) => boolean): T[] {
  if (ref.atRunTime === 'every') return [...all.values()];
  if (ref.atRunTime === 'some') return value ? [...all.values()].filter((x) => !current(x)) : [];
  const one = all.get(ref.name);
  return one ? [one] : [];
}

/**
 * The open/load checks, in libbpf's order: slots must name struct_ops programs; a program may be
 * reused only for the same struct type and member (checked across created maps); libbpf then
 * recomputes autoload of referenced struct_ops programs from their maps' autocreate; a struct_ops
 * program still set to load but referenced by no created map fails the load.
 */
export function checkLoad(progs: Map<string, ProgState>, maps: Map<string, MapState>): LoadResult {
  const findings: Finding[] = [];
  let failure: string | null = null;
  for (const m of maps.values()) {
    for (const slot of m.slots.values()) {
      if (!slot.program) continue;
      const p = progs.get(slot.program);
      if (p?.fact.kind === 'struct_ops') continue;
      // Compiled-in slots fail at open (relocation); loader-set ones at load, and only for created maps.
      if (slot.origin === 'loader' && !m.autocreate) continue;
      const what = p ? `a SEC("${p.fact.section}") program` : 'a plain function (a .text subprogram), not a BPF program';
      const errno = slot.origin === 'loader' ? 'ENOTSUP ("member is not a struct_ops program")' : 'EINVAL ("prog is not struct_ops BPF program"); bpftool cannot generate a skeleton from it either';
      findings.push(
        finding('slot-not-struct-ops-program', slot.location,
          `Slot ${quote(`${m.fact.name}.${slot.member}`)} points at ${quote(slot.program)}, which is ${what}, not a struct_ops program: libbpf fails the ${slot.origin === 'loader' ? 'load' : 'open'} with ${errno}. Put the callback in its own SEC("struct_ops/${slot.member}") program.`,
          p ? [{ location: p.location, message: `${p.fact.name} is declared in SEC("${p.fact.section}")` }] : [], undefined, slot.program),
      );
      failure ??= `slot ${m.fact.name}.${slot.member} names a non-struct_ops program`;
    }
  }
  // invalid reuse: first use of a program fixes (kernel type, member); later ones must match.
  const firstUse = new Map<string, { map: MapState; slot: ModelSlot }>();
  const reported = new Set<string>();
  for (const m of maps.values()) {
    if (!m.autocreate) continue;
    for (const slot of m.slots.values()) {
      const p = slot.program ? progs.get(slot.program) : undefined;
      if (!p || p.fact.kind !== 'struct_ops') continue;
      const first = firstUse.get(p.fact.name);
      if (!first) {
        firstUse.set(p.fact.name, { map: m, slot });
        continue;
      }
      const sameType = first.map.fact.kernelType === m.fact.kernelType;
      if (sameType && first.slot.member === slot.member) continue;
      if (reported.has(p.fact.name)) continue;
      reported.add(p.fact.name);
      const why = sameType
        ? `two different members (${quote(first.slot.member)} and ${quote(slot.member)})`
        : `two struct types (${quote(first.map.fact.kernelType)} and ${quote(m.fact.kernelType)})`;
      findings.push(
        finding('invalid-struct-ops-reuse', p.location,
          `${quote(p.fact.name)} is used for ${why}: libbpf fails the load with EINVAL ("invalid reuse of prog ${p.fact.name}"). A struct_ops program can be shared only for the same struct type and member; give each slot its own program.`,
          [
            { location: first.slot.location, message: `${first.map.fact.name}.${first.slot.member} (${first.map.fact.kernelType})` },
            { location: slot.location, message: `${m.fact.name}.${slot.member} (${m.fact.kernelType})` },
          ], undefined, p.fact.name),
      );
      failure ??= `invalid reuse of ${p.fact.name}`;
    }
  }
  // bpf_map__init_kern_struct_ops(): a program the loader displaced from a created map's slot
  // gets autoload off; the adjustment below turns it back on if another created map uses it.
  for (const m of maps.values()) {
    if (!m.autocreate) continue;
    for (const [member, name] of m.displaced) {
      const p = progs.get(name);
      if (!p) continue;
      p.autoload = false;
      p.autoloadReason = `the loader replaced it in ${m.fact.name}.${member}`;
    }
  }
  // bpf_object_adjust_struct_ops_autoload(): referenced programs load iff a created map uses them.
  const usersOf = new Map<string, MapState[]>();
  for (const m of maps.values()) {
    for (const s of m.slots.values()) {
      if (!s.program) continue;
      const list = usersOf.get(s.program) ?? [];
      if (!list.includes(m)) list.push(m);
      usersOf.set(s.program, list);
    }
  }
  for (const p of progs.values()) {
    if (p.fact.kind !== 'struct_ops') continue;
    const users = usersOf.get(p.fact.name) ?? [];
    if (!users.length) continue;
    const created = users.filter((m) => m.autocreate);
    p.autoload = created.length > 0;
    if (!p.autoload) {
      p.autoloadReason = `only referenced by ${users.map((m) => `${m.fact.name} (${m.autocreateReason})`).join(', ')}, which ${users.length > 1 ? 'are' : 'is'} not created`;
    }
  }
  for (const p of progs.values()) {
    if (p.fact.kind !== 'struct_ops' || !p.autoload) continue;
    if (firstUse.has(p.fact.name)) continue;
    // Named in code the sources could not be read as a map from: whether a slot holds it is not known.
    if (p.fact.namedUnread) continue;
    const optional = `SEC("?${p.fact.section.replace(/^\?/, '')}")`;
    // A section a macro writes (BPF_STRUCT_OPS(name, ...)) cannot take the '?' where it is used.
    const fromMacro = p.fact.sectionSite !== undefined && p.fact.sectionSite.literal === undefined;
    const howOptional = fromMacro
      ? `turn its autoload off before the load (bpf_program__set_autoload(skel->progs.${p.fact.name}, false)), or write ${optional} and BPF_PROG() in place of the macro that gives its section`
      : `make it optional with ${optional}`;
    findings.push(
      finding('unreferenced-struct-ops-program', p.location,
        `${quote(p.fact.name)} is in SEC("${p.fact.section}") but no struct_ops map slot references it, and its autoload is on: libbpf fails the load with EINVAL ("SEC(\\"struct_ops\\") program isn't referenced anywhere"). Put it in a slot, or ${howOptional}.`,
        [], undefined, p.fact.name),
    );
    failure ??= `${p.fact.name} is not referenced by any struct_ops map`;
  }
  return { findings, failure };
}
