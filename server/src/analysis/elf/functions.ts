// The functions of a BPF object, as libbpf collects them: every STT_FUNC symbol in a non-empty
// SHT_PROGBITS section with SHF_EXECINSTR. Those in `.text` are subprograms, the others are programs.
import {
  SHF_EXECINSTR,
  SHN_UNDEF,
  SHT_PROGBITS,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FUNC,
  STT_NOTYPE,
  STT_SECTION,
  type ElfFile,
  type ElfSection,
  type ElfSymbol,
} from './elf';

export const BPF_INSN_SIZE = 8;

export interface BpfFunction {
  name: string;
  section: ElfSection;
  /** Byte offset in the section. */
  start: number;
  size: number;
  /** In `.text`: a subprogram, not a program. */
  subprogram: boolean;
  symbol: ElfSymbol;
}

export interface BpfFunctions {
  /** Programs in libbpf's order: by section index, then offset. */
  programs: BpfFunction[];
  subprograms: BpfFunction[];
  /** Index of `.text`, or -1 when the object has no (non-empty) `.text`. */
  textIndex: number;
  /** The function whose [start, start + size) holds the byte offset, in the given section. */
  at(sectionIndex: number, offset: number): BpfFunction | undefined;
  problems: string[];
}

export function isExecutable(s: ElfSection): boolean {
  return s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0 && s.size > 0;
}

/** libbpf's sym_is_extern: undefined, global or weak, no type (clang); FUNC accepted as well. */
export function isExternSymbol(sym: ElfSymbol): boolean {
  return sym.shndx === SHN_UNDEF && (sym.bind === STB_GLOBAL || sym.bind === STB_WEAK) && (sym.type === STT_NOTYPE || sym.type === STT_FUNC) && sym.name !== '';
}

/** libbpf's sym_is_subprog: the `.text` section symbol, or a global/weak function in `.text`. */
export function isSubprogramSymbol(sym: ElfSymbol, textIndex: number): boolean {
  if (textIndex < 0 || sym.shndx !== textIndex) return false;
  if (sym.bind === STB_LOCAL && sym.type === STT_SECTION) return true;
  return (sym.bind === STB_GLOBAL || sym.bind === STB_WEAK) && sym.type === STT_FUNC;
}

export function collectFunctions(elf: ElfFile, symbols: readonly ElfSymbol[]): BpfFunctions {
  const problems: string[] = [];
  const bySection = new Map<number, BpfFunction[]>();
  const text = elf.sections.find((s) => s.name === '.text' && isExecutable(s));
  const textIndex = text ? text.index : -1;
  for (const sym of symbols) {
    if (sym.type !== STT_FUNC) continue;
    const section = elf.sections[sym.shndx];
    if (!section || sym.shndx === SHN_UNDEF || !isExecutable(section)) continue;
    if (sym.value + sym.size > section.size) {
      problems.push(`program '${sym.name}' at offset ${sym.value} (${sym.size} bytes) crosses the end of section '${section.name}'`);
      continue;
    }
    const subprogram = section.index === textIndex;
    if (!subprogram && sym.bind === STB_LOCAL) {
      problems.push(`program '${sym.name}' in section '${section.name}' is static; libbpf refuses to open the object (-ENOTSUP)`);
    }
    const fn: BpfFunction = { name: sym.name, section, start: sym.value, size: sym.size, subprogram, symbol: sym };
    const list = bySection.get(section.index) ?? [];
    list.push(fn);
    bySection.set(section.index, list);
  }
  for (const [index, list] of bySection) {
    list.sort((a, b) => a.start - b.start);
    // Overlapping functions only come from corrupt symbol tables; keep the first, so that reading
    // the code stays linear in the section size.
    let last: BpfFunction | undefined;
    const kept = list.filter((f) => {
      if (last && f.start < last.start + last.size) {
        problems.push(`functions '${last.name}' and '${f.name}' overlap in section '${f.section.name}'`);
        return false;
      }
      last = f;
      return true;
    });
    bySection.set(index, kept);
  }
  const ordered = [...bySection.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, list]) => list);
  return {
    programs: ordered.filter((f) => !f.subprogram),
    subprograms: ordered.filter((f) => f.subprogram),
    textIndex,
    problems,
    at(sectionIndex, offset) {
      const list = bySection.get(sectionIndex);
      if (!list) return undefined;
      let lo = 0;
      let hi = list.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((list[mid] as BpfFunction).start <= offset) lo = mid;
        else hi = mid - 1;
      }
      const f = list[lo];
      return f && offset >= f.start && offset < f.start + f.size ? f : undefined;
    },
  };
}
