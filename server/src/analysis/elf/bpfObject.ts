// A compiled BPF object (`*.bpf.o`, or the object embedded in a skeleton) -> facts, rebuilt as
// libbpf v1.7 opens it: programs, struct_ops maps and their slots, other maps, the kfuncs each
// program reaches, and the kfunc declarations that read the caller's association. Never throws:
// whatever cannot be read becomes a `malformed-object` problem and the rest is still reported.
import { type BpfObjectFacts, type FactOrigin, type KfuncDeclFact, bpfObjectFacts, fileStart, programFact } from '../facts';
import { objectNamesForObject } from '../objectNames';
import { classifyProgramSection } from '../sections';
import { type Btf, btfFunctions, readBtf, skipModifiers } from './btf';
import { type LineInfo, firstLineIn, readLineInfo } from './btfExt';
import { KFUNC_CALL_BUDGET, REACH_WORK_BUDGET, readProgramCalls, type ReadProgramCalls } from './calls';
import {
  EM_BPF,
  ET_REL,
  SHT_LLVM_ADDRSIG,
  SHT_PROGBITS,
  SHT_STRTAB,
  type ElfFile,
  type ElfSection,
  readElf,
  readSymbols,
  sectionByName,
  sectionBytes,
  sectionOutsideFile,
} from './elf';
import { collectFunctions } from './functions';
import { libbpfObjectName, readOtherMaps } from './otherMaps';
import { essentialName, readStructOpsMaps } from './structOps';

export interface ReadBpfObjectOptions {
  /**
   * The object name libbpf will use (a skeleton passes its own name); it prefixes internal map
   * names. Default: libbpf's name for bpf_object__open_file(), the base name up to its first '.'.
   */
  objectName?: string;
}

export function readBpfObject(bytes: Uint8Array, file: string, origin: FactOrigin, options: ReadBpfObjectOptions = {}): BpfObjectFacts {
  const facts = bpfObjectFacts({
    origin,
    file,
    objectNames: objectNamesForObject(file),
    programs: [],
    structOpsMaps: [],
    otherMaps: [],
    kfuncDecls: [],
    problems: [],
  });
  const messages: string[] = [];
  const done = (): BpfObjectFacts => {
    for (const message of new Set(messages)) facts.problems.push({ rule: 'malformed-object', message, location: fileStart(file) });
    return facts;
  };

  const read = readElf(bytes);
  if (!read.ok) {
    messages.push(`cannot read ${origin === 'skeleton' ? 'the embedded object' : 'this object'}: ${read.message}`);
    return done();
  }
  const elf = read.elf;
  messages.push(...elf.problems);
  if (!elf.header.is64) {
    messages.push('this is a 32-bit ELF object; libbpf opens only 64-bit BPF objects (clang -target bpf)');
    return done();
  }
  if (elf.header.type !== ET_REL || (elf.header.machine !== 0 && elf.header.machine !== EM_BPF)) {
    messages.push(`not a BPF object: ELF type ${elf.header.type}, machine ${elf.header.machine} (expected a relocatable object for machine ${EM_BPF}, BPF)`);
    return done();
  }
  for (const section of elf.sections) {
    const outside = libbpfReads(section) ? sectionOutsideFile(elf, section) : null;
    if (outside) messages.push(outside);
  }
  const symtab = readSymbols(elf);
  if (typeof symtab === 'string') {
    messages.push(symtab);
    return done();
  }
  const symbols = symtab.symbols;
  const btf = readObjectBtf(elf, messages);
  const functions = collectFunctions(elf, symbols);
  messages.push(...functions.problems);

  const lines = btf ? readObjectLineInfo(elf, btf, messages) : undefined;
  const calls = readProgramCalls(elf, symbols, functions, fileStart(file), messages);
  if (calls.overBudget) facts.problems.push({ rule: 'parse-limit', message: overBudgetMessage(calls.overBudget), location: fileStart(file) });
  for (const fn of functions.programs) {
    const section = classifyProgramSection(fn.section.name);
    const reached = calls.byProgram.get(fn) ?? { kfuncCalls: [], callbacks: [] };
    const line = firstLineIn(lines?.get(fn.section.name), fn.start, fn.start + fn.size);
    const program = programFact({
      name: fn.name,
      section: fn.section.name,
      kind: section.kind,
      sleepable: section.sleepable,
      autoload: section.autoload,
      location: fileStart(file),
      kfuncCalls: reached.kfuncCalls, // shared between programs, not copied
      callbacks: reached.callbacks,
      sourceHint: line ? { file: line.file, line: Math.max(0, line.line - 1) } : undefined,
    });
    facts.programs.push(program);
  }
  facts.structOpsMaps = readStructOpsMaps({ elf, symbols, btf, functions, file }, messages);
  facts.otherMaps = readOtherMaps(elf, symbols, btf, options.objectName ?? libbpfObjectName(file));
  if (btf) facts.kfuncDecls = associationKfuncs(btf, file);
  return done();
}

function overBudgetMessage(over: NonNullable<ReadProgramCalls['overBudget']>): string {
  const names = over.skippedPrograms;
  const shown = names.slice(0, 3).map((n) => `\`${n}\``).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  const why = over.work
    ? `their call graph needs more than ${REACH_WORK_BUDGET.toLocaleString('en-US')} steps to follow`
    : `its programs reach ${over.reached.toLocaleString('en-US')} kfunc calls in all (through shared subprograms), more than the ${KFUNC_CALL_BUDGET.toLocaleString('en-US')} followed per object`;
  return `The kfunc calls of ${names.length} program(s) of this object were not checked (${shown}): ${why}. Their associations are still analysed.`;
}

/** libbpf's ignore_elf_section(), negated: the sections whose data libbpf reads when it opens an object. */
function libbpfReads(section: ElfSection): boolean {
  const name = section.name;
  if (section.index === 0 || section.type === SHT_STRTAB || section.type === SHT_LLVM_ADDRSIG) return false;
  if (section.type === SHT_PROGBITS && section.size === 0 && name === '.text') return false;
  if (name.startsWith('.debug_')) return false;
  if (name.startsWith('.rel')) {
    const target = name.slice(4);
    if (target.startsWith('.debug_') || target === '.BTF' || target === '.BTF.ext') return false;
  }
  return true;
}

function readObjectBtf(elf: ElfFile, messages: string[]): Btf | null {
  const section = sectionByName(elf, '.BTF');
  if (!section) {
    messages.push('the object has no .BTF section (compile with clang -g); libbpf needs it for struct_ops maps and kfuncs');
    return null;
  }
  const bytes = sectionBytes(elf, section);
  if (!bytes) {
    messages.push(sectionOutsideFile(elf, section) ?? 'the .BTF section has no data');
    return null;
  }
  const result = readBtf(bytes);
  if (!result.ok) {
    messages.push(result.message);
    return null;
  }
  messages.push(...result.problems);
  return result.btf;
}

function readObjectLineInfo(elf: ElfFile, btf: Btf, messages: string[]): Map<string, LineInfo[]> | undefined {
  const section = sectionByName(elf, '.BTF.ext');
  const bytes = section ? sectionBytes(elf, section) : null;
  if (!section || !bytes) return undefined;
  const result = readLineInfo(bytes, btf);
  if (!result.ok) {
    messages.push(result.message);
    return undefined;
  }
  return result.bySection;
}

/**
 * Extern kfuncs whose prototype takes the caller's aux: a parameter named `*__prog`, or a
 * `struct bpf_prog_aux *`. For `X_impl` (Linux 7.0 KF_IMPLICIT_ARGS), `X` reads it too.
 */
function associationKfuncs(btf: Btf, file: string): KfuncDeclFact[] {
  const found = new Map<string, KfuncDeclFact>();
  for (const fn of btfFunctions(btf)) {
    if (fn.linkage !== 'extern') continue;
    const proto = btf.types[fn.proto];
    if (proto?.kind !== 'func_proto') continue;
    const name = essentialName(fn.name);
    for (const p of proto.params) {
      const reason = p.name.endsWith('__prog')
        ? `its BTF prototype takes \`${p.name}\`: the verifier passes the caller's aux`
        : isProgAuxPointer(btf, p.type)
          ? 'its BTF prototype takes a `struct bpf_prog_aux *`'
          : null;
      if (!reason) continue;
      found.set(name, { name, reason, location: fileStart(file) });
      const base = name.endsWith('_impl') ? name.slice(0, -'_impl'.length) : null;
      if (base && !found.has(base)) {
        found.set(base, { name: base, reason: `its BTF twin \`${name}\` takes the caller's aux (KF_IMPLICIT_ARGS)`, location: fileStart(file) });
      }
      break;
    }
  }
  return [...found.values()];
}

function isProgAuxPointer(btf: Btf, id: number): boolean {
  const ptr = skipModifiers(btf, id).type;
  if (ptr?.kind !== 'ptr') return false;
  const target = skipModifiers(btf, ptr.type).type;
  return (target?.kind === 'struct' || (target?.kind === 'fwd' && !target.union)) && target.name === 'bpf_prog_aux';
}
