// The loader calls a path reads: each call the reader acts on becomes actions (loads, attaches,
// association calls, autoload/autocreate/autoattach changes) and phase changes of its skeleton.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { LoaderAction, LoaderPhase, Location, SkeletonMemberRef } from '../facts';
import { objectOpenedBy } from './objectOpens';
import { constInt, optsFlags, type RefResolver, type Scope, skeletonOf } from './refs';
import { stepArguments, stepCallee } from './stepIndex';
import { calleeOf, isLoaderCallName } from './loaderCalls';

/** The phase a skeleton is in after a lifecycle call. */
const NEXT_PHASE: Record<string, LoaderPhase | undefined> = { open: 'opened', load: 'loaded', open_and_load: 'loaded', attach: 'attached' };

export type Base = { location: Location; phase: LoaderPhase; inFunction: string };

/** What reading a call needs from its path and its reader. */
export interface CallContext {
  scope: Scope;
  phases: Map<string, LoaderPhase>;
  base: (n: Node, skel: string | null) => Base;
  emit: (a: LoaderAction) => void;
  refs: RefResolver;
  loc: (n: Node) => Location;
  /** An on/off argument's value on the path (runtimeValues.ts): null when only the run knows it. */
  valueOf: (n: Node | null) => boolean | null;
}

/** The call is one readLoaderCall acts on: a loader call, or an opts declaration macro. */
export function readsCall(fn: string): boolean {
  return fn === 'LIBBPF_OPTS' || fn === 'DECLARE_LIBBPF_OPTS' || isLoaderCallName(fn);
}

/**
 * One loader call on a path: a skeleton's lifecycle, libbpf's association, autoload/autocreate/
 * autoattach and attach calls, opts declarations, and sched_ext's SCX_OPS_* macros (as compat.h
 * defines them, libbpf >= 1.7: SCX_OPS_LOAD associates every non-struct_ops program).
 */
export function readLoaderCall(n: Node, ctx: CallContext): void {
  const { scope, phases, base, emit, refs } = ctx;
  const fn = stepCallee(n);
  const args = stepArguments(n);
  const arg = (i: number): Node | null => args[i] ?? null;
  const callee = calleeOf(fn);
  if (callee.skeleton !== null && callee.lifecycle !== null) {
    const skel = callee.skeleton;
    const kind = callee.lifecycle === 'open_opts' ? 'open' : (callee.lifecycle as 'open' | 'load' | 'open_and_load' | 'attach' | 'destroy');
    emit({ kind, ...base(n, skel), skeleton: skel });
    const next = NEXT_PHASE[kind];
    if (next) phases.set(skel, next);
    return;
  }
  // One named at run time is said as the call writes it (`map`, `iter_map`).
  const asWritten = (r: SkeletonMemberRef | null, i: number): SkeletonMemberRef | null => (r?.atRunTime ? { ...r, written: arg(i)?.text ?? r.written } : r);
  const prog = (i: number, fd = false) => asWritten(refs.member(arg(i), scope, 'progs', fd), i);
  // An association call on a program or map named at run time is read as one on an unknown one.
  const named = (r: SkeletonMemberRef | null): SkeletonMemberRef | null => (r?.atRunTime ? null : r);
  const map = (i: number, fd = false) => asWritten(refs.member(arg(i), scope, 'maps', fd), i);
  const flags = (i: number): number | 'unknown' => {
    const o = arg(i);
    // NULL as written or as a header defines it (`((void *)0)`).
    if (!o || constInt(o) === 0) return 0;
    const v = o.type === 'pointer_expression' ? o.childForFieldName('argument') : o;
    return v?.type === 'identifier' ? (scope.get(v.text)?.flags ?? 'unknown') : 'unknown';
  };
  switch (callee.call) {
    case 'LIBBPF_OPTS':
    case 'DECLARE_LIBBPF_OPTS': {
      const name = arg(1)?.text;
      if (name) scope.set(name, { flags: optsFlags(n.text) });
      return;
    }
    case 'bpf_object__for_each_map':
    case 'bpf_object__for_each_program': {
      // libbpf.h's iterator macro, read as a call followed by its body: the variable is every map
      // (program) of the object in turn, so what the body does to it, it does to each.
      const v = arg(0);
      if (v?.type !== 'identifier') return;
      const kind = fn === 'bpf_object__for_each_map' ? 'maps' : 'progs';
      const ref: SkeletonMemberRef = { skeleton: objectSkeleton(arg(1), scope), name: '', location: ctx.loc(v), atRunTime: 'every', written: v.text };
      scope.set(v.text, { member: { kind, ref, fd: false } });
      return;
    }
    case 'bpf_object__load': {
      const skel = objectSkeleton(arg(0), scope);
      if (skel) {
        emit({ kind: 'load', ...base(n, skel), skeleton: skel });
        phases.set(skel, 'loaded');
      }
      return;
    }
    case 'bpf_program__assoc_struct_ops':
    case 'bpf_prog_assoc_struct_ops': {
      const raw = fn === 'bpf_prog_assoc_struct_ops';
      const p = named(prog(0, raw));
      const m = named(map(1, raw));
      const api = raw ? 'bpf_prog_assoc_struct_ops' : 'bpf_program__assoc_struct_ops';
      emit({ kind: 'assoc', ...base(n, p?.skeleton ?? m?.skeleton ?? null), api, program: p, map: m, flags: flags(2), text: n.text });
      return;
    }
    case 'bpf_program__set_autoload': {
      const p = prog(0);
      if (p) emit({ kind: 'set_autoload', ...base(n, p.skeleton), program: p, value: ctx.valueOf(arg(1)) });
      return;
    }
    case 'bpf_map__set_autocreate':
    case 'bpf_map__set_autoattach': {
      const m = map(0);
      const kind = fn === 'bpf_map__set_autocreate' ? 'set_autocreate' : 'set_autoattach';
      if (m) emit({ kind, ...base(n, m.skeleton), map: m, value: ctx.valueOf(arg(1)) });
      return;
    }
    case 'bpf_map__attach_struct_ops': {
      const m = map(0);
      if (m) emit({ kind: 'attach_struct_ops', ...base(n, m.skeleton), map: m });
      return;
    }
    case 'SCX_OPS_OPEN': {
      const skel = arg(1)?.text;
      if (skel) {
        emit({ kind: 'open', ...base(n, skel), skeleton: skel });
        phases.set(skel, 'opened');
      }
      return;
    }
    case 'SCX_OPS_LOAD':
    case 'SCX_OPS_ATTACH':
      return scx(fn, n, args, ctx);
    case 'bpf_object__open_file':
    case 'bpf_object__open':
    case 'bpf_object__open_mem': {
      // A bpf_object opened from its file, or from the bytes of one (objectOpens.ts), starts a lifecycle like a skeleton's open.
      const objectName = objectOpenedBy(fn, n, args);
      if (objectName) {
        emit({ kind: 'open', ...base(n, objectName), skeleton: objectName });
        phases.set(objectName, 'opened');
      }
      return;
    }
    case 'bpf_link__update_map': {
      // libbpf updates the new map's value first (the kernel associates its programs), then the link.
      const m = map(1);
      if (m) emit({ kind: 'attach_struct_ops', ...base(n, m.skeleton), map: m });
      return;
    }
  }
}

/** The skeleton (or object opened from its file) behind a `struct bpf_object *` expression: `skel->obj`, `obj`. */
function objectSkeleton(n: Node | null, scope: Scope): string | null {
  return skeletonOf(n?.childForFieldName('argument') ?? n, scope) ?? (n?.type === 'identifier' ? (scope.get(n.text)?.objectName ?? null) : null);
}

/** sched_ext's compat.h: SCX_OPS_LOAD(skel, ops, name, uei), SCX_OPS_ATTACH(skel, ops, name). */
function scx(fn: string, n: Node, args: Node[], { phases, base, emit, loc }: CallContext): void {
  const skel = args[2]?.text ?? null;
  const opsNode = args[1];
  if (!skel || !opsNode) return;
  const map = { skeleton: skel, name: opsNode.text, location: loc(opsNode) };
  if (fn === 'SCX_OPS_LOAD') {
    emit({ kind: 'load', ...base(n, skel), skeleton: skel });
    phases.set(skel, 'loaded');
    emit({ kind: 'assoc', ...base(n, skel), api: 'SCX_OPS_LOAD', program: null, allNonStructOps: true, map, flags: 0, text: n.text });
    return;
  }
  emit({ kind: 'set_autoattach', ...base(n, skel), map, value: false });
  emit({ kind: 'attach', ...base(n, skel), skeleton: skel });
  phases.set(skel, 'attached');
  emit({ kind: 'attach_struct_ops', ...base(n, skel), map });
}
