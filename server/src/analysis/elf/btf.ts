// .BTF reader: the header, every type kind up to ENUM64, and the string section; plus the few
// questions the struct_ops model asks of BTF (what a member is, which variables a DATASEC holds,
// which functions are extern). Byte order comes from the BTF magic. Never throws.
import { ByteReader } from './bytes';

export type BtfLinkage = 'static' | 'global' | 'extern';

export interface BtfMember {
  name: string;
  type: number;
  bitOffset: number;
  /** Bitfield width, 0 for a plain member. */
  bitfieldSize: number;
}

export interface BtfParam {
  name: string;
  type: number;
}

export interface BtfVarSecinfo {
  type: number;
  offset: number;
  size: number;
}

export type BtfType =
  | { kind: 'void'; name: '' }
  | { kind: 'int'; name: string; size: number; bits: number; encoding: number; bitOffset: number }
  | { kind: 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag'; name: string; type: number }
  | { kind: 'array'; name: string; elemType: number; indexType: number; count: number }
  | { kind: 'struct' | 'union'; name: string; size: number; members: BtfMember[] }
  | { kind: 'enum'; name: string; size: number; signed: boolean; values: { name: string; value: number }[] }
  | { kind: 'enum64'; name: string; size: number; signed: boolean; values: { name: string; value: bigint }[] }
  | { kind: 'fwd'; name: string; union: boolean }
  | { kind: 'func'; name: string; type: number; linkage: BtfLinkage }
  | { kind: 'func_proto'; name: string; returnType: number; params: BtfParam[] }
  | { kind: 'var'; name: string; type: number; linkage: BtfLinkage }
  | { kind: 'datasec'; name: string; size: number; vars: BtfVarSecinfo[] }
  | { kind: 'float'; name: string; size: number }
  | { kind: 'decl_tag'; name: string; type: number; componentIndex: number };

export interface Btf {
  /** Indexed by type id; id 0 is void. */
  types: BtfType[];
  /** The raw string section, for names referenced from elsewhere (.BTF.ext). */
  string(offset: number): string | null;
}

export type BtfResult = { ok: true; btf: Btf; problems: string[] } | { ok: false; message: string };

const LINKAGE: readonly BtfLinkage[] = ['static', 'global', 'extern'];
const HEADER_SIZE = 24;

export function readBtf(bytes: Uint8Array): BtfResult {
  if (bytes.length < HEADER_SIZE) return { ok: false, message: `.BTF is ${bytes.length} bytes, shorter than its header` };
  const le = bytes[0] === 0x9f && bytes[1] === 0xeb;
  if (!le && !(bytes[0] === 0xeb && bytes[1] === 0x9f)) return { ok: false, message: '.BTF does not start with the BTF magic 0xeB9F' };
  const r = new ByteReader(bytes, le);
  const hdrLen = r.u32(4);
  const typeOff = r.u32(8);
  const typeLen = r.u32(12);
  const strOff = r.u32(16);
  const strLen = r.u32(20);
  if (hdrLen < HEADER_SIZE || !r.has(hdrLen + typeOff, typeLen) || !r.has(hdrLen + strOff, strLen)) {
    return { ok: false, message: `.BTF header describes types (${typeOff}+${typeLen}) or strings (${strOff}+${strLen}) outside its ${bytes.length} bytes` };
  }
  const strStart = hdrLen + strOff;
  const strEnd = strStart + strLen;
  const string = (offset: number): string | null => (offset < strLen ? r.cString(strStart + offset, strEnd) : null);
  const problems: string[] = [];
  let badNames = 0;
  const name = (offset: number): string => {
    const s = string(offset);
    if (s === null) badNames++;
    return s ?? '';
  };

  const types: BtfType[] = [{ kind: 'void', name: '' }];
  const end = hdrLen + typeOff + typeLen;
  let at = hdrLen + typeOff;
  while (at + 12 <= end) {
    const info = r.u32(at + 4);
    const vlen = info & 0xffff;
    const kindNumber = (info >>> 24) & 0x1f;
    const kindFlag = info >>> 31 === 1;
    const n = name(r.u32(at));
    const sizeOrType = r.u32(at + 8);
    const body = at + 12;
    const extra = trailingSize(kindNumber, vlen);
    if (extra === null) {
      problems.push(`.BTF type [${types.length}] has unknown kind ${kindNumber}; the types after it are not read`);
      break;
    }
    if (body + extra > end) {
      problems.push(`.BTF type [${types.length}] runs past the end of the type section`);
      break;
    }
    types.push(decodeType(r, kindNumber, kindFlag, vlen, n, sizeOrType, body, name));
    at = body + extra;
  }
  if (badNames > 0) problems.push(`.BTF has ${badNames} name offset(s) outside its string section`);
  return { ok: true, btf: { types, string }, problems };
}

/** Bytes that follow the 12-byte common header for a kind, or null for an unknown kind. */
function trailingSize(kind: number, vlen: number): number | null {
  switch (kind) {
    case 1: // INT
    case 14: // VAR
    case 17: // DECL_TAG
      return 4;
    case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18:
      return 0; // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
    case 3: // ARRAY
      return 12;
    case 4: case 5: case 15: case 19:
      return 12 * vlen; // STRUCT UNION DATASEC ENUM64
    case 6: case 13:
      return 8 * vlen; // ENUM FUNC_PROTO
    default:
      return null;
  }
}

const REF_KINDS = { 2: 'ptr', 8: 'typedef', 9: 'volatile', 10: 'const', 11: 'restrict', 18: 'type_tag' } as const;

function decodeType(
  r: ByteReader,
  kind: number,
  kindFlag: boolean,
  vlen: number,
  name: string,
  sizeOrType: number,
  body: number,
  nameAt: (offset: number) => string,
): BtfType {
  const list = <T>(stride: number, item: (at: number) => T): T[] => {
    const out: T[] = [];
    for (let i = 0; i < vlen; i++) out.push(item(body + i * stride));
    return out;
  };
  switch (kind) {
    case 1: {
      const v = r.u32(body);
      return { kind: 'int', name, size: sizeOrType, bits: v & 0xff, bitOffset: (v >>> 16) & 0xff, encoding: (v >>> 24) & 0x0f };
    }
    case 2: case 8: case 9: case 10: case 11: case 18:
      return { kind: REF_KINDS[kind], name, type: sizeOrType };
    case 3:
      return { kind: 'array', name, elemType: r.u32(body), indexType: r.u32(body + 4), count: r.u32(body + 8) };
    case 4: case 5:
      return {
        kind: kind === 4 ? 'struct' : 'union',
        name,
        size: sizeOrType,
        members: list(12, (at) => {
          const offset = r.u32(at + 8);
          return {
            name: nameAt(r.u32(at)),
            type: r.u32(at + 4),
            bitOffset: kindFlag ? offset & 0xffffff : offset,
            bitfieldSize: kindFlag ? offset >>> 24 : 0,
          };
        }),
      };
    case 6:
      return { kind: 'enum', name, size: sizeOrType, signed: kindFlag, values: list(8, (at) => ({ name: nameAt(r.u32(at)), value: kindFlag ? r.i32(at + 4) : r.u32(at + 4) })) };
    case 19:
      return {
        kind: 'enum64',
        name,
        size: sizeOrType,
        signed: kindFlag,
        values: list(12, (at) => {
          const v = (BigInt(r.u32(at + 8)) << 32n) | BigInt(r.u32(at + 4));
          return { name: nameAt(r.u32(at)), value: kindFlag ? BigInt.asIntN(64, v) : v };
        }),
      };
    case 7:
      return { kind: 'fwd', name, union: kindFlag };
    case 12:
      return { kind: 'func', name, type: sizeOrType, linkage: LINKAGE[vlen] ?? 'static' };
    case 13:
      return { kind: 'func_proto', name, returnType: sizeOrType, params: list(8, (at) => ({ name: nameAt(r.u32(at)), type: r.u32(at + 4) })) };
    case 14:
      return { kind: 'var', name, type: sizeOrType, linkage: LINKAGE[r.u32(body)] ?? 'static' };
    case 15:
      return { kind: 'datasec', name, size: sizeOrType, vars: list(12, (at) => ({ type: r.u32(at), offset: r.u32(at + 4), size: r.u32(at + 8) })) };
    case 16:
      return { kind: 'float', name, size: sizeOrType };
    default: // 17, DECL_TAG (trailingSize admits no other kind)
      return { kind: 'decl_tag', name, type: sizeOrType, componentIndex: r.i32(body) };
  }
}

// ---------------------------------------------------------------------------------------------
// Questions the model asks

const MODIFIERS = new Set(['typedef', 'volatile', 'const', 'restrict', 'type_tag']);

/** Follows typedef/const/volatile/restrict/type_tag to the type underneath (libbpf's skip_mods_and_typedefs). */
export function skipModifiers(btf: Btf, id: number): { id: number; type: BtfType | undefined } {
  let cur = id;
  let t = btf.types[cur];
  // A chain longer than the number of types is a cycle in a corrupt file.
  for (let steps = 0; t && MODIFIERS.has(t.kind) && steps < btf.types.length; steps++) {
    cur = (t as { type: number }).type;
    t = btf.types[cur];
  }
  return { id: cur, type: t };
}

/** True when the type is a pointer to a function prototype, through modifiers (libbpf's resolve_func_ptr). */
export function isFunctionPointer(btf: Btf, id: number): boolean {
  const p = skipModifiers(btf, id).type;
  if (p?.kind !== 'ptr') return false;
  return skipModifiers(btf, p.type).type?.kind === 'func_proto';
}

/** The struct or union member that starts exactly at `bitOffset` (libbpf's find_member_by_offset). */
export function memberAtBitOffset(type: BtfType | undefined, bitOffset: number): BtfMember | undefined {
  if (type?.kind !== 'struct' && type?.kind !== 'union') return undefined;
  return type.members.find((m) => m.bitOffset === bitOffset);
}

/** The DATASEC named `name`, if BTF has one. */
export function findDatasec(btf: Btf, name: string): Extract<BtfType, { kind: 'datasec' }> | undefined {
  for (const t of btf.types) if (t.kind === 'datasec' && t.name === name) return t;
  return undefined;
}

/** A readable C spelling of a type, for messages: `struct bpf_prog_aux *`, `const char *`. */
export function typeName(btf: Btf, id: number, depth = 0): string {
  const t = btf.types[id];
  if (!t || depth > 16) return '?';
  switch (t.kind) {
    case 'void': return 'void';
    case 'ptr': return `${typeName(btf, t.type, depth + 1)} *`;
    case 'const': case 'volatile': case 'restrict': return `${t.kind} ${typeName(btf, t.type, depth + 1)}`;
    case 'type_tag': return typeName(btf, t.type, depth + 1);
    case 'struct': case 'union': case 'enum': case 'enum64':
      return `${t.kind === 'enum64' ? 'enum' : t.kind} ${t.name || '(anon)'}`;
    case 'fwd': return `${t.union ? 'union' : 'struct'} ${t.name}`;
    case 'array': return `${typeName(btf, t.elemType, depth + 1)}[${t.count}]`;
    case 'func_proto': return 'function';
    default: return t.name || t.kind;
  }
}

export interface DatasecVariable {
  name: string;
  /** The VAR's type id. */
  varId: number;
  /** The variable's type (the VAR's referenced type). */
  type: number;
  linkage: BtfLinkage;
  offset: number;
  size: number;
}

/** The variables of a DATASEC with their offsets and sizes as BTF records them. */
export function datasecVariables(btf: Btf, datasec: Extract<BtfType, { kind: 'datasec' }>): DatasecVariable[] {
  const out: DatasecVariable[] = [];
  for (const v of datasec.vars) {
    const t = btf.types[v.type];
    if (t?.kind === 'var') out.push({ name: t.name, varId: v.type, type: t.type, linkage: t.linkage, offset: v.offset, size: v.size });
  }
  return out;
}

/** Every FUNC with its linkage and prototype id. */
export function btfFunctions(btf: Btf): { id: number; name: string; linkage: BtfLinkage; proto: number }[] {
  const out: { id: number; name: string; linkage: BtfLinkage; proto: number }[] = [];
  btf.types.forEach((t, id) => {
    if (t.kind === 'func') out.push({ id, name: t.name, linkage: t.linkage, proto: t.type });
  });
  return out;
}
