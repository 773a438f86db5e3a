// struct_ops maps and their slots, read from an object as libbpf v1.7 does: one map per variable
// of a `.struct_ops`/`.struct_ops.link` DATASEC (optionally with '?'), and one slot per relocation
// of that section (`.rel.struct_ops`, ...): relocation offset -> variable -> member at that bit
// offset; relocation symbol -> the function at st_value in the symbol's section.
import type { ElfFile, ElfSymbol } from './elf';
import { SHF_EXECINSTR, SHT_PROGBITS, SHT_REL, STB_GLOBAL, STB_WEAK, STT_OBJECT, readRelocations, relocationSectionsFor } from './elf';
import { type Btf, datasecVariables, findDatasec, memberAtBitOffset, skipModifiers } from './btf';
import { BPF_INSN_SIZE, type BpfFunctions } from './functions';
import { classifyMapSection } from '../sections';
import { fileStart, structOpsMapFact, type StructOpsMapFact } from '../facts';

export interface StructOpsInput {
  elf: ElfFile;
  symbols: readonly ElfSymbol[];
  btf: Btf | null;
  functions: BpfFunctions;
  file: string;
}

interface PlacedMap {
  fact: StructOpsMapFact;
  offset: number;
  size: number;
  typeId: number;
}

/** libbpf's bpf_core_essential_name_len: drop the last `___flavour` (X___Y, X and Y not '_'). */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name.startsWith('___', i + 1) && name[i + 4] !== '_') return name.slice(0, i + 1);
  }
  return name;
}

export function readStructOpsMaps(input: StructOpsInput, problems: string[]): StructOpsMapFact[] {
  const { elf } = input;
  const maps: StructOpsMapFact[] = [];
  for (const section of elf.sections) {
    const kind = classifyMapSection(section.name);
    if (!kind || section.type !== SHT_PROGBITS || section.size === 0 || (section.flags & SHF_EXECINSTR) !== 0) continue;
    const placed = mapsOfSection(input, section.name, section.size, kind, problems);
    for (const rel of relocationSectionsFor(elf, section)) {
      // libbpf reads SHT_REL only; SHT_RELA sections are skipped as unrecognised.
      if (rel.type === SHT_REL) addSlots(input, rel, placed, problems);
    }
    maps.push(...placed.map((p) => p.fact));
  }
  return maps;
}

function mapsOfSection(
  input: StructOpsInput,
  sectionName: string,
  sectionSize: number,
  kind: { link: boolean; autocreate: boolean },
  problems: string[],
): PlacedMap[] {
  const { btf } = input;
  const datasec = btf ? findDatasec(btf, sectionName) : undefined;
  if (!btf || !datasec) {
    problems.push(`section '${sectionName}' has no DATASEC in .BTF; libbpf cannot create its struct_ops maps`);
    return [];
  }
  const placed: PlacedMap[] = [];
  const variables = datasecVariables(btf, datasec);
  const objects = datasec.size === 0 && variables.length > 0 ? globalObjects(input.symbols) : new Map<string, ElfSymbol>();
  for (const v of variables) {
    let offset = v.offset;
    // Clang leaves DATASEC sizes and offsets at zero; libbpf takes them from the ELF symbols.
    if (datasec.size === 0 && v.linkage === 'global') {
      const sym = objects.get(v.name);
      if (!sym) {
        problems.push(`struct_ops variable '${v.name}' in '${sectionName}' has no ELF symbol`);
        continue;
      }
      offset = sym.value;
    }
    // libbpf's btf__resolve_type: through VAR, typedefs and modifiers.
    const resolved = skipModifiers(btf, v.type);
    const t = resolved.type;
    if (!t || t.kind !== 'struct' || !t.name) {
      problems.push(`struct_ops variable '${v.name}' in '${sectionName}' is not of a named struct type; libbpf refuses it`);
      continue;
    }
    if (offset + t.size > sectionSize) {
      problems.push(`struct_ops variable '${v.name}' (offset ${offset}, ${t.size} bytes) is beyond the end of '${sectionName}'`);
      continue;
    }
    placed.push({
      offset,
      size: t.size,
      typeId: resolved.id,
      fact: structOpsMapFact({
        name: v.name,
        structType: t.name,
        kernelType: essentialName(t.name),
        section: sectionName,
        link: kind.link,
        autocreate: kind.autocreate,
        location: fileStart(input.file),
        slots: [],
      }),
    });
  }
  return placed.sort((a, b) => a.offset - b.offset);
}

/** libbpf's find_elf_var_sym: the first global or weak STT_OBJECT symbol of each name. */
function globalObjects(symbols: readonly ElfSymbol[]): Map<string, ElfSymbol> {
  const out = new Map<string, ElfSymbol>();
  for (const s of symbols) {
    if (s.type === STT_OBJECT && (s.bind === STB_GLOBAL || s.bind === STB_WEAK) && !out.has(s.name)) out.set(s.name, s);
  }
  return out;
}

/** The map whose [offset, offset + size) holds `offset`; maps sorted by offset, not overlapping. */
function mapAt(placed: readonly PlacedMap[], offset: number): PlacedMap | undefined {
  let lo = 0;
  let hi = placed.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((placed[mid] as PlacedMap).offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const m = placed[lo];
  return m && offset >= m.offset && offset - m.offset < m.size ? m : undefined;
}

function addSlots(input: StructOpsInput, rel: { name: string; index: number }, placed: PlacedMap[], problems: string[]): void {
  const { elf, symbols, btf, functions } = input;
  const section = elf.sections[rel.index];
  if (!section || !btf) return;
  const relocations = readRelocations(elf, section);
  if (typeof relocations === 'string') {
    problems.push(relocations);
    return;
  }
  for (const r of relocations) {
    const sym = symbols[r.symbol];
    if (!sym) {
      problems.push(`struct_ops relocation at offset ${r.offset} in '${rel.name}' names symbol ${r.symbol}, which does not exist`);
      continue;
    }
    const map = mapAt(placed, r.offset);
    if (!map) {
      problems.push(`struct_ops relocation at offset ${r.offset} in '${rel.name}' is outside every struct_ops variable`);
      continue;
    }
    const moff = r.offset - map.offset;
    const member = memberAtBitOffset(btf.types[map.typeId], moff * 8);
    if (!member) {
      problems.push(`struct_ops map '${map.fact.name}': no member of struct ${map.fact.structType} starts at byte ${moff} (relocation against '${sym.name}')`);
      continue;
    }
    // libbpf takes the target instruction from st_value alone (SHT_REL has no addend).
    const fn = sym.value % BPF_INSN_SIZE === 0 ? functions.at(sym.shndx, sym.value) : undefined;
    if (!fn) {
      problems.push(`struct_ops map '${map.fact.name}': member '${member.name}' points at '${sym.name || `symbol ${r.symbol}`}', which is not a BPF function in this object`);
      continue;
    }
    map.fact.slots.push({ member: member.name, program: fn.name, location: fileStart(input.file) });
  }
}
