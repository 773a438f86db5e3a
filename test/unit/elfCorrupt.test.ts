// Bad input for the object reader: truncated, corrupted and random bytes. It must never throw,
// must finish quickly, and must say what is wrong as a `malformed-object` problem.
import { strict as assert } from 'node:assert';
import { readBpfObject } from '../../server/src/analysis/elf/bpfObject';
import { readElf, readSymbols, sectionByName } from '../../server/src/analysis/elf/elf';
import type { BpfObjectFacts } from '../../server/src/analysis/facts';
import { fileStart, programFact } from '../../server/src/analysis/facts';
import { builtBytes, builtPath, ensureFixturesBuilt } from './builtFixtures';
import { ByteWriter, type SectionSpec, buildElf } from './elfBuilder';
import { cpuStopwatch } from '../support/cpuTime';

const FILE = builtPath('poisoned-shared', 'shared.bpf.o');

function read(bytes: Uint8Array): BpfObjectFacts {
  const facts = readBpfObject(bytes, FILE, 'object');
  for (const p of facts.problems) {
    assert.equal(p.rule, 'malformed-object');
    assert.deepEqual(p.location, { file: FILE, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  }
  return facts;
}

const messages = (f: BpfObjectFacts) => f.problems.map((p) => p.message);

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

before(ensureFixturesBuilt);

describe('readBpfObject on bad input', () => {
  let real: Uint8Array;
  before(() => {
    real = builtBytes('poisoned-shared', 'shared.bpf.o');
    assert.equal(real.length, 7392, 'the fixture object changed size; update the offsets below');
  });

  it('an empty file', () => {
    assert.deepEqual(messages(read(new Uint8Array(0))), ['cannot read this object: the file is empty']);
  });

  it('a file cut at several offsets', () => {
    const cases: [number, string][] = [
      [3, 'not an ELF file (no \\x7fELF magic at the start)'],
      [40, 'the file is truncated: 40 bytes, shorter than the 64-byte ELF header'],
      [64, 'the file is truncated or corrupt: its section header table starts at offset 5408, past the end of the 64-byte file'],
      [3316, 'the file is truncated or corrupt: its section header table starts at offset 5408, past the end of the 3316-byte file'],
      [6000, 'the file is truncated or corrupt: its section header table (31 entries of 64 bytes at offset 5408) runs past the end of the 6000-byte file'],
      [7391, 'the file is truncated or corrupt: its section header table (31 entries of 64 bytes at offset 5408) runs past the end of the 7391-byte file'],
    ];
    for (const [length, message] of cases) {
      const facts = read(real.slice(0, length));
      assert.deepEqual(messages(facts), [`cannot read this object: ${message}`], `cut at ${length}`);
      assert.deepEqual([facts.programs, facts.structOpsMaps], [[], []]);
    }
  });

  it('a section whose offset points outside the file', () => {
    const r = readElf(real);
    assert.ok(r.ok);
    const withOffset = (name: string, offset: number): Uint8Array => {
      const s = sectionByName(r.elf, name);
      assert.ok(s, name);
      const copy = real.slice();
      const view = new DataView(copy.buffer);
      view.setUint32(5408 + s.index * 64 + 24, offset, true);
      view.setUint32(5408 + s.index * 64 + 28, 0, true);
      return copy;
    };
    const far = 0xfffff000;
    const outside = (name: string, size: number) => `section '${name}' (offset ${far}, ${size} bytes) lies outside the 7392-byte file`;

    const noBtf = read(withOffset('.BTF', far));
    assert.deepEqual(messages(noBtf), [outside('.BTF', 1137), "section '.struct_ops.link' has no DATASEC in .BTF; libbpf cannot create its struct_ops maps"]);
    assert.deepEqual(noBtf.programs.map((p) => p.name), ['test_1', 'test_2_a', 'test_2_b']);

    const noSymbols = read(withOffset('.symtab', far));
    assert.deepEqual(messages(noSymbols), [outside('.symtab', 528)]);
    assert.deepEqual(noSymbols.programs, []);

    const noSlots = read(withOffset('.rel.struct_ops.link', far));
    assert.deepEqual(messages(noSlots), [outside('.rel.struct_ops.link', 64)]);
    assert.deepEqual(noSlots.structOpsMaps.map((m) => [m.name, m.slots.length]), [['st_ops_map_a', 0], ['st_ops_map_b', 0]]);

    assert.deepEqual(messages(read(withOffset('struct_ops/test_1', far))), [outside('struct_ops/test_1', 120)]);
    assert.deepEqual(messages(read(withOffset('.BTF.ext', far))), [outside('.BTF.ext', 256)]);
    assert.deepEqual(messages(read(withOffset('.strtab', far))), [`cannot read this object: the section names table (offset ${far}, 394 bytes) lies outside the 7392-byte file`]);
    // A DWARF section libbpf ignores may be broken without consequence.
    assert.deepEqual(messages(read(withOffset('.debug_info', far))), []);
  });

  it('corrupt counts and sizes do not make it loop or allocate without bound', () => {
    const patch = (at: number, bytes: number[]) => {
      const copy = real.slice();
      copy.set(bytes, at);
      return copy;
    };
    // e_shnum = 0 selects extended numbering: section 0's sh_size (here 2^63) is the count.
    const extended = patch(60, [0, 0]);
    extended.set([0, 0, 0, 0, 0, 0, 0, 0x80], 5408 + 32);
    const cpu = cpuStopwatch();
    const facts = read(extended);
    assert.match(messages(facts)[0] ?? '', /^cannot read this object: the file is truncated or corrupt: its section header table \(9223372036854776000 entries/);
    // A symbol table claiming 2^32 bytes, BTF claiming 2^32 types.
    read(patch(5408 + 30 * 64 + 32, [0xff, 0xff, 0xff, 0xff]));
    const btfAt = 0x5dc;
    read(patch(btfAt + 12, [0xff, 0xff, 0xff, 0x7f]));
    assert.ok(cpu() < 1000, `took ${Math.round(cpu())} ms of CPU`);
  });

  it('a code section whose size runs past the file end is read only as far as the file goes (a function claiming 2^30 bytes in it)', () => {
    // Found by the fuzz run (fuzz/regressions/elf-100-17940-65dc0f50): the section size and a
    // function's size inside it come from the file, and the code reader walked every instruction.
    const r = readElf(real);
    assert.ok(r.ok);
    const symtab = readSymbols(r.elf);
    assert.ok(typeof symtab !== 'string');
    const section = sectionByName(r.elf, 'struct_ops/test_1');
    const symbol = symtab.symbols.find((s) => s.name === 'test_1');
    assert.ok(section && symbol);
    const copy = real.slice();
    const view = new DataView(copy.buffer);
    view.setBigUint64(5408 + section.index * 64 + 32, 1n << 40n, true);
    view.setBigUint64(symtab.section.offset + symbol.index * 24 + 16, 1n << 30n, true);
    const cpu = cpuStopwatch();
    const facts = read(copy);
    const cpuMs = cpu();
    // About 10 ms; walking the claimed 2^27 instructions took 4.7 s.
    assert.ok(cpuMs < 500, `took ${Math.round(cpuMs)} ms of CPU`);
    assert.ok(messages(facts).includes(`section 'struct_ops/test_1' (offset ${section.offset}, ${2 ** 40} bytes) lies outside the 7392-byte file`), messages(facts).join('\n'));
    assert.deepEqual(facts.programs.map((p) => p.name), ['test_1', 'test_2_a', 'test_2_b']);
  });

  it('stays linear in the size of a large object (3,000 programs, each with a relocation)', () => {
    const count = 3000;
    const w = () => new ByteWriter(true);
    const code = w().u8(0x85).u8(0x10).u16(0).u32(0xffffffff).u8(0x95).u8(0).u16(0).u32(0).toBytes(); // call -1; exit
    const names = w().u8(0);
    const nameAt: number[] = [];
    for (let i = 0; i <= count; i++) {
      nameAt.push(names.length);
      names.cstr(i < count ? `prog_${i}` : 'some_kfunc');
    }
    const strtab = 2 * count + 1;
    const symtab = w().bytes(new Uint8Array(24));
    for (let i = 0; i < count; i++) symtab.u32(nameAt[i] ?? 0).u8(0x12).u8(0).u16(1 + 2 * i).u64(0).u64(16);
    symtab.u32(nameAt[count] ?? 0).u8(0x10).u8(0).u16(0).u64(0).u64(0);
    const sections: SectionSpec[] = [];
    for (let i = 0; i < count; i++) {
      sections.push({ name: `tp/p${i}`, type: 1, flags: 6, data: code });
      sections.push({ name: `.reltp/p${i}`, type: 9, data: w().u64(0).u32(10).u32(count + 1).toBytes(), link: strtab + 1, info: 1 + 2 * i, entsize: 16 });
    }
    sections.push({ name: '.strtab', type: 3, data: names.toBytes() });
    sections.push({ name: '.symtab', type: 2, data: symtab.toBytes(), link: strtab, entsize: 24 });
    const bytes = buildElf({ is64: true, littleEndian: true, sections });
    const cpu = cpuStopwatch();
    const facts = readBpfObject(bytes, '/x/many.bpf.o', 'object');
    const cpuMs = cpu();
    // A gross guard against quadratic work (about 0.1 s of CPU; real objects take ~1 ms).
    assert.ok(cpuMs < 3000, `took ${Math.round(cpuMs)} ms of CPU`);
    assert.equal(facts.programs.length, count);
    // Every field of a program fact is present (undefined where an object does not say): facts.ts programFact.
    assert.deepEqual(facts.programs[count - 1], programFact({
      name: `prog_${count - 1}`, section: `tp/p${count - 1}`, kind: 'other', sleepable: false, autoload: true,
      location: facts.programs[0]?.location ?? fileStart('/x/many.bpf.o'), kfuncCalls: [{ name: 'some_kfunc', location: facts.programs[0]?.location ?? fileStart('/x/many.bpf.o') }], callbacks: [],
    }));
    assert.deepEqual(messages(facts), ['the object has no .BTF section (compile with clang -g); libbpf needs it for struct_ops maps and kfuncs']);
  });

  it('random bytes, with and without an ELF header', () => {
    const next = random(1);
    const header = real.slice(0, 64);
    for (let i = 0; i < 300; i++) {
      const bytes = new Uint8Array(Math.floor(next() * 8192));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(next() * 256);
      if (i % 2 === 0 && bytes.length >= 64) bytes.set(header, 0);
      const facts = read(bytes);
      assert.ok(facts.problems.length > 0, `random input #${i} (${bytes.length} bytes) gave no problem`);
    }
  });

  it('a real object with random bytes changed (1,000 mutants) never throws', () => {
    const next = random(7);
    const cpu = cpuStopwatch();
    let withProblems = 0;
    for (let i = 0; i < 1000; i++) {
      const copy = real.slice();
      const flips = 1 + Math.floor(next() * 8);
      for (let k = 0; k < flips; k++) copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
      const facts = read(copy);
      if (facts.problems.length) withProblems++;
      for (const p of facts.programs) assert.equal(typeof p.name, 'string');
    }
    assert.ok(withProblems > 0);
    assert.ok(cpu() < 20000, `mutants took ${Math.round(cpu())} ms of CPU`);
  });
});
