// What each program calls: kfuncs (calls relocated against extern symbols), bpf-to-bpf calls into
// `.text` subprograms, and callbacks (a `.text` function's address loaded with ld_imm64, as for
// bpf_timer_set_callback or bpf_loop). Targets are found as libbpf's bpf_object__reloc_code finds
// them; kfuncs reached through subprograms and callbacks are attributed to every program that
// reaches them. A subprogram's reach is computed once and shared (P programs calling one subprogram
// that makes K kfunc calls cost P + K, not P×K), and the work per object is capped.
import type { ElfFile, ElfRelocation, ElfSymbol } from './elf';
import { SHT_REL, readRelocations, relocationSectionsFor } from './elf';
import { BPF_INSN_SIZE, type BpfFunction, type BpfFunctions, isExternSymbol, isSubprogramSymbol } from './functions';
import { essentialName } from './structOps';
import type { KfuncCall, Location } from '../facts';

/** (program, kfunc call) pairs an object's programs may reach in all before the rest is skipped. */
export const KFUNC_CALL_BUDGET = 20_000;
/** Functions visited while computing reachability, per object (each subprogram's reach is computed once). */
export const REACH_WORK_BUDGET = 2_000_000;

const BPF_CALL = 0x85; // BPF_JMP | BPF_CALL
const BPF_LD_IMM64 = 0x18; // BPF_LD | BPF_IMM | BPF_DW
const BPF_PSEUDO_CALL = 1;

interface FunctionCalls {
  kfuncs: string[];
  callees: BpfFunction[];
  callbacks: BpfFunction[];
}

export interface ProgramCalls {
  /** Entries are shared between programs (never mutate them). */
  kfuncCalls: KfuncCall[];
  callbacks: string[];
}

export interface ReadProgramCalls {
  byProgram: Map<BpfFunction, ProgramCalls>;
  /** Set when the object's programs reach more kfunc calls than KFUNC_CALL_BUDGET: what was skipped. */
  overBudget?: { reached: number; skippedPrograms: string[]; work: boolean };
}

export function readProgramCalls(elf: ElfFile, symbols: readonly ElfSymbol[], functions: BpfFunctions, at: Location, problems: string[]): ReadProgramCalls {
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
  return reachAll(functions.programs, direct, at);
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
  // Only the instructions whose bytes are in the file: the section's and the function's sizes come
  // from the file, and a corrupt pair (a section of 2^55 bytes, a function of 2^42 in it) would have
  // this walk 5 * 10^11 instructions of nothing. A section outside the file is reported by bpfObject.
  const inFile = Math.max(0, Math.min(fn.section.size, r.length - base));
  const end = Math.floor(Math.min(fn.start + fn.size, inFile) / BPF_INSN_SIZE);
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

/** A function reached, with its kfunc calls (entries carry `via`, the subprogram a reach starts from). */
interface Reached {
  fn: BpfFunction;
  calls: KfuncCall[];
  /** Found through a callback edge (its address taken), not a call. */
  callback: boolean;
}

/** What one subprogram (or callback) reaches, itself included: computed once and shared. */
interface Reach {
  /** Breadth first, by depth from the subprogram (itself at 0). */
  levels: Reached[][];
  /** All the kfunc calls in that order (shared by the programs that call only this subprogram). */
  flat: KfuncCall[];
}

/**
 * Everything each program reaches through subprograms and callbacks, breadth first, each function
 * once; `via` is the subprogram or callback the program itself calls on the way (as the source
 * reader reports it). The reach of a subprogram is computed once and shared by every program that
 * calls it; a program's reach is its subprograms' merged depth by depth. Work is capped per
 * object: the (program, kfunc call) pairs by KFUNC_CALL_BUDGET, the functions visited by
 * REACH_WORK_BUDGET; the programs past either get no kfunc calls, and the caller reports them.
 */
function reachAll(programs: readonly BpfFunction[], direct: Map<BpfFunction, FunctionCalls>, at: Location): ReadProgramCalls {
  const entries = (fn: BpfFunction, via: string | undefined): KfuncCall[] =>
    (direct.get(fn)?.kfuncs ?? []).map((name) => (via ? { name, via, location: at } : { name, location: at }));
  const memo = new Map<BpfFunction, Reach>();
  let work = REACH_WORK_BUDGET;
  /** The reach of `start`, or undefined when the work budget runs out on the way. */
  const reachOf = (start: BpfFunction, callback: boolean): Reach | undefined => {
    const known = memo.get(start);
    if (known || work <= 0) return known;
    const r: Reach = { levels: [], flat: [] };
    const seen = new Set<BpfFunction>([start]);
    let level: Reached[] = [{ fn: start, calls: entries(start, start.name), callback }];
    while (level.length) {
      r.levels.push(level);
      const next: Reached[] = [];
      for (const { fn, calls } of level) {
        if (--work < 0) return undefined;
        for (const c of calls) r.flat.push(c);
        for (const [callee, isCallback] of edges(direct.get(fn))) {
          if (seen.has(callee)) continue;
          seen.add(callee);
          next.push({ fn: callee, calls: entries(callee, start.name), callback: isCallback });
        }
      }
      level = next;
    }
    memo.set(start, r);
    return r;
  };
  const out: ReadProgramCalls = { byProgram: new Map() };
  let pairs = KFUNC_CALL_BUDGET;
  let reached = 0;
  for (const prog of programs) {
    const own = entries(prog, undefined);
    const firstSeen = new Set<BpfFunction>([prog]);
    const reaches: (Reach | undefined)[] = [];
    for (const [callee, isCallback] of edges(direct.get(prog))) {
      if (firstSeen.has(callee)) continue;
      firstSeen.add(callee);
      reaches.push(reachOf(callee, isCallback));
    }
    const complete = reaches.every((r) => r !== undefined);
    const count = own.length + reaches.reduce((n, r) => n + (r?.flat.length ?? 0), 0);
    reached += count;
    const result: ProgramCalls = { kfuncCalls: [], callbacks: [] };
    out.byProgram.set(prog, result);
    const over = !complete || count > pairs;
    if (over) {
      (out.overBudget ??= { reached: 0, skippedPrograms: [], work: false }).skippedPrograms.push(prog.name);
      out.overBudget.work ||= !complete;
      pairs = 0;
    }
    const only = reaches.length === 1 && !own.length ? reaches[0] : undefined;
    // One subprogram and no calls of its own (the common shape): its shared list as it is.
    if (only && !over) result.kfuncCalls = only.flat;
    else if (!over) result.kfuncCalls = own;
    const seen = new Set<BpfFunction>([prog]);
    const callbacks = new Set<string>();
    const done = reaches.filter((r): r is Reach => r !== undefined);
    const depth = Math.max(0, ...done.map((r) => r.levels.length));
    for (let d = 0; d < depth; d++) {
      for (const r of done) {
        for (const { fn, calls, callback } of r.levels[d] ?? []) {
          if (seen.has(fn)) continue;
          seen.add(fn);
          if (callback) callbacks.add(fn.name);
          if (!over && !only) for (const c of calls) result.kfuncCalls.push(c);
        }
      }
    }
    result.callbacks = [...callbacks];
    pairs -= result.kfuncCalls.length;
  }
  if (out.overBudget) out.overBudget.reached = reached;
  return out;
}

/** A function's callees, then the functions whose address it takes (callbacks). */
function edges(calls: FunctionCalls | undefined): [BpfFunction, boolean][] {
  if (!calls) return [];
  return [...calls.callees.map((f) => [f, false] as [BpfFunction, boolean]), ...calls.callbacks.map((f) => [f, true] as [BpfFunction, boolean])];
}
