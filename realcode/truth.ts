// The truth of one compiled object, read with LLVM's and bpftool's own readers, not bpf-assoc's:
// programs are the functions of executable sections other than .text (libbpf's rule); struct_ops
// maps are the variables of `.struct_ops*` sections (ELF symbols for their place, BTF for their
// type); a slot is a relocation in `.rel.struct_ops*`, named by the BTF member at its offset.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc';
import { cacheRoot } from './toolchain';

export interface TruthProgram {
  name: string;
  section: string;
}
export interface TruthSlot {
  member: string;
  program: string;
}
export interface TruthMap {
  name: string;
  type: string;
  section: string;
  slots: TruthSlot[];
}
export interface ObjectTruth {
  programs: TruthProgram[];
  maps: TruthMap[];
  /** Relocations the truth could not name (no map at the offset, no member, not a program). */
  unresolved: string[];
}

const READOBJ = 'llvm-readobj-19';
const BPFTOOL = 'bpftool';
const TRUTH_VERSION = 1;

interface ElfSection { Section: { Index: number; Name: { Name: string }; Info: number; Flags: { Flags: { Name: string }[] } } }
interface ElfSymbol { Symbol: { Name: { Name: string }; Value: number; Size: number; Binding: { Name: string }; Type: { Name: string }; Section: { Name: string; Value: number } } }
/** SectionIndex is the REL section's; its Info names the section it relocates. */
interface ElfRelocs { SectionIndex: number; Relocs: { Relocation: { Offset: number; Symbol: { Name: string } } }[] }
interface BtfType { id: number; kind: string; name: string; type_id?: number; members?: { name: string; type_id: number; bits_offset: number }[] }

const isStructOpsSection = (s: string): boolean => /^\??\.struct_ops(\.link)?$/.test(s);

/** The member at a byte offset of a struct, through anonymous struct/union members. */
function memberAt(types: Map<number, BtfType>, typeId: number, byteOffset: number): string | null {
  const t = resolve(types, typeId);
  for (const m of t?.members ?? []) {
    if (m.bits_offset === byteOffset * 8 && m.name) return m.name;
    const inner = resolve(types, m.type_id);
    if (!m.name && inner?.members && byteOffset * 8 >= m.bits_offset) {
      const found = memberAt(types, m.type_id, byteOffset - m.bits_offset / 8);
      if (found) return found;
    }
  }
  return null;
}

function resolve(types: Map<number, BtfType>, id: number): BtfType | undefined {
  let t = types.get(id);
  for (let i = 0; t && ['TYPEDEF', 'CONST', 'VOLATILE', 'TYPE_TAG', 'RESTRICT'].includes(t.kind) && i < 16; i++) t = types.get(t.type_id ?? 0);
  return t;
}

async function readobj<T>(object: string, what: string[]): Promise<T> {
  const elf = await run([READOBJ, '--elf-output-style=JSON', ...what, object], { nice: true });
  if (elf.code !== 0) throw new Error(`${READOBJ} ${object}: ${elf.stderr.trim()}`);
  const [doc] = JSON.parse(elf.stdout) as T[];
  if (!doc) throw new Error(`${READOBJ} ${object}: no output`);
  return doc;
}

export async function readTruth(object: string): Promise<ObjectTruth> {
  const doc = await readobj<{ Sections: ElfSection[]; Symbols: ElfSymbol[]; Relocations?: ElfRelocs[] }>(object, ['--sections', '--symbols']);
  // Only relocations of .struct_ops* sections name slots; an object without such a section needs
  // none (its DWARF relocations are most of the dump).
  if (doc.Sections.some((s) => isStructOpsSection(s.Section.Name.Name))) {
    doc.Relocations = (await readobj<{ Relocations?: ElfRelocs[] }>(object, ['--relocations'])).Relocations;
  }
  const sections = new Map(doc.Sections.map((s) => [s.Section.Index, s.Section]));
  const executable = (i: number): boolean => !!sections.get(i)?.Flags.Flags.some((f) => f.Name === 'SHF_EXECINSTR');
  const symbols = doc.Symbols.map((s) => s.Symbol);
  const programs = symbols
    .filter((s) => s.Type.Name === 'Function' && executable(s.Section.Value) && s.Section.Name !== '.text')
    .map((s) => ({ name: s.Name.Name, section: s.Section.Name }));
  const programNames = new Set(programs.map((p) => p.name));

  const types = new Map<number, BtfType>();
  if (symbols.some((s) => isStructOpsSection(s.Section.Name))) {
    // BTF names the maps' types and the slots' members: only objects with struct_ops maps need it.
    const btf = await run([BPFTOOL, '-j', 'btf', 'dump', 'file', object], { nice: true });
    if (btf.code !== 0) throw new Error(`${BPFTOOL} btf dump file ${object}: ${btf.stderr.trim()}`);
    for (const t of (JSON.parse(btf.stdout) as { types: BtfType[] }).types) types.set(t.id, t);
  }
  const varType = new Map<string, number>();
  for (const t of types.values()) if (t.kind === 'VAR' && t.type_id !== undefined) varType.set(t.name, t.type_id);

  const maps: (TruthMap & { offset: number; size: number; typeId: number })[] = symbols
    .filter((s) => s.Type.Name === 'Object' && isStructOpsSection(s.Section.Name))
    .map((s) => {
      const typeId = varType.get(s.Name.Name) ?? 0;
      return { name: s.Name.Name, type: resolve(types, typeId)?.name ?? '?', section: s.Section.Name, slots: [], offset: s.Value, size: s.Size, typeId };
    });
  const unresolved: string[] = [];
  for (const rel of doc.Relocations ?? []) {
    const target = sections.get(sections.get(rel.SectionIndex)?.Info ?? -1);
    if (!target || !isStructOpsSection(target.Name.Name)) continue;
    for (const { Relocation: r } of rel.Relocs) {
      const map = maps.find((m) => m.section === target.Name.Name && r.Offset >= m.offset && r.Offset < m.offset + m.size);
      const member = map ? memberAt(types, map.typeId, r.Offset - map.offset) : null;
      if (!map || !member || !programNames.has(r.Symbol.Name)) {
        unresolved.push(`${target.Name.Name}+${r.Offset} -> ${r.Symbol.Name}`);
        continue;
      }
      map.slots.push({ member, program: r.Symbol.Name });
    }
  }
  return { programs, maps: maps.map(({ name, type, section, slots }) => ({ name, type, section, slots })), unresolved };
}

/** readTruth, cached by the object's hash. */
export async function cachedTruth(object: string): Promise<ObjectTruth> {
  const hash = createHash('sha256').update(readFileSync(object)).update(`v${TRUTH_VERSION}`).digest('hex');
  const dir = join(cacheRoot(), 'truth');
  const file = join(dir, `${hash}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ObjectTruth;
  const truth = await readTruth(object);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(truth));
  return truth;
}
