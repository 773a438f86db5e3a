// Resolving user-space expressions to the programs and maps of a skeleton:
// `skel->progs.P`, `skel->maps.M`, a local `struct bpf_program *p = skel->progs.P`,
// `bpf_object__find_program_by_name(obj, "P")`, `bpf_program__fd(...)`, `bpf_map__fd(...)`.
import type { Node } from '../c/parser';
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

export class Scope {
  private readonly vars = new Map<string, VarBinding>();
  constructor(private readonly parent: Scope | null = null) {}

  get(name: string): VarBinding | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }

  set(name: string, b: VarBinding): void {
    this.vars.set(name, { ...this.vars.get(name), ...b });
  }

  /** The enclosing scope (a function's is the file's globals). */
  parentScope(): Scope | null {
    return this.parent;
  }

  /** A copy for another path (the parent is shared: it is the file's globals). */
  clone(): Scope {
    const c = new Scope(this.parent);
    for (const [k, v] of this.vars) c.vars.set(k, v);
    return c;
  }

  /** What tells two paths apart here: constant values and call results. */
  signature(): string {
    let s = '';
    for (const [k, v] of this.vars) if (v.value !== undefined || v.resultOf !== undefined) s += `${k}=${v.value ?? ''}:${v.resultOf ?? ''};`;
    return s;
  }
}

export function unwrap(n: Node | null): Node | null {
  let e = n;
  while (e && (e.type === 'parenthesized_expression' || e.type === 'cast_expression')) {
    e = e.type === 'cast_expression' ? e.childForFieldName('value') : (e.namedChildren[0] ?? null);
  }
  return e;
}

/** The skeleton type behind an expression like `skel` or `ctx->skel`. */
export function skeletonOf(n: Node | null, scope: Scope): string | null {
  const e = unwrap(n);
  if (!e) return null;
  if (e.type === 'identifier') return scope.get(e.text)?.skeletonType ?? null;
  if (e.type === 'field_expression') {
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

export class RefResolver {
  constructor(private readonly loc: (n: Node) => Location) {}

  /** `skel->progs.P` / `skel->maps.M`, a variable bound to one, or a find-by-name call. */
  member(n: Node | null, scope: Scope, want: MemberKind, fd = false): SkeletonMemberRef | null {
    const e = unwrap(n);
    if (!e) return null;
    if (e.type === 'identifier') {
      const b = scope.get(e.text)?.member;
      return b && b.kind === want && b.fd === fd ? b.ref : null;
    }
    if (e.type === 'subscript_expression') {
      const element = arrayElement(e, scope);
      const b = element ? scope.get(element)?.member : undefined;
      return b && b.kind === want && b.fd === fd ? b.ref : null;
    }
    if (e.type === 'pointer_expression' && e.text.startsWith('&')) return null;
    if (e.type === 'call_expression') {
      const fn = e.childForFieldName('function')?.text;
      const args = e.childForFieldName('arguments')?.namedChildren ?? [];
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
        return name ? { skeleton, name, location: this.loc(args[1] as Node) } : null;
      }
      return null;
    }
    if (fd || e.type !== 'field_expression') return null;
    // skel->progs.P : field_expression(argument: field_expression(argument: skel, field: progs), field: P)
    const inner = unwrap(e.childForFieldName('argument'));
    const name = e.childForFieldName('field');
    if (inner?.type !== 'field_expression' || !name) return null;
    if (inner.childForFieldName('field')?.text !== want) return null;
    return { skeleton: skeletonOf(inner.childForFieldName('argument'), scope), name: name.text, location: this.loc(name) };
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
  if (e.type === 'null' || e.text === 'NULL') return 0;
  if (e.type === 'number_literal') {
    const v = Number.parseInt(e.text.replace(/[uUlL]+$/, ''), e.text.startsWith('0x') || e.text.startsWith('0X') ? 16 : e.text.startsWith('0') && e.text.length > 1 ? 8 : 10);
    return Number.isNaN(v) ? 'unknown' : v;
  }
  if (e.type === 'true') return 1;
  if (e.type === 'false') return 0;
  if (e.type === 'unary_expression' && e.text.startsWith('-')) {
    const v = constInt(e.childForFieldName('argument'), scope);
    return v === 'unknown' ? v : -v;
  }
  if (e.type === 'binary_expression') {
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
