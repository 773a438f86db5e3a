// Resolving user-space expressions to the programs and maps of a skeleton:
// `skel->progs.P`, `skel->maps.M`, a local `struct bpf_program *p = skel->progs.P`,
// `bpf_object__find_program_by_name(obj, "P")`, `bpf_program__fd(...)`, `bpf_map__fd(...)`.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { Location, SkeletonMemberRef } from '../facts';

export type MemberKind = 'progs' | 'maps';

/** What a local variable holds, as far as its assignments show. */
export interface VarBinding {
  /** `struct NAME *` skeleton pointer. */
  skeletonType?: string;
  /** A program or map of a skeleton (or its fd). */
  member?: { kind: MemberKind; ref: SkeletonMemberRef; fd: boolean };
  /** bpf_object opened from a file. */
  objectName?: string;
  /** LIBBPF_OPTS(...) flags. */
  flags?: number | 'unknown';
  /** Its value when the code makes it a constant (a parameter given `true`, `int x = 0`). */
  value?: number | 'unknown';
  /** The call whose result it holds (`link = bpf_map__attach_struct_ops(...)`), by syntax node id. */
  resultOf?: number;
}

/**
 * A variable's binding as a scope keeps it: every field always present (undefined when unknown), so
 * that the code reading bindings on every path sees objects of one shape, however they were made.
 */
class Binding implements VarBinding {
  skeletonType: string | undefined;
  member: { kind: MemberKind; ref: SkeletonMemberRef; fd: boolean } | undefined;
  objectName: string | undefined;
  flags: number | 'unknown' | undefined;
  value: number | 'unknown' | undefined;
  resultOf: number | undefined;

  /** `before`'s fields, those that `change` has replaced (a field it holds, even undefined, replaces). */
  constructor(before: Binding | undefined, change: VarBinding) {
    this.skeletonType = 'skeletonType' in change ? change.skeletonType : before?.skeletonType;
    this.member = 'member' in change ? change.member : before?.member;
    this.objectName = 'objectName' in change ? change.objectName : before?.objectName;
    this.flags = 'flags' in change ? change.flags : before?.flags;
    this.value = 'value' in change ? change.value : before?.value;
    this.resultOf = 'resultOf' in change ? change.resultOf : before?.resultOf;
  }
}

export class Scope {
  private readonly vars = new Map<string, Binding>();
  /** signature(), until a variable is set again. */
  private known: string | null = null;
  constructor(private readonly parent: Scope | null = null) {}

  get(name: string): VarBinding | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }

  set(name: string, b: VarBinding): void {
    this.vars.set(name, new Binding(this.vars.get(name), b));
    this.known = null;
  }

  /** The enclosing scope (a function's is the file's globals). */
  parentScope(): Scope | null {
    return this.parent;
  }

  /** A copy for another path (the parent is shared: it is the file's globals). */
  clone(): Scope {
    const c = new Scope(this.parent);
    for (const [k, v] of this.vars) c.vars.set(k, v);
    c.known = this.known;
    return c;
  }

  /** What tells two paths apart here: constant values and call results. */
  signature(): string {
    if (this.known !== null) return this.known;
    let s = '';
    for (const [k, v] of this.vars) if (v.value !== undefined || v.resultOf !== undefined) s += `${k}=${v.value ?? ''}:${v.resultOf ?? ''};`;
    this.known = s;
    return s;
  }
}

export function unwrap(n: Node | null): Node | null {
  let e = n;
  // (A node's type is asked of the parser each time: once per node here.)
  for (let type = e?.type; e && (type === 'parenthesized_expression' || type === 'cast_expression'); type = e?.type) {
    e = type === 'cast_expression' ? e.childForFieldName('value') : (e.namedChildren[0] ?? null);
  }
  return e;
}

/** The skeleton type behind an expression like `skel` or `ctx->skel`. */
export function skeletonOf(n: Node | null, scope: Scope): string | null {
  const e = unwrap(n);
  if (!e) return null;
  const type = e.type;
  if (type === 'identifier') return scope.get(e.text)?.skeletonType ?? null;
  if (type === 'field_expression') {
    const field = e.childForFieldName('field')?.text;
    return field ? (scope.get(field)?.skeletonType ?? null) : null;
  }
  return null;
}

function stringArg(n: Node | null): string | null {
  const e = unwrap(n);
  if (e?.type !== 'string_literal') return null;
  return e.namedChildren.map((c) => c?.text ?? '').join('');
}

/**
 * What an expression is, as far as `member` asks (read from the tree once per node: every path
 * through a loader asks again, and the tree answers each question through the parser's runtime).
 */
type Shape =
  | { kind: 'name'; text: string }
  | { kind: 'element'; e: Node }
  | { kind: 'call'; e: Node; fn: string | undefined; args: (Node | null)[] }
  /** `X.of.name` or `X->of.name`: `skel->progs.P`; `skeleton`: the name X's skeleton is looked up by. */
  | { kind: 'field'; of: string | undefined; skeleton: string | null; name: Node; text: string; location?: Location }
  | { kind: 'other' };

/** The name `skeletonOf` looks an expression up by: a variable, or the field of `ctx->skel`. */
function skeletonKey(n: Node | null): string | null {
  const e = unwrap(n);
  const type = e?.type;
  if (type === 'identifier') return e?.text ?? null;
  if (type === 'field_expression') return e?.childForFieldName('field')?.text ?? null;
  return null;
}

export class RefResolver {
  private readonly shapes = new Map<number, Shape>();

  constructor(private readonly loc: (n: Node) => Location) {}

  private shapeOf(n: Node): Shape {
    let shape = this.shapes.get(n.id);
    if (shape) return shape;
    const e = unwrap(n);
    const type = e?.type;
    shape = { kind: 'other' };
    if (!e) return shape;
    if (type === 'identifier') shape = { kind: 'name', text: e.text };
    else if (type === 'subscript_expression') shape = { kind: 'element', e };
    else if (type === 'call_expression') shape = { kind: 'call', e, fn: e.childForFieldName('function')?.text, args: e.childForFieldName('arguments')?.namedChildren ?? [] };
    else if (type === 'field_expression') {
      // skel->progs.P : field_expression(argument: field_expression(argument: skel, field: progs), field: P)
      const inner = unwrap(e.childForFieldName('argument'));
      const name = e.childForFieldName('field');
      if (inner?.type === 'field_expression' && name) shape = { kind: 'field', of: inner.childForFieldName('field')?.text, skeleton: skeletonKey(inner.childForFieldName('argument')), name, text: name.text, location: undefined };
    }
    this.shapes.set(n.id, shape);
    return shape;
  }

  /** `skel->progs.P` / `skel->maps.M`, a variable bound to one, or a find-by-name call. */
  member(n: Node | null, scope: Scope, want: MemberKind, fd = false): SkeletonMemberRef | null {
    if (!n) return null;
    const shape = this.shapeOf(n);
    if (shape.kind === 'name') {
      const b = scope.get(shape.text)?.member;
      return b && b.kind === want && b.fd === fd ? b.ref : null;
    }
    if (shape.kind === 'element') {
      const element = arrayElement(shape.e, scope);
      const b = element ? scope.get(element)?.member : undefined;
      return b && b.kind === want && b.fd === fd ? b.ref : null;
    }
    if (shape.kind === 'call') {
      const { fn, args } = shape;
      if (fd && ((want === 'progs' && fn === 'bpf_program__fd') || (want === 'maps' && fn === 'bpf_map__fd'))) {
        return this.member(args[0] ?? null, scope, want, false);
      }
      const finder = want === 'progs' ? 'bpf_object__find_program_by_name' : 'bpf_object__find_map_by_name';
      if (!fd && fn === finder) {
        const name = stringArg(args[1] ?? null);
        const obj = unwrap(args[0] ?? null);
        let skeleton: string | null = null;
        if (obj?.type === 'identifier') skeleton = scope.get(obj.text)?.objectName ?? null;
        else if (obj?.type === 'field_expression') skeleton = skeletonOf(obj.childForFieldName('argument'), scope);
        if (name) return { skeleton, name, location: this.loc(args[1] as Node) };
        // A name the loader computes when it runs (`names[i]`, `prog_name + 4`): one of the object's, which is not known here.
        const written = args[1];
        return written ? { skeleton, name: '', location: this.loc(written), atRunTime: 'some', written: `${fn}(…, ${written.text})` } : null;
      }
      return null;
    }
    if (fd || shape.kind !== 'field' || shape.of !== want) return null;
    shape.location ??= this.loc(shape.name);
    return { skeleton: shape.skeleton === null ? null : (scope.get(shape.skeleton)?.skeletonType ?? null), name: shape.text, location: shape.location };
  }

  /** `skel->struct_ops.M->member` as the left side of an assignment. */
  shadowSlot(n: Node | null, scope: Scope): { map: SkeletonMemberRef; member: string } | null {
    const e = unwrap(n);
    if (e?.type !== 'field_expression') return null;
    const member = e.childForFieldName('field')?.text;
    const mapExpr = unwrap(e.childForFieldName('argument'));
    if (!member || mapExpr?.type !== 'field_expression') return null;
    const section = unwrap(mapExpr.childForFieldName('argument'));
    const mapName = mapExpr.childForFieldName('field');
    if (section?.type !== 'field_expression' || section.childForFieldName('field')?.text !== 'struct_ops' || !mapName) return null;
    const skeleton = skeletonOf(section.childForFieldName('argument'), scope);
    return { map: { skeleton, name: mapName.text, location: this.loc(mapName) }, member };
  }
}

/** `maps[i]` with a local array and an index the path knows: the element's name in the scope (`maps[1]`). */
export function arrayElement(n: Node | null, scope: Scope): string | null {
  const e = unwrap(n);
  if (e?.type !== 'subscript_expression') return null;
  const array = unwrap(e.childForFieldName('argument'));
  if (array?.type !== 'identifier') return null;
  const index = e.childForFieldName('index') ?? e.namedChildren[1] ?? null;
  const id = unwrap(index);
  const v = id?.type === 'identifier' ? scope.get(id.text)?.value : constInt(index);
  return typeof v === 'number' && v >= 0 ? `${array.text}[${v}]` : null;
}

/** A constant integer expression we can evaluate, or 'unknown'. */
export function constInt(n: Node | null, scope?: Scope): number | 'unknown' {
  const e = unwrap(n);
  if (!e) return 'unknown';
  const type = e.type;
  if (type === 'null') return 0;
  const text = e.text;
  if (text === 'NULL') return 0;
  if (type === 'number_literal') {
    const v = Number.parseInt(text.replace(/[uUlL]+$/, ''), text.startsWith('0x') || text.startsWith('0X') ? 16 : text.startsWith('0') && text.length > 1 ? 8 : 10);
    return Number.isNaN(v) ? 'unknown' : v;
  }
  if (type === 'true') return 1;
  if (type === 'false') return 0;
  if (type === 'unary_expression' && text.startsWith('-')) {
    const v = constInt(e.childForFieldName('argument'), scope);
    return v === 'unknown' ? v : -v;
  }
  if (type === 'binary_expression') {
    const a = constInt(e.childForFieldName('left'), scope);
    const b = constInt(e.childForFieldName('right'), scope);
    if (a === 'unknown' || b === 'unknown') return 'unknown';
    const op = e.childForFieldName('operator')?.text;
    if (op === '|') return a | b;
    if (op === '<<') return a << b;
    if (op === '+') return a + b;
    return 'unknown';
  }
  return 'unknown';
}

/** `true`/`false`/`0`/`1` as a boolean, or null when not constant. */
export function constBool(n: Node | null): boolean | null {
  const v = constInt(n);
  return v === 'unknown' ? null : v !== 0;
}

/** Flags from the text of `LIBBPF_OPTS(type, name, .flags = X, ...)`. */
export function optsFlags(callText: string): number | 'unknown' {
  const m = /\.flags\s*=\s*([^,)]+)/.exec(callText);
  if (!m?.[1]) return 0;
  const t = m[1].trim();
  if (/^(0x[0-9a-f]+|\d+)[uUlL]*$/i.test(t)) return Number.parseInt(t, t.toLowerCase().startsWith('0x') ? 16 : 10);
  return 'unknown';
}
