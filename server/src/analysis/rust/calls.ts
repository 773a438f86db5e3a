// The libbpf-rs calls a Rust loader path reads (libbpf-rs 0.24-0.27, libbpf-cargo's generated
// skeleton), each turned into the same loader actions the C reader gives:
//   XSkelBuilder::open()/open_opts() -> open; OpenXSkel::load() -> load; XSkel::attach() -> attach of
//   the programs only (libbpf-rs fills no map links in its skeleton, so libbpf's
//   bpf_object__attach_skeleton() skips struct_ops maps); skel.maps.M.attach_struct_ops() -> attach
//   of one map; skel.progs.P.set_autoload(v), skel.maps.M.set_autocreate(v)/set_autoattach(v);
//   libbpf_sys::bpf_program__set_autoload/bpf_map__set_autocreate/bpf_map__set_autoattach/
//   bpf_map__attach_struct_ops/bpf_program__assoc_struct_ops/bpf_prog_assoc_struct_ops on
//   `skel.progs.P.as_libbpf_object().as_ptr()`; scx_utils' scx_ops_open!/scx_ops_load!/scx_ops_attach!.
import type { Node } from '../c/parser';
import type { LoaderAction, LoaderPhase, Location, SkeletonMemberRef } from '../facts';
import type { PathState } from '../loader/pathState';

export type Emit = (a: LoaderAction, node: Node) => void;

/** What reading a call asks of the reader. */
export interface RustCallContext {
  st: PathState;
  emit: Emit;
  loc(n: Node): Location;
  /** The skeleton (object name) an expression's variable or field holds, or the file's only one. */
  skeletonOf(n: Node | null, st: PathState): string | null;
  /** A program or map of a skeleton an expression names (`skel.progs.P`, `&open_skel.maps.M`, a variable bound to one). */
  member(n: Node | null, kind: 'progs' | 'maps', st: PathState): SkeletonMemberRef | null;
}

/** Methods and functions a loader path acts on (a quick test before a call is read). */
export const LOADER_METHODS = new Set(['open', 'open_opts', 'load', 'attach', 'attach_struct_ops', 'set_autoload', 'set_autocreate', 'set_autoattach']);
export const LIBBPF_SYS_CALLS = new Set([
  'bpf_program__set_autoload',
  'bpf_map__set_autocreate',
  'bpf_map__set_autoattach',
  'bpf_map__attach_struct_ops',
  'bpf_program__assoc_struct_ops',
  'bpf_prog_assoc_struct_ops',
]);
export const SCX_MACROS = new Set(['scx_ops_open', 'scx_ops_load', 'scx_ops_attach']);

/** Text that may hold a loader call: the cheap test that decides whether a function or a branch matters. */
export const LOADER_TEXT = /\.(?:open|open_opts|load|attach|attach_struct_ops|set_autoload|set_autocreate|set_autoattach)\s*\(|\bscx_ops_(?:open|load|attach)!|\bbpf_(?:program__set_autoload|map__set_auto\w+|map__attach_struct_ops|program__assoc_struct_ops|prog_assoc_struct_ops)\b|\bstruct_ops\s*\.\s*\w+_mut\s*\(|\bcond_(?:kprobes?|tracepoints?)_(?:enable|load)\s*\(/;

/**
 * Text that may change what a path does to associations: LOADER_TEXT without writes of data
 * members (`struct_ops.M_mut().flags = ..`), which only a slot write (a null or a program) or a
 * sub-scheduler's `sub_cgroup_id` can. A branch forks only on this.
 */
export const PATH_TEXT =
  /\.(?:open|open_opts|load|attach|attach_struct_ops|set_autoload|set_autocreate|set_autoattach)\s*\(|\bscx_ops_(?:open|load|attach)!|\bbpf_(?:program__set_autoload|map__set_auto\w+|map__attach_struct_ops|program__assoc_struct_ops|prog_assoc_struct_ops)\b|\bstruct_ops\s*\.\s*\w+_mut\s*\(\s*\)\s*\.\s*(?:\w+\s*=\s*(?:(?:std::|core::)?(?:ptr::)?null|None\b|[^;]*\.progs\b)|sub_cgroup_id\b)|\bcond_(?:kprobes?|tracepoints?)_(?:enable|load)\s*\(/;

export function constBoolRust(n: Node | null): boolean | null {
  const t = n?.text.trim();
  return t === 'true' ? true : t === 'false' ? false : null;
}

/** `ptr::null()`, `std::ptr::null_mut()`, `None`: no options, flags 0. */
export function isNullPointer(n: Node | null): boolean {
  const t = n?.text.replace(/\s+/g, '') ?? '';
  return /^(?:(?:std|core)::)?(?:ptr::)?null(?:_mut)?(?:::<[^>]*>)?\(\)$/.test(t) || t === 'None' || t === '0';
}

function base(ctx: RustCallContext, n: Node, skel: string | null): { location: Location; phase: LoaderPhase; inFunction: string } {
  const phases = ctx.st.phases;
  const phase = skel ? (phases.get(skel) ?? 'unknown') : phases.size === 1 ? ([...phases.values()][0] as LoaderPhase) : 'unknown';
  return { location: ctx.loc(n), phase, inFunction: ctx.st.fn };
}

/** A method call: `builder.open(..)`, `skel.maps.M.attach_struct_ops()`, ... Returns true when it was a loader call. */
export function readMethodCall(call: Node, method: string, receiver: Node | null, args: Node[], ctx: RustCallContext): boolean {
  const { st, emit } = ctx;
  switch (method) {
    case 'open':
    case 'open_opts':
    case 'load':
    case 'attach': {
      // `skel.progs.P.attach()` attaches one program: no struct_ops association.
      if ((method === 'attach' || method === 'load') && (args.length || ctx.member(receiver, 'progs', st))) return false;
      const skel = ctx.skeletonOf(receiver, st);
      if (!skel) return false;
      const kind = method === 'open_opts' ? 'open' : method;
      emit(kind === 'attach' ? { kind, ...base(ctx, call, skel), skeleton: skel, programsOnly: true } : { kind, ...base(ctx, call, skel), skeleton: skel }, call);
      st.phases.set(skel, kind === 'open' ? 'opened' : kind === 'load' ? 'loaded' : 'attached');
      return true;
    }
    case 'attach_struct_ops': {
      const map = ctx.member(receiver, 'maps', st);
      if (map) emit({ kind: 'attach_struct_ops', ...base(ctx, call, map.skeleton), map }, call);
      return !!map;
    }
    case 'set_autoload': {
      const program = ctx.member(receiver, 'progs', st);
      if (program) emit({ kind: 'set_autoload', ...base(ctx, call, program.skeleton), program, value: constBoolRust(args[0] ?? null) }, call);
      return !!program;
    }
    case 'set_autocreate':
    case 'set_autoattach': {
      const map = ctx.member(receiver, 'maps', st);
      if (map) emit({ kind: method, ...base(ctx, call, map.skeleton), map, value: constBoolRust(args[0] ?? null) }, call);
      return !!map;
    }
  }
  return false;
}

/** A libbpf-sys function on the skeleton's objects (`libbpf_sys::bpf_program__set_autoload(p.as_libbpf_object().as_ptr(), true)`). */
export function readLibbpfSysCall(call: Node, name: string, args: Node[], ctx: RustCallContext): boolean {
  const { st, emit } = ctx;
  const arg = (i: number): Node | null => args[i] ?? null;
  switch (name) {
    case 'bpf_program__set_autoload': {
      const program = ctx.member(arg(0), 'progs', st);
      if (program) emit({ kind: 'set_autoload', ...base(ctx, call, program.skeleton), program, value: constBoolRust(arg(1)) }, call);
      return !!program;
    }
    case 'bpf_map__set_autocreate':
    case 'bpf_map__set_autoattach': {
      const map = ctx.member(arg(0), 'maps', st);
      const kind = name === 'bpf_map__set_autocreate' ? 'set_autocreate' : 'set_autoattach';
      if (map) emit({ kind, ...base(ctx, call, map.skeleton), map, value: constBoolRust(arg(1)) }, call);
      return !!map;
    }
    case 'bpf_map__attach_struct_ops': {
      const map = ctx.member(arg(0), 'maps', st);
      if (map) emit({ kind: 'attach_struct_ops', ...base(ctx, call, map.skeleton), map }, call);
      return !!map;
    }
    case 'bpf_program__assoc_struct_ops':
    case 'bpf_prog_assoc_struct_ops': {
      const program = ctx.member(arg(0), 'progs', st);
      const map = ctx.member(arg(1), 'maps', st);
      if (!program && !map) return false;
      const flags = isNullPointer(arg(2)) ? 0 : 'unknown';
      emit({ kind: 'assoc', ...base(ctx, call, program?.skeleton ?? map?.skeleton ?? null), api: name, program, map, flags, text: call.text }, call);
      return true;
    }
  }
  return false;
}

/** The identifiers of a macro's arguments, split at top-level commas: `scx_ops_load!(skel, ops, uei)`. */
export function macroArguments(m: Node): string[] {
  const tree = m.namedChildren.find((c) => c?.type === 'token_tree');
  if (!tree) return [];
  const inner = tree.text.slice(1, -1);
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inner.slice(start).trim()) out.push(inner.slice(start).trim());
  return out;
}

/**
 * scx_utils' macros (rust/scx_utils/src/compat.rs): scx_ops_open!(builder, obj, OPS, opts) opens;
 * scx_ops_load!(skel, OPS, uei) loads and associates nothing (unlike C's SCX_OPS_LOAD);
 * scx_ops_attach!(skel, OPS) attaches the programs (skel.attach()), then the map OPS
 * (skel.maps.OPS.attach_struct_ops()).
 */
export function readScxMacro(m: Node, name: string, ctx: RustCallContext, skeletonByName: (v: string, st: PathState) => string | null): string | null {
  const { st, emit } = ctx;
  const args = macroArguments(m);
  const first = (args[0] ?? '').replace(/^&\s*(?:mut\s+)?/, '');
  const skel = skeletonByName(first, st);
  if (!skel) return null;
  const ops = name === 'scx_ops_open' ? args[2] : args[1];
  const map = ops && /^\w+$/.test(ops) ? { skeleton: skel, name: ops, location: ctx.loc(m) } : null;
  if (name === 'scx_ops_open') {
    emit({ kind: 'open', ...base(ctx, m, skel), skeleton: skel }, m);
    st.phases.set(skel, 'opened');
  } else if (name === 'scx_ops_load') {
    emit({ kind: 'load', ...base(ctx, m, skel), skeleton: skel }, m);
    st.phases.set(skel, 'loaded');
  } else {
    emit({ kind: 'attach', ...base(ctx, m, skel), skeleton: skel, programsOnly: true }, m);
    st.phases.set(skel, 'attached');
    if (map) emit({ kind: 'attach_struct_ops', ...base(ctx, m, skel), map }, m);
  }
  return skel;
}
