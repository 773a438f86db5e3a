// The .BTF and .BTF.ext readers: every kind clang 14 emits (from a compiled fixture), ENUM64 and
// broken blobs built by hand, and the questions the struct_ops model asks.
import { strict as assert } from 'node:assert';
import {
  type Btf,
  btfFunctions,
  datasecVariables,
  findDatasec,
  isFunctionPointer,
  memberAtBitOffset,
  readBtf,
  skipModifiers,
  typeName,
} from '../../server/src/analysis/elf/btf';
import { firstLineIn, readLineInfo } from '../../server/src/analysis/elf/btfExt';
import { readElf, sectionByName, sectionBytes } from '../../server/src/analysis/elf/elf';
import { builtBytes, ensureFixturesBuilt } from './builtFixtures';
import { ByteWriter } from './elfBuilder';

function btfOf(caseName: string, file: string): Btf {
  const r = readElf(builtBytes(caseName, file));
  assert.ok(r.ok);
  const section = sectionByName(r.elf, '.BTF');
  const bytes = section && sectionBytes(r.elf, section);
  assert.ok(bytes);
  const btf = readBtf(bytes);
  assert.ok(btf.ok, btf.ok ? '' : btf.message);
  assert.deepEqual(btf.problems, []);
  return btf.btf;
}

/** A BTF blob: header, the given type records, and a string section. */
function blob(littleEndian: boolean, types: (w: ByteWriter) => void, strings: string[]): Uint8Array {
  const t = new ByteWriter(littleEndian);
  types(t);
  const s = new ByteWriter(littleEndian).u8(0);
  for (const x of strings) s.cstr(x);
  const typeBytes = t.toBytes();
  const w = new ByteWriter(littleEndian).u16(0xeb9f).u8(1).u8(0).u32(24).u32(0).u32(typeBytes.length).u32(typeBytes.length).u32(s.length);
  return w.bytes(typeBytes).bytes(s.toBytes()).toBytes();
}

const info = (kind: number, vlen: number, kindFlag = false) => ((kindFlag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;

before(ensureFixturesBuilt);

describe('BTF reader', () => {
  it('reads every kind clang emits, as bpftool btf dump shows them', () => {
    const btf = btfOf('elf-btf-kinds', 'kinds.bpf.o');
    assert.equal(btf.types.length, 31);
    assert.deepEqual(btf.types[10], {
      kind: 'struct',
      name: 'kinds',
      size: 80,
      members: [
        ['value', 11, 0], ['colour', 13, 32], ['handle', 14, 64], ['name', 17, 128], ['buffer', 19, 192],
        ['hidden', 21, 256], ['user_ptr', 24, 320], ['samples', 25, 384], ['flag', 16, 512, 3], ['ratio', 26, 576],
      ].map(([name, type, bitOffset, bitfieldSize]) => ({ name, type, bitOffset, bitfieldSize: bitfieldSize ?? 0 })),
    });
    assert.deepEqual(btf.types.slice(11, 30), [
      { kind: 'union', name: '', size: 4, members: [{ name: 'as_int', type: 4, bitOffset: 0, bitfieldSize: 0 }, { name: 'as_float', type: 12, bitOffset: 0, bitfieldSize: 0 }] },
      { kind: 'float', name: 'float', size: 4 },
      { kind: 'enum', name: 'colour', size: 4, signed: false, values: [{ name: 'RED', value: 1 }, { name: 'GREEN', value: 4294967294 }] },
      { kind: 'volatile', name: '', type: 15 },
      { kind: 'typedef', name: 'handle_t', type: 16 },
      { kind: 'int', name: 'unsigned int', size: 4, bits: 32, encoding: 0, bitOffset: 0 },
      { kind: 'ptr', name: '', type: 18 },
      { kind: 'const', name: '', type: 6 },
      { kind: 'restrict', name: '', type: 20 },
      { kind: 'ptr', name: '', type: 6 },
      { kind: 'ptr', name: '', type: 22 },
      { kind: 'fwd', name: 'opaque', union: false },
      { kind: 'type_tag', name: 'user', type: 4 },
      { kind: 'ptr', name: '', type: 23 },
      { kind: 'array', name: '', elemType: 4, indexType: 8, count: 4 },
      { kind: 'float', name: 'double', size: 8 },
      { kind: 'var', name: 'kinds_value', type: 10, linkage: 'global' },
      { kind: 'decl_tag', name: 'kinds', type: 27, componentIndex: -1 },
      { kind: 'datasec', name: '.data.kinds', size: 0, vars: [{ type: 27, offset: 0, size: 80 }] },
    ]);
    assert.deepEqual(btf.types[4], { kind: 'int', name: 'int', size: 4, bits: 32, encoding: 1, bitOffset: 0 });
    assert.deepEqual(btf.types[3], { kind: 'func_proto', name: '', returnType: 4, params: [{ name: 'ctx', type: 1 }] });
    assert.deepEqual(btfFunctions(btf), [{ id: 5, name: 'kinds_prog', linkage: 'global', proto: 3 }]);
  });

  it('answers the model: modifiers, function pointers, members, DATASEC variables, names', () => {
    const kinds = btfOf('elf-btf-kinds', 'kinds.bpf.o');
    assert.equal(skipModifiers(kinds, 14).id, 16); // volatile -> typedef -> unsigned int
    assert.equal(skipModifiers(kinds, 23).id, 4); // type_tag -> int
    assert.deepEqual(
      [17, 19, 21, 24, 25, 14, 11].map((id) => typeName(kinds, id)),
      ['const char *', 'restrict char *', 'struct opaque *', 'int *', 'int[4]', 'volatile handle_t', 'union (anon)'],
    );
    const shared = btfOf('poisoned-shared', 'shared.bpf.o');
    const ops = shared.types[16];
    assert.equal(ops?.kind === 'struct' && ops.name, 'bpf_testmod_ops');
    assert.deepEqual([0, 64, 128, 8].map((bits) => memberAtBitOffset(ops, bits)?.name), ['test_1', 'test_2', 'data', undefined]);
    assert.deepEqual([17, 4, 1].map((id) => isFunctionPointer(shared, id)), [true, false, false]);
    const datasec = findDatasec(shared, '.struct_ops.link');
    assert.ok(datasec);
    // Clang leaves the offsets at 0; readBpfObject takes them from the ELF symbols, as libbpf does.
    assert.deepEqual(datasecVariables(shared, datasec), [
      { name: 'st_ops_map_a', varId: 21, type: 16, linkage: 'global', offset: 0, size: 24 },
      { name: 'st_ops_map_b', varId: 22, type: 16, linkage: 'global', offset: 0, size: 24 },
    ]);
    assert.deepEqual(btfFunctions(shared).filter((f) => f.linkage === 'extern').map((f) => f.name), ['bpf_kfunc_multi_st_ops_test_1_assoc']);
  });

  for (const littleEndian of [true, false]) {
    it(`reads ENUM64 and a union FWD built by hand (${littleEndian ? 'little' : 'big'} endian)`, () => {
      const bytes = blob(littleEndian, (w) => {
        w.u32(1).u32(info(19, 2, true)).u32(8).u32(5).u32(0xfffffffe).u32(0xffffffff).u32(9).u32(0).u32(0x80000000); // [1] signed ENUM64
        w.u32(13).u32(info(19, 1)).u32(8).u32(9).u32(0).u32(0x80000000); // [2] unsigned ENUM64
        w.u32(1).u32(info(7, 0, true)).u32(0); // [3] FWD union
      }, ['big', 'NEG', 'TOP', 'ubig']);
      const r = readBtf(bytes);
      assert.ok(r.ok);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(r.btf.types.slice(1), [
        { kind: 'enum64', name: 'big', size: 8, signed: true, values: [{ name: 'NEG', value: -2n }, { name: 'TOP', value: -(2n ** 63n) }] },
        { kind: 'enum64', name: 'ubig', size: 8, signed: false, values: [{ name: 'TOP', value: 2n ** 63n }] },
        { kind: 'fwd', name: 'big', union: true },
      ]);
    });
  }

  it('reports broken BTF instead of throwing', () => {
    const good = blob(true, (w) => w.u32(0).u32(info(1, 0)).u32(4).u32(32), []);
    assert.deepEqual(readBtf(good.subarray(0, 10)), { ok: false, message: '.BTF is 10 bytes, shorter than its header' });
    assert.deepEqual(readBtf(new Uint8Array(32)), { ok: false, message: '.BTF does not start with the BTF magic 0xeB9F' });
    const cut = good.slice();
    cut.set([0xff, 0xff], 12); // type_len 0xffff
    assert.deepEqual(readBtf(cut), { ok: false, message: '.BTF header describes types (0+65535) or strings (16+1) outside its 41 bytes' });

    const unknownKind = readBtf(blob(true, (w) => w.u32(0).u32(info(1, 0)).u32(4).u32(32).u32(0).u32(info(25, 0)).u32(0), []));
    assert.ok(unknownKind.ok);
    assert.deepEqual(unknownKind.problems, ['.BTF type [2] has unknown kind 25; the types after it are not read']);
    assert.equal(unknownKind.btf.types.length, 2);

    const longStruct = readBtf(blob(true, (w) => w.u32(0).u32(info(4, 1000)).u32(4), []));
    assert.ok(longStruct.ok);
    assert.deepEqual(longStruct.problems, ['.BTF type [1] runs past the end of the type section']);

    const badName = readBtf(blob(true, (w) => w.u32(999).u32(info(1, 0)).u32(4).u32(32), []));
    assert.ok(badName.ok);
    assert.deepEqual(badName.problems, ['.BTF has 1 name offset(s) outside its string section']);
  });

  it('stops on a typedef cycle', () => {
    const r = readBtf(blob(true, (w) => {
      w.u32(0).u32(info(8, 0)).u32(2); // [1] typedef -> 2
      w.u32(0).u32(info(10, 0)).u32(1); // [2] const -> 1
    }, []));
    assert.ok(r.ok);
    // It gives up after as many steps as there are types, on a modifier.
    assert.equal(skipModifiers(r.btf, 1).type?.kind, 'const');
    assert.equal(isFunctionPointer(r.btf, 1), false);
    assert.equal(typeName(r.btf, 2).startsWith('const '), true);
  });
});

describe('.BTF.ext line info', () => {
  it('maps each section to files and lines; reports what it cannot read', () => {
    const btf = readBtf(blob(true, (w) => w.u32(0).u32(info(1, 0)).u32(4).u32(32), ['prog', '/src/a.bpf.c']));
    assert.ok(btf.ok);
    const ext = (recordSize: number, count: number) => {
      const lines = new ByteWriter(true).u32(recordSize).u32(1).u32(count);
      for (let i = 0; i < count; i++) lines.u32(i * 8).u32(6).u32(0).u32(((10 + i) << 10) | 2);
      const body = lines.toBytes();
      return new ByteWriter(true).u16(0xeb9f).u8(1).u8(0).u32(32).u32(0).u32(0).u32(0).u32(body.length).u32(0).u32(0).bytes(body).toBytes();
    };
    const r = readLineInfo(ext(16, 3), btf.btf);
    assert.ok(r.ok);
    assert.deepEqual(r.bySection.get('prog')?.map((l) => [l.insnOffset, l.file, l.line, l.column]), [[0, '/src/a.bpf.c', 10, 2], [8, '/src/a.bpf.c', 11, 2], [16, '/src/a.bpf.c', 12, 2]]);
    assert.equal(firstLineIn(r.bySection.get('prog'), 8, 24)?.line, 11);
    assert.deepEqual(readLineInfo(ext(8, 1), btf.btf), { ok: false, message: '.BTF.ext line_info record size 8 is smaller than 16' });
    const truncated = ext(16, 3).slice();
    truncated.set([200], 40); // count 200
    assert.deepEqual(readLineInfo(truncated, btf.btf), { ok: false, message: ".BTF.ext line_info for 'prog' (200 records) runs past the end of the section" });
  });
});
