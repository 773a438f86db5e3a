// Explicit association calls, answered in the order libbpf and the kernel check them.
//
// bpf_program__assoc_struct_ops() (libbpf 1.7): no program fd -> EINVAL; struct_ops program ->
// EINVAL; no map fd -> EINVAL; not a struct_ops map -> EINVAL; then the syscall.
// bpf_prog_assoc_struct_ops() goes straight to the syscall, where the kernel checks flags
// (EINVAL), the program fd (EBADF when no fd is open, EINVAL for an fd that is not a program),
// struct_ops program (EINVAL), the map fd (likewise EBADF or EINVAL), the map type (EINVAL), and
// finally an existing association with another map (EBUSY).
//
// A map whose autocreate is off still has an fd once the object is loaded: libbpf reserves every
// map's fd at open with a placeholder memfd (create_placeholder_fd(), libbpf 1.4 to 1.7) and
// bpf_map__fd() returns it after load. Both APIs hand that memfd to the kernel, whose
// __bpf_map_get() answers EINVAL for an fd that is not a map: EINVAL from the kernel, not EBADF.
import type { LoaderAction, Location } from '../facts';
import type { Errno, Finding, ModelAssociationCall } from '../model';
import type { RuleId } from '../rules';
import type { MapState, ProgState } from './libbpfLoad';
import type { ObjectView } from './scenario';
import { finding, quote } from './findingText';
import { skeletonMapIdent } from '../elf/otherMaps';

export interface ExplicitRecord {
  map?: string;
  calls: Location[];
  rejected?: { reason: string; errno: Errno };
}

export interface CallContext {
  view: ObjectView;
  progs: Map<string, ProgState>;
  maps: Map<string, MapState>;
  loadFailure: string | null;
  /** Per program: its explicit association so far. */
  explicit: Map<string, ExplicitRecord>;
}

type AssocAction = Extract<LoaderAction, { kind: 'assoc' }>;

/** Internal maps as a skeleton names them (`skel->maps.bss`, `skel->maps.rodata_str1_1`). */
const INTERNAL_MAP = /^(bss|data|rodata|kconfig)(_\w+)?$/;

/** A map the object has that is not struct_ops: a `.maps` map, or an internal one (`OBJ.bss`). */
function isNonStructOpsMap(name: string, otherMaps: string[]): boolean {
  if (INTERNAL_MAP.test(name)) return true;
  return otherMaps.some((o) => o === name || skeletonMapIdent(o, o.includes(".")) === name);
}

interface Verdict {
  result: 0 | Errno | 'unknown';
  reason: string;
  rule?: RuleId;
  severity?: 'error' | 'warning';
}

function verdictFor(a: AssocAction, progName: string, ctx: CallContext): Verdict {
  const raw = a.api === 'bpf_prog_assoc_struct_ops';
  const p = ctx.progs.get(progName);
  const mapName = a.map?.name ?? null;
  const m = mapName ? ctx.maps.get(mapName) : undefined;
  // A struct_ops map of another object the loader loads (`root->maps.ops`).
  const foreign = !m && mapName !== null && a.map?.skeleton ? ctx.view.foreignStructOpsMap?.(a.map.skeleton, mapName) : undefined;
  const isOtherMap = mapName !== null && !m && isNonStructOpsMap(mapName, ctx.view.truth.otherMaps);
  if (!p) return { result: 'unknown', reason: `no program ${quote(progName)} in object ${ctx.view.id}` };
  if (ctx.loadFailure) return { result: 'unknown', reason: `not reached: libbpf fails to load the object (${ctx.loadFailure})` };
  const flags = (): Verdict | null =>
    a.flags === 'unknown'
      ? null
      : a.flags !== 0
        ? { result: 'EINVAL', reason: `flags is ${a.flags}; the kernel accepts only 0`, rule: 'assoc-invalid-flags' }
        : null;
  const noFd = raw ? 'EBADF' : 'EINVAL';
  const checks: (() => Verdict | null)[] = [
    ...(raw ? [flags] : []),
    () =>
      a.phase === 'opened'
        ? { result: noFd, reason: `called before the skeleton's __load(): the program has no fd yet${raw ? ' (bpf_program__fd() returns -ENOENT, the kernel answers EBADF)' : ''}`, rule: 'assoc-before-load' }
        : null,
    () =>
      !p.autoload
        ? { result: noFd, reason: `${quote(progName)} is never loaded (${p.autoloadReason}), so it has no fd`, rule: 'assoc-not-loaded', severity: a.api === 'SCX_OPS_LOAD' ? 'warning' : 'error' }
        : null,
    () =>
      p.fact.kind === 'struct_ops'
        ? { result: 'EINVAL', reason: `${quote(progName)} is a struct_ops program; those are associated automatically when their map is attached`, rule: 'assoc-struct-ops-program' }
        : null,
    () => {
      if (mapName === null) return { result: 'unknown', reason: 'the map argument is not one of the skeleton\'s maps' };
      if (m && !m.autocreate) {
        return {
          result: 'EINVAL',
          reason: `map ${quote(mapName)} is never created (${m.autocreateReason}): after load bpf_map__fd() returns libbpf's placeholder fd (a memfd, not a BPF map), and the kernel answers EINVAL for it`,
          rule: 'assoc-not-loaded',
        };
      }
      if (isOtherMap) return { result: 'EINVAL', reason: `map ${quote(mapName)} is not a struct_ops map`, rule: 'assoc-non-struct-ops-map' };
      if (foreign && !foreign.map.autocreate) {
        return {
          result: 'EINVAL',
          reason: `map ${quote(mapName)} of object ${foreign.object} is never created (its section ${quote(foreign.map.section)} starts with '?'): bpf_map__fd() returns libbpf's placeholder fd, and the kernel answers EINVAL for it`,
          rule: 'assoc-not-loaded',
        };
      }
      if (!m && !foreign) return { result: 'unknown', reason: `no map ${quote(mapName)} in object ${ctx.view.id}` };
      return null;
    },
    ...(raw ? [] : [flags]),
    () => {
      if (a.flags === 'unknown') return { result: 'unknown', reason: 'the flags are not a constant' };
      const prev = ctx.explicit.get(progName);
      if (prev?.map && prev.map !== mapName) {
        return { result: 'EBUSY', reason: `${quote(progName)} is already associated with ${quote(prev.map)}; an explicit association cannot be changed`, rule: 'assoc-conflict' };
      }
      return null;
    },
  ];
  for (const check of checks) {
    const v = check();
    if (v) return v;
  }
  const prev = ctx.explicit.get(progName);
  const of = foreign ? ` (a struct_ops map of object ${foreign.object}; that object's skeleton must be loaded by then)` : '';
  return { result: 0, reason: prev?.map === mapName ? `already associated with ${quote(mapName ?? '')}: no change` : `associates ${quote(progName)} with ${quote(mapName ?? '')}${of}` };
}

const RULE_ADVICE: Partial<Record<RuleId, string>> = {
  'assoc-before-load': 'Move the call after NAME__load() and before NAME__attach().',
  'assoc-not-loaded': 'Associate only programs and maps that are loaded and created.',
  'assoc-struct-ops-program': 'Remove the call: the program is associated with its map when the map is attached.',
  'assoc-non-struct-ops-map': 'Pass the struct_ops map (skel->maps.OPS).',
  'assoc-conflict': 'Associate each program with one struct_ops map only; load a second copy of the object for a second map.',
  'assoc-invalid-flags': 'Pass NULL opts or .flags = 0.',
};

export function predictCall(a: AssocAction, loaderFile: string, ctx: CallContext): { calls: ModelAssociationCall[]; findings: Finding[] } {
  const targets = a.allNonStructOps
    ? [...ctx.progs.values()].filter((p) => p.fact.kind !== 'struct_ops').map((p) => p.fact.name)
    : [a.program?.name ?? null];
  const calls: ModelAssociationCall[] = [];
  const findings: Finding[] = [];
  for (const progName of targets) {
    const v: Verdict = progName === null ? { result: 'unknown', reason: 'the program argument is not one of the skeleton\'s programs' } : verdictFor(a, progName, ctx);
    calls.push({
      object: ctx.view.id,
      loader: loaderFile,
      api: a.api,
      program: progName,
      map: a.map?.name ?? null,
      flags: a.flags,
      location: a.location,
      phase: a.phase,
      predicted: { result: v.result, reason: v.reason },
    });
    if (progName === null) continue;
    const rec = ctx.explicit.get(progName) ?? { calls: [] };
    rec.calls.push(a.location);
    if (v.result === 0 && a.map) rec.map = a.map.name;
    else if (v.result !== 0 && v.result !== 'unknown') rec.rejected ??= { reason: v.reason, errno: v.result };
    ctx.explicit.set(progName, rec);
    if (v.rule) {
      const via = a.api === 'SCX_OPS_LOAD' ? ` SCX_OPS_LOAD() calls bpf_program__assoc_struct_ops() for ${quote(progName)}:` : '';
      const advice =
        a.api === 'SCX_OPS_LOAD' && v.rule === 'assoc-not-loaded'
          ? `sched_ext prints "ERROR: Failed to associate ${progName} with ${a.map?.name ?? 'the ops map'}: -22" and goes on; the program is not loaded, so this only costs the message.`
          : (RULE_ADVICE[v.rule] ?? '').replace('NAME', ctx.view.id);
      const p = ctx.progs.get(progName);
      const related = p ? [{ location: p.location, message: `${progName} (SEC("${p.fact.section}"))` }] : [];
      const first = rec.calls[0];
      if (v.rule === 'assoc-conflict' && first && first !== a.location) related.push({ location: first, message: 'first associated here' });
      findings.push(
        finding(v.rule, a.location, `${via} ${a.api === 'SCX_OPS_LOAD' ? 'it fails' : 'This association fails'} with ${v.result}: ${v.reason}. ${advice}`.trim(), related, v.severity, progName),
      );
    }
  }
  return { calls, findings };
}
