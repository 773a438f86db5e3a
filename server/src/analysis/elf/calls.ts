// What each program calls: kfuncs (calls relocated against extern symbols), bpf-to-bpf calls into
// `.text` subprograms, and callbacks (a `.text` function's address loaded with ld_imm64, as for
// bpf_timer_set_callback or bpf_loop). Targets are found as libbpf's bpf_object__reloc_code finds
// them; kfuncs reached through subprograms and callbacks are attributed to every program that
// reaches them.
import type { ElfFile, ElfRelocation, ElfSymbol } from './elf';
import { SHT_REL, readRelocations, relocationSectionsFor } from './elf';
import { BPF_INSN_SIZE, type BpfFunction, type BpfFunctions, isExternSymbol, isSubprogramSymbol } from './functions';
import { essentialName } from './structOps';

const BPF_CALL = 0x85; // BPF_JMP | BPF_CALL
const BPF_LD_IMM64 = 0x18; // BPF_LD | BPF_IMM | BPF_DW
const BPF_PSEUDO_CALL = 1;

interface FunctionCalls {
  kfuncs: string[];
  callees: BpfFunction[];
  callbacks: BpfFunction[];
}

export interface ProgramCalls {
  kfuncCalls: { name: string; via?: string }[];
  callbacks: string[];
}

export function readProgramCalls(elf: ElfFile, symbols: readonly ElfSymbol[], functions: BpfFunctions, problems: string[]): Map<BpfFunction, ProgramCalls> {
  const direct = new Map<BpfFunction, FunctionCalls>();
  const relocsBySection = new Map<number, Map<number, ElfRelocation>>();
  for (const fn of [...functions.programs, ...functions.subprograms]) {
    let relocs = relocsBySection.get(fn.section.index);
    if (!relocs) {
      relocs = sectionRelocations(elf, fn.section.index, problems);
      relocsBySection.set(fn.section.index, relocs);
    }
    direct.set(fn, scanFunction(elf, symbols, functions, fn, relocs, problems));
  }
  const out = new Map<BpfFunction, ProgramCalls>();
  for (const prog of functions.programs) out.set(prog, reach(prog, direct));
  return out;
}

/** Relocations of an executable section by byte offset (libbpf reads SHT_REL only). */
function sectionRelocations(elf: ElfFile, sectionIndex: number, problems: string[]): Map<number, ElfRelocation> {
  const byOffset = new Map<number, ElfRelocation>();
  const target = elf.sections[sectionIndex];
  if (!target) return byOffset;
  for (const rel of relocationSectionsFor(elf, target)) {
    if (rel.type !== SHT_REL) continue;
    const entries = readRelocations(elf, rel);
    if (typeof entries === 'string') problems.push(entries);
    else for (const r of entries) byOffset.set(r.offset, r);
  }
  return byOffset;
}

function scanFunction(
  elf: ElfFile,
  symbols: readonly ElfSymbol[],
  functions: BpfFunctions,
  fn: BpfFunction,
  relocs: Map<number, ElfRelocation>,
  problems: string[],
): FunctionCalls {
  const calls: FunctionCalls = { kfuncs: [], callees: [], callbacks: [] };
  const r = elf.reader;
  const base = fn.section.offset;
  const first = Math.ceil(fn.start / BPF_INSN_SIZE);
  const end = Math.floor((fn.start + fn.size) / BPF_INSN_SIZE);
  const subprogramAt = (insn: number, what: string): BpfFunction | undefined => {
    const target = functions.at(functions.textIndex, insn * BPF_INSN_SIZE);
    if (!target) problems.push(`'${fn.name}' ${what} instruction ${insn} of .text, where no function starts or lies`);
    return target;
  };
  for (let i = first; i < end; i++) {
    const at = base + i * BPF_INSN_SIZE;
    const code = r.u8(at);
    const regs = r.u8(at + 1);
    const src = elf.header.littleEndian ? regs >> 4 : regs & 0xf;
    const imm = r.i32(at + 4);
    const reloc = relocs.get(i * BPF_INSN_SIZE);
    const isCall = code === BPF_CALL;
    if (reloc && (isCall || code === BPF_LD_IMM64)) {
      const sym = symbols[reloc.symbol];
      if (!sym) problems.push(`'${fn.name}': relocation at instruction ${i} names symbol ${reloc.symbol}, which does not exist`);
      else if (isExternSymbol(sym)) {
        if (isCall) calls.kfuncs.push(essentialName(sym.name));
      } else if (isCall && src === BPF_PSEUDO_CALL && sym.shndx === functions.textIndex) {
        const target = subprogramAt(Math.floor(sym.value / BPF_INSN_SIZE) + imm + 1, 'calls');
        if (target) calls.callees.push(target);
      } else if (!isCall && isSubprogramSymbol(sym, functions.textIndex)) {
        const target = subprogramAt(Math.floor((sym.value + imm) / BPF_INSN_SIZE), 'takes the address of');
        if (target) calls.callbacks.push(target);
      }
    } else if (!reloc && isCall && src === BPF_PSEUDO_CALL && functions.textIndex >= 0) {
      // A call to a static function in the same section carries no relocation.
      const target = subprogramAt(i + imm + 1, 'calls');
      if (target) calls.callees.push(target);
    }
    if (code === BPF_LD_IMM64) i++; // the second half of a 16-byte instruction
  }
  return calls;
}

/**
 * Everything a program reaches through subprograms and callbacks, breadth first, each function
 * once; `via` is the subprogram or callback the program itself calls on the way (as the source
 * reader reports it).
 */
function reach(prog: BpfFunction, direct: Map<BpfFunction, FunctionCalls>): ProgramCalls {
  const result: ProgramCalls = { kfuncCalls: [], callbacks: [] };
  const seen = new Set<BpfFunction>([prog]);
  const queue: { fn: BpfFunction; via?: string }[] = [{ fn: prog }];
  for (let head = 0; head < queue.length; head++) {
    const { fn, via } = queue[head] as { fn: BpfFunction; via?: string };
    const calls = direct.get(fn);
    if (!calls) continue;
    for (const name of calls.kfuncs) result.kfuncCalls.push(via ? { name, via } : { name });
    for (const [next, isCallback] of [...calls.callees.map((f) => [f, false] as const), ...calls.callbacks.map((f) => [f, true] as const)]) {
      if (seen.has(next)) continue;
      seen.add(next);
      if (isCallback) result.callbacks.push(next.name);
      queue.push({ fn: next, via: via ?? next.name });
    }
  }
  return result;
}
