// The ELF, BTF and BPF-object readers on real objects compiled by clang -target bpf (and bpfeb),
// on hand-built ELF32/RELA files, and on truncated, corrupted and random input.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { readBpfObject } from '../../server/src/analysis/elf/bpfObject';
import {
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STT_FUNC,
  type ElfFile,
  readElf,
  readRelocations,
  readSymbols,
  relocationSectionsFor,
  sectionByName,
} from '../../server/src/analysis/elf/elf';
import { builtBytes, builtPath, ensureFixturesBuilt, sourcePath } from './builtFixtures';
import { ByteWriter, buildElf } from './elfBuilder';
import { EXPECTED, shape } from './objectExpectations';

function elfOf(bytes: Uint8Array): ElfFile {
  const r = readElf(bytes);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.elf;
}

/** Zero-based lines of a program's definition in its fixture source: `BPF_PROG(name` to the closing `}`. */
function programLines(caseName: string, file: string, name: string): [number, number] {
  const source = readFileSync(sourcePath(caseName, file), 'utf8').split('\n');
  const start = source.findIndex((l) => l.includes(`BPF_PROG(${name}`));
  return [start, source.findIndex((l, i) => i > start && l.startsWith('}'))];
}

before(ensureFixturesBuilt);

describe('readBpfObject on compiled fixtures', () => {
  for (const [caseName, { file, facts }] of Object.entries(EXPECTED)) {
    it(`${caseName}/${file}: programs, maps, slots, kfunc calls as libbpf sees them`, () => {
      const path = builtPath(caseName, file);
      const read = readBpfObject(builtBytes(caseName, file), path, 'object');
      assert.equal(read.origin, 'object');
      assert.equal(read.file, path);
      assert.deepEqual(shape(read), facts);
    });

    it(`${caseName}/${file}: each program's source file and line from .BTF.ext`, () => {
      const read = readBpfObject(builtBytes(caseName, file), builtPath(caseName, file), 'object');
      const source = file.replace(/\.o$/, '.c');
      assert.ok(read.programs.length > 0);
      for (const p of read.programs) {
        const [start, end] = programLines(caseName, source, p.name);
        // build.sh maps the checkout to `.` (-ffile-prefix-map), so objects do not depend on where it is.
        assert.equal(p.sourceHint?.file, `./test/fixtures/cases/${caseName}/${source}`, p.name);
        assert.ok(p.sourceHint.line >= start && p.sourceHint.line < end, `${p.name}: line ${p.sourceHint.line} not in [${start}, ${end})`);
      }
    });
  }

  it("gives the line of a program's first instruction", () => {
    const line = (caseName: string, file: string, name: string) =>
      readBpfObject(builtBytes(caseName, file), builtPath(caseName, file), 'object').programs.find((p) => p.name === name)?.sourceHint?.line;
    // `int BPF_PROG(test_1, ...)`: the macro's wrapper comes first.
    assert.equal(line('poisoned-shared', 'shared.bpf.o', 'test_1'), 13);
    // `return kinds_value.flag;`: the load of the global comes before the wrapper's code.
    assert.equal(line('elf-btf-kinds', 'kinds.bpf.o', 'kinds_prog'), 30);
  });

  it('names the object like bpftool and like the Makefiles', () => {
    const read = readBpfObject(builtBytes('elf-calls', 'calls.bpf.o'), builtPath('elf-calls', 'calls.bpf.o'), 'object');
    assert.deepEqual(read.objectNames, ['calls_bpf', 'calls']);
    const named = readBpfObject(builtBytes('elf-calls', 'calls.bpf.o'), builtPath('elf-calls', 'calls.bpf.o'), 'object', { objectName: 'calls_bpf' });
    assert.deepEqual(named.otherMaps, ['timers', 'calls_bp.rodata', 'calls_bp.data', 'calls_bp.bss', 'calls_b.kconfig']);
  });
});

describe('ELF reader', () => {
  it('reads the header, section names, symbols and the relocations of a real object', () => {
    const elf = elfOf(builtBytes('poisoned-shared', 'shared.bpf.o'));
    assert.deepEqual(elf.header, { is64: true, littleEndian: true, type: 1, machine: 247 });
    assert.equal(elf.sections.length, 31);
    assert.deepEqual(elf.problems, []);
    const text = sectionByName(elf, 'struct_ops/test_1');
    const rel = sectionByName(elf, '.relstruct_ops/test_1');
    assert.ok(text && rel);
    assert.deepEqual([rel.type, rel.info, rel.entsize], [SHT_REL, text.index, 16]);
    assert.deepEqual(relocationSectionsFor(elf, text).map((s) => s.name), ['.relstruct_ops/test_1']);
    const symtab = readSymbols(elf);
    assert.ok(typeof symtab !== 'string');
    const test1 = symtab.symbols.find((s) => s.name === 'test_1');
    assert.deepEqual(test1, { index: 14, name: 'test_1', value: 0, size: 120, type: STT_FUNC, bind: STB_GLOBAL, visibility: 0, shndx: text.index });
    const ops = sectionByName(elf, '.rel.struct_ops.link');
    assert.ok(ops);
    const relocs = readRelocations(elf, ops);
    assert.ok(typeof relocs !== 'string');
    assert.deepEqual(
      relocs.map((r) => [r.offset, symtab.symbols[r.symbol]?.name, r.type, r.addend]),
      [[0, 'test_1', 2, null], [8, 'test_2_a', 2, null], [24, 'test_1', 2, null], [32, 'test_2_b', 2, null]],
    );
  });

  for (const [is64, littleEndian] of [[false, true], [false, false], [true, false], [true, true]] as const) {
    it(`reads ELF${is64 ? 64 : 32} ${littleEndian ? 'LE' : 'BE'}: symbols, SHT_REL and SHT_RELA`, () => {
      const w = () => new ByteWriter(littleEndian);
      const strtab = w().u8(0).cstr('fn').cstr('ext').toBytes();
      const sym = (name: number, info: number, shndx: number, value: number, size: number) =>
        is64 ? w().u32(name).u8(info).u8(0).u16(shndx).u64(value).u64(size).toBytes() : w().u32(name).u32(value).u32(size).u8(info).u8(0).u16(shndx).toBytes();
      const symtab = w().bytes(sym(0, 0, 0, 0, 0)).bytes(sym(1, 0x12, 1, 8, 16)).bytes(sym(4, 0x10, 0, 0, 0)).toBytes();
      const relEntry = (off: number, s: number, t: number) => (is64 ? w().u64(off).u32(littleEndian ? t : s).u32(littleEndian ? s : t) : w().u32(off).u32(s * 256 + t));
      const rel = w().bytes(relEntry(8, 2, 10).toBytes()).toBytes();
      const minus16 = is64 ? w().u32(littleEndian ? 0xfffffff0 : 0xffffffff).u32(littleEndian ? 0xffffffff : 0xfffffff0) : w().u32(-16);
      const rela = w().bytes(relEntry(0, 1, 1).toBytes()).bytes(minus16.toBytes()).toBytes();
      const bytes = buildElf({
        is64,
        littleEndian,
        sections: [
          { name: 'prog', type: 1, flags: 6, data: new Uint8Array(32) },
          { name: '.strtab', type: SHT_STRTAB, data: strtab },
          { name: '.symtab', type: SHT_SYMTAB, data: symtab, link: 2, entsize: is64 ? 24 : 16 },
          { name: '.relprog', type: SHT_REL, data: rel, link: 3, info: 1, entsize: is64 ? 16 : 8 },
          { name: '.relaprog', type: SHT_RELA, data: rela, link: 3, info: 1, entsize: is64 ? 24 : 12 },
        ],
      });
      const elf = elfOf(bytes);
      assert.deepEqual(elf.header, { is64, littleEndian, type: 1, machine: 247 });
      assert.deepEqual(elf.sections.map((s) => s.name), ['', 'prog', '.strtab', '.symtab', '.relprog', '.relaprog', '.shstrtab']);
      const symbols = readSymbols(elf);
      assert.ok(typeof symbols !== 'string', String(symbols));
      assert.deepEqual(symbols.symbols.map((s) => [s.name, s.type, s.bind, s.shndx, s.value, s.size]), [['', 0, 0, 0, 0, 0], ['fn', 2, 1, 1, 8, 16], ['ext', 0, 1, 0, 0, 0]]);
      const prog = elf.sections[1];
      assert.ok(prog);
      const [relSection, relaSection] = relocationSectionsFor(elf, prog);
      assert.ok(relSection && relaSection);
      assert.deepEqual(readRelocations(elf, relSection), [{ offset: 8, symbol: 2, type: 10, addend: null }]);
      assert.deepEqual(readRelocations(elf, relaSection), [{ offset: 0, symbol: 1, type: 1, addend: -16 }]);
      if (!is64) {
        const read = readBpfObject(bytes, '/x/elf32.o', 'object');
        assert.deepEqual(read.problems.map((p) => [p.rule, p.message]), [['malformed-object', 'this is a 32-bit ELF object; libbpf opens only 64-bit BPF objects (clang -target bpf)']]);
      }
    });
  }

  it('says why it cannot read a file', () => {
    const real = builtBytes('poisoned-shared', 'shared.bpf.o');
    const patched = (at: number, ...bytes: number[]) => {
      const copy = real.slice();
      copy.set(bytes, at);
      return copy;
    };
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'the file is empty'],
      [Uint8Array.from([1, 2, 3]), 'not an ELF file (no \\x7fELF magic at the start)'],
      [patched(4, 3), 'unknown ELF class 3 (expected 1 for ELF32 or 2 for ELF64)'],
      [patched(5, 0), 'unknown ELF byte order 0 (expected 1 for little or 2 for big endian)'],
      [real.slice(0, 40), 'the file is truncated: 40 bytes, shorter than the 64-byte ELF header'],
      [patched(40, 0, 0, 0, 0, 0, 0, 0, 0), 'the ELF header has no section header table (e_shoff is 0)'],
      [patched(58, 63), 'section header size is 63, expected 64'],
      [patched(62, 99), 'the section names table index 99 is not a section (there are 31)'],
      [patched(60, 0xff, 0xff), 'the file is truncated or corrupt: its section header table (65535 entries of 64 bytes at offset 5408) runs past the end of the 7392-byte file'],
    ];
    for (const [bytes, message] of cases) {
      const r = readElf(bytes);
      assert.deepEqual(r, { ok: false, message });
    }
  });
});
