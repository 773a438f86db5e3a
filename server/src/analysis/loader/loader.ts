// User-space C -> loader facts: the skeleton lifecycle (open, load, attach), the association
// calls, autoload/autocreate/autoattach changes and slot re-pointing, each with the lifecycle
// phase it happens in. Calls are taken in source order within a function; a helper function's
// entry phase comes from its call sites in the same file.
import type { ParsedC } from '../c/document';
import type { Node } from '../c/parser';
import type { LoaderAction, LoaderFacts, LoaderPhase, Location } from '../facts';
import { constBool, constInt, optsFlags, RefResolver, Scope, skeletonOf } from './refs';
import { objectNamesForObject } from '../objectNames';
import { declaredName } from '../bpfSource';
import { query } from '../c/queries';

const LIFECYCLE = /^(\w+?)__(open|open_opts|load|open_and_load|attach|destroy)$/;
type PhaseState = Map<string, LoaderPhase>;

interface FunctionWalk {
  name: string;
  node: Node;
}

export class LoaderReader {
  private readonly refs: RefResolver;
  private readonly globals = new Scope();
  private readonly functions = new Map<string, FunctionWalk>();
  private readonly skeletonTypes = new Set<string>();
  private callSites = new Map<string, PhaseState[]>();

  constructor(
    private readonly parsed: ParsedC,
    private readonly file: string,
  ) {
    this.refs = new RefResolver((n) => this.loc(n));
  }

  private loc(n: Node): Location {
    const map = this.parsed.expansion.map;
    const s = map.toSource(n.startIndex);
    return { file: this.file, range: this.parsed.lines.range(s, Math.max(s, map.toSource(n.endIndex, true))) };
  }

  read(): LoaderFacts {
    const facts: LoaderFacts = { file: this.file, includes: [], skeletonTypes: [], actions: [], problems: [] };
    const text = this.parsed.text;
    for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*["<]([^">]+\.skel\.h)[">]/gm)) {
      const at = (m.index ?? 0) + m[0].indexOf(m[1] ?? '');
      facts.includes.push({ path: m[1] ?? '', location: { file: this.file, range: this.parsed.lines.range(at, at + (m[1]?.length ?? 0)) } });
      this.skeletonTypes.add((m[1] ?? '').replace(/^.*\//, '').replace(/\.skel\.h$/, '').replace(/[^\w]/g, '_'));
    }
    for (const m of text.matchAll(/\b(\w+?)__(?:open|open_opts|open_and_load)\s*\(/g)) if (m[1]) this.skeletonTypes.add(m[1]);
    for (const m of text.matchAll(/\bSCX_OPS_OPEN\s*\(\s*\w+\s*,\s*(\w+)\s*\)/g)) if (m[1]) this.skeletonTypes.add(m[1]);
    const tree = this.parsed.tree;
    if (!tree) return facts;
    for (const top of tree.rootNode.namedChildren) {
      if (top?.type === 'function_definition') {
        const name = declaredName(top.childForFieldName('declarator'))?.text;
        if (name) this.functions.set(name, { name, node: top });
      } else if (top?.type === 'declaration') this.declare(top, this.globals);
    }
    // Two passes: the first finds the phase at each call of a local function, the second
    // starts each function in the phase its callers agree on.
    const callsLocal = [...this.functions.values()].some((fn) => {
      const body = fn.node.childForFieldName('body');
      return !!body && this.steps(body).some((n) => n.type === 'call_expression' && this.functions.has(n.childForFieldName('function')?.text ?? ''));
    });
    if (callsLocal) for (const fn of this.functions.values()) this.walk(fn, new Map(), null);
    const entry = this.entryPhases();
    this.callSites = new Map();
    for (const fn of this.functions.values()) this.walk(fn, entry.get(fn.name) ?? new Map(), facts.actions);
    facts.skeletonTypes = [...this.skeletonTypes];
    return facts;
  }

  private entryPhases(): Map<string, PhaseState> {
    const out = new Map<string, PhaseState>();
    for (const [fn, sites] of this.callSites) {
      const merged: PhaseState = new Map();
      for (const skel of new Set(sites.flatMap((s) => [...s.keys()]))) {
        const phases = new Set(sites.map((s) => s.get(skel) ?? 'unknown'));
        merged.set(skel, phases.size === 1 ? ([...phases][0] as LoaderPhase) : 'unknown');
      }
      out.set(fn, merged);
    }
    return out;
  }

  private declare(decl: Node, scope: Scope): void {
    const type = decl.childForFieldName('type');
    const typeName = type?.type === 'struct_specifier' ? type.childForFieldName('name')?.text : undefined;
    for (const d of decl.childrenForFieldName('declarator')) {
      if (!d) continue;
      const name = declaredName(d)?.text;
      if (!name) continue;
      if (typeName && this.skeletonTypes.has(typeName) && d.text.includes('*')) scope.set(name, { skeletonType: typeName });
      if (d.type === 'init_declarator') this.bind(name, d.childForFieldName('value'), scope);
    }
  }

  private bind(name: string, value: Node | null, scope: Scope): void {
    if (!value) return;
    for (const kind of ['progs', 'maps'] as const) {
      for (const fd of [false, true]) {
        const ref = this.refs.member(value, scope, kind, fd);
        if (ref) return scope.set(name, { member: { kind, ref, fd } });
      }
    }
    if (value.type === 'call_expression') {
      const fn = value.childForFieldName('function')?.text ?? '';
      const m = LIFECYCLE.exec(fn);
      if (m?.[1] && (m[2] === 'open' || m[2] === 'open_opts' || m[2] === 'open_and_load')) scope.set(name, { skeletonType: m[1] });
      if (fn === 'SCX_OPS_OPEN') {
        const skel = value.childForFieldName('arguments')?.namedChildren[1]?.text;
        if (skel) scope.set(name, { skeletonType: skel });
      }
      if (fn === 'bpf_object__open_file' || fn === 'bpf_object__open') {
        const path = /"([^"]+)"/.exec(value.text)?.[1];
        const objectName = path ? objectNamesForObject(path)[1] ?? objectNamesForObject(path)[0] : undefined;
        if (objectName) {
          this.skeletonTypes.add(objectName);
          scope.set(name, { objectName, skeletonType: objectName });
        }
      }
    }
  }

  private walk(fn: FunctionWalk, entry: PhaseState, actions: LoaderAction[] | null): void {
    const scope = new Scope(this.globals);
    const phases: PhaseState = new Map(entry);
    const declarator = fn.node.childForFieldName('declarator');
    const params = declarator?.type === 'function_declarator' ? declarator.childForFieldName('parameters') : null;
    for (const p of params?.namedChildren ?? []) if (p?.type === 'parameter_declaration') this.declare(p, scope);
    const body = fn.node.childForFieldName('body');
    if (!body) return;
    const phaseOf = (skel: string | null): LoaderPhase => {
      if (skel) return phases.get(skel) ?? 'unknown';
      return phases.size === 1 ? ([...phases.values()][0] as LoaderPhase) : 'unknown';
    };
    const emit = (a: LoaderAction): void => {
      actions?.push(a);
    };
    const base = (n: Node, skel: string | null) => ({ location: this.loc(n), phase: phaseOf(skel), inFunction: fn.name });
    for (const n of this.steps(body)) {
      if (n.type === 'declaration') this.declare(n, scope);
      else if (n.type === 'assignment_expression') this.assignment(n, scope, base, emit);
      else this.call(n, scope, phases, base, emit);
    }
  }

  private readonly stepCache = new Map<number, Node[]>();

  /** Declarations, assignments and calls of a body in source order (outer before inner). */
  private steps(body: Node): Node[] {
    let steps = this.stepCache.get(body.id);
    if (!steps) {
      steps = query('loaderSteps')
        .captures(body)
        .map((c) => c.node)
        .sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
      this.stepCache.set(body.id, steps);
    }
    return steps;
  }

  private assignment(
    n: Node,
    scope: Scope,
    base: (n: Node, skel: string | null) => { location: Location; phase: LoaderPhase; inFunction: string },
    emit: (a: LoaderAction) => void,
  ): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (left?.type === 'identifier') return this.bind(left.text, right, scope);
    const slot = this.refs.shadowSlot(left, scope);
    if (!slot) return;
    const program = this.refs.member(right, scope, 'progs');
    if (!program && constInt(right) !== 0) return;
    emit({ kind: 'slot_assign', ...base(n, slot.map.skeleton), map: slot.map, member: slot.member, program });
  }

  private call(
    n: Node,
    scope: Scope,
    phases: PhaseState,
    base: (n: Node, skel: string | null) => { location: Location; phase: LoaderPhase; inFunction: string },
    emit: (a: LoaderAction) => void,
  ): void {
    const fn = n.childForFieldName('function')?.text ?? '';
    const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a);
    const arg = (i: number): Node | null => args[i] ?? null;
    const life = LIFECYCLE.exec(fn);
    if (life?.[1] && life[2]) {
      const skel = life[1];
      const kind = life[2] === 'open_opts' ? 'open' : (life[2] as 'open' | 'load' | 'open_and_load' | 'attach' | 'destroy');
      emit({ kind, ...base(n, skel), skeleton: skel });
      const next: Record<string, LoaderPhase> = { open: 'opened', load: 'loaded', open_and_load: 'loaded', attach: 'attached' };
      if (next[kind]) phases.set(skel, next[kind] as LoaderPhase);
      return;
    }
    const prog = (i: number, fd = false) => this.refs.member(arg(i), scope, 'progs', fd);
    const map = (i: number, fd = false) => this.refs.member(arg(i), scope, 'maps', fd);
    const flags = (i: number): number | 'unknown' => {
      const o = arg(i);
      if (!o || o.text === 'NULL' || o.type === 'null') return 0;
      const v = o.type === 'pointer_expression' ? o.childForFieldName('argument') : o;
      return v?.type === 'identifier' ? (scope.get(v.text)?.flags ?? 'unknown') : 'unknown';
    };
    switch (fn) {
      case 'LIBBPF_OPTS':
      case 'DECLARE_LIBBPF_OPTS': {
        const name = arg(1)?.text;
        if (name) scope.set(name, { flags: optsFlags(n.text) });
        return;
      }
      case 'bpf_object__load': {
        const skel = skeletonOf(arg(0)?.childForFieldName('argument') ?? arg(0), scope) ?? (arg(0)?.type === 'identifier' ? (scope.get(arg(0)?.text ?? '')?.objectName ?? null) : null);
        if (skel) {
          emit({ kind: 'load', ...base(n, skel), skeleton: skel });
          phases.set(skel, 'loaded');
        }
        return;
      }
      case 'bpf_program__assoc_struct_ops':
      case 'bpf_prog_assoc_struct_ops': {
        const raw = fn === 'bpf_prog_assoc_struct_ops';
        const p = prog(0, raw);
        const m = map(1, raw);
        emit({ kind: 'assoc', ...base(n, p?.skeleton ?? m?.skeleton ?? null), api: fn, program: p, map: m, flags: flags(2), text: n.text });
        return;
      }
      case 'bpf_program__set_autoload': {
        const p = prog(0);
        if (p) emit({ kind: 'set_autoload', ...base(n, p.skeleton), program: p, value: constBool(arg(1)) });
        return;
      }
      case 'bpf_map__set_autocreate':
      case 'bpf_map__set_autoattach': {
        const m = map(0);
        const kind = fn === 'bpf_map__set_autocreate' ? 'set_autocreate' : 'set_autoattach';
        if (m) emit({ kind, ...base(n, m.skeleton), map: m, value: constBool(arg(1)) });
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
        return this.scx(fn, n, args, phases, base, emit);
      default: {
        if (this.functions.has(fn)) {
          const sites = this.callSites.get(fn) ?? [];
          sites.push(new Map(phases));
          this.callSites.set(fn, sites);
        }
      }
    }
  }

  /** sched_ext's compat.h: SCX_OPS_LOAD(skel, ops, name, uei), SCX_OPS_ATTACH(skel, ops, name). */
  private scx(
    fn: string,
    n: Node,
    args: Node[],
    phases: PhaseState,
    base: (n: Node, skel: string | null) => { location: Location; phase: LoaderPhase; inFunction: string },
    emit: (a: LoaderAction) => void,
  ): void {
    const skel = args[2]?.text ?? null;
    const opsNode = args[1];
    if (!skel || !opsNode) return;
    const map = { skeleton: skel, name: opsNode.text, location: this.loc(opsNode) };
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
}

export function readLoader(parsed: ParsedC, file: string): LoaderFacts {
  return new LoaderReader(parsed, file).read();
}
