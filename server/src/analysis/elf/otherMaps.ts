// The maps libbpf creates besides struct_ops maps: one per variable of the `.maps` DATASEC, and
// internal maps for `.data*`, `.rodata*`, `.bss*` sections and for `__kconfig` externs, named as
// libbpf's internal_map_name names them (`OBJNAME.bss`, `.rodata.str1.1`), in libbpf's order.
import type { ElfFile, ElfSymbol } from './elf';
import { SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS } from './elf';
import { type Btf, datasecVariables, findDatasec } from './btf';
import { isExternSymbol } from './functions';

const BPF_OBJ_NAME_LEN = 16;

/** libbpf's internal_map_name: as much of the object name as fits before the section name, 15 characters in all. */
export function internalMapName(objectName: string, sectionName: string): string {
  const suffixLength = Math.min(Math.max(7, sectionName.length), BPF_OBJ_NAME_LEN - 1);
  // Two or more dots (`.rodata.str1.1`, `.data.custom`): the section name alone.
  const prefixLength = sectionName.indexOf('.', 1) >= 0 ? 0 : Math.min(BPF_OBJ_NAME_LEN - suffixLength - 1, objectName.length);
  const name = objectName.slice(0, prefixLength) + sectionName.slice(0, suffixLength);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

/**
 * bpftool's get_map_ident: the member name of a map in a skeleton's `maps` (`foo.bss` -> `bss`,
 * `.rodata.str1.1` -> `rodata_str1_1`); other maps keep their name. Null when bpftool leaves the
 * map out of the skeleton.
 */
export function skeletonMapIdent(mapName: string, internal: boolean): string | null {
  if (!internal) return mapName;
  for (const suffix of ['.data', '.rodata', '.bss', '.kconfig']) {
    const at = mapName.indexOf(suffix);
    if (at >= 0) return mapName.slice(at + 1).replace(/[^A-Za-z0-9_]/g, '_');
  }
  return null;
}

/** libbpf's default object name for bpf_object__open_file(): the file's base name up to its first '.'. */
export function libbpfObjectName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot >= 0 ? base.slice(0, dot) : base;
}

function isInternalDataSection(name: string, prefix: '.data' | '.rodata' | '.bss'): boolean {
  return name === prefix || name.startsWith(`${prefix}.`);
}

export function readOtherMaps(elf: ElfFile, symbols: readonly ElfSymbol[], btf: Btf | null, objectName: string): string[] {
  const names: string[] = [];
  const mapsDatasec = btf ? findDatasec(btf, '.maps') : undefined;
  if (btf && mapsDatasec && elf.sections.some((s) => s.name === '.maps')) {
    for (const v of datasecVariables(btf, mapsDatasec)) names.push(v.name);
  }
  for (const s of elf.sections) {
    if (s.index === 0 || s.size === 0) continue;
    const data = s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) === 0;
    const internal =
      (data && (isInternalDataSection(s.name, '.data') || isInternalDataSection(s.name, '.rodata'))) ||
      (s.type === SHT_NOBITS && isInternalDataSection(s.name, '.bss'));
    if (internal) names.push(internalMapName(objectName, s.name));
  }
  const kconfig = btf ? findDatasec(btf, '.kconfig') : undefined;
  if (btf && kconfig) {
    const kconfigVars = new Set(datasecVariables(btf, kconfig).map((v) => v.name));
    if (symbols.some((sym) => isExternSymbol(sym) && kconfigVars.has(sym.name))) names.push(internalMapName(objectName, '.kconfig'));
  }
  return names;
}
