// What a loader's declarations, assignments and a followed helper's parameters bind its variables
// to, on one path: a skeleton (`struct NAME *skel = NAME__open()`), a program or a map of one
// (`skel->progs.P`, an array of them by index), a bpf_object opened from its file, a constant, the
// call whose result it holds; and the slot re-pointing an assignment makes (`skel->struct_ops.M->x = ...`).
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { LoaderAction, LoaderPhase, Location } from '../facts';
import { declaredName } from '../bpfSource';
import { objectOpenedBy } from './objectOpens';
import { evaluate } from './branches';
import { LIFECYCLE, scxCall } from './loaderCalls';
import type { PathState } from './pathState';
import { arrayElement, constInt, type RefResolver, type Scope, skeletonOf, unwrap } from './refs';

/** Elements of a local array of programs or maps the reader follows by index. */
const MAX_ARRAY_ELEMENTS = 16;

export class LoaderBindings {
  constructor(
    private readonly refs: RefResolver,
    /** The file's skeleton types (a bpf_object opened from its file adds its object's name). */
    private readonly skeletonTypes: Set<string>,
  ) {}

  declareParameters(fn: Node, scope: Scope): void {
    const declarator = fn.childForFieldName('declarator');
    const params = declarator?.type === 'function_declarator' ? declarator.childForFieldName('parameters') : null;
    for (const p of params?.namedChildren ?? []) if (p?.type === 'parameter_declaration') this.declare(p, scope);
  }

  bindParameters(fn: Node, args: Node[], caller: PathState, callee: Scope): void {
    this.declareParameters(fn, callee);
    const declarator = fn.childForFieldName('declarator');
    const params = (declarator?.type === 'function_declarator' ? declarator.childForFieldName('parameters')?.namedChildren ?? [] : []).filter((p) => p?.type === 'parameter_declaration');
    params.forEach((p, i) => {
      const name = declaredName(p?.childForFieldName('declarator') ?? null)?.text;
      const arg = args[i];
      if (!name || !arg) return;
      const skeleton = skeletonOf(arg, caller.scope);
      if (skeleton) callee.set(name, { skeletonType: skeleton });
      for (const kind of ['progs', 'maps'] as const) {
        for (const fd of [false, true]) {
          const ref = this.refs.member(arg, caller.scope, kind, fd);
          if (ref) callee.set(name, { member: { kind, ref, fd } });
        }
      }
      const v = evaluate(arg, caller);
      callee.set(name, { value: v });
      const object = arg.type === 'identifier' ? caller.scope.get(arg.text)?.objectName : undefined;
      if (object) callee.set(name, { objectName: object, skeletonType: object });
    });
  }

  declare(decl: Node, scope: Scope): void {
    const type = decl.childForFieldName('type');
    const typeName = type?.type === 'struct_specifier' ? type.childForFieldName('name')?.text : undefined;
    for (const d of decl.childrenForFieldName('declarator')) {
      if (!d) continue;
      const name = declaredName(d)?.text;
      if (!name) continue;
      if (typeName && this.skeletonTypes.has(typeName) && d.text.includes('*')) scope.set(name, { skeletonType: typeName });
      const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      // `struct bpf_map *maps[] = { skel->maps.a, skel->maps.b }`: each element by its index (bounded).
      if (value?.type === 'initializer_list') value.namedChildren.slice(0, MAX_ARRAY_ELEMENTS).forEach((x, i) => this.bind(`${name}[${i}]`, x, scope));
      else if (value) this.bind(name, value, scope);
    }
  }

  private bind(name: string, value: Node | null, scope: Scope): void {
    if (!value) return;
    const v = unwrap(value);
    scope.set(name, { value: constInt(value), resultOf: v?.type === 'call_expression' ? v.id : undefined });
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
      if (scxCall(fn) === 'SCX_OPS_OPEN') {
        const skel = value.childForFieldName('arguments')?.namedChildren[1]?.text;
        if (skel) scope.set(name, { skeletonType: skel });
      }
      if (fn === 'bpf_object__open_file' || fn === 'bpf_object__open' || fn === 'bpf_object__open_mem') {
        const objectName = objectOpenedBy(fn, value, value.childForFieldName('arguments')?.namedChildren ?? []);
        if (objectName) {
          this.skeletonTypes.add(objectName);
          scope.set(name, { objectName, skeletonType: objectName });
        }
      }
    }
  }

  assignment(
    n: Node,
    scope: Scope,
    base: (n: Node, skel: string | null) => { location: Location; phase: LoaderPhase; inFunction: string },
    emit: (a: LoaderAction) => void,
  ): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (left?.type === 'identifier') return this.bind(left.text, right, scope);
    // `maps[0] = skel->maps.a`: an element of a local array of programs or maps, by constant index.
    const element = arrayElement(left, scope);
    if (element) return this.bind(element, right, scope);
    const slot = this.refs.shadowSlot(left, scope);
    if (!slot) return;
    const found = this.refs.member(right, scope, 'progs');
    const program = found?.atRunTime ? null : found;
    if (!program && constInt(right) !== 0) return emit({ kind: 'data_assign', ...base(n, slot.map.skeleton), map: slot.map, member: slot.member });
    emit({ kind: 'slot_assign', ...base(n, slot.map.skeleton), map: slot.map, member: slot.member, program });
  }
}
