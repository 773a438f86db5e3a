// Section headers that point at the same bytes again (issue 12): a fuzzed object with 1,600 headers
// of its `.rel.struct_ops.link`, each covering the whole 112 KiB file, read 11 million relocation
// entries (2.3 s of CPU, growing with headers × size). Relocation entries read per object are now
// bounded by the file's size, since relocation sections that do not overlap hold no more; each
// section is read once whoever asks.
import { strict as assert } from 'node:assert';
import { readBpfObject } from '../../server/src/analysis/elf/bpfObject';
import { readElf } from '../../server/src/analysis/elf/elf';
import { builtBytes, ensureFixturesBuilt } from './builtFixtures';
import { cpuStopwatch } from '../support/cpuTime';

before(ensureFixturesBuilt);

/** `bytes` (ELF64, little-endian) with `copies` more headers of each section named `name`, covering the whole file. */
function aliased(bytes: Uint8Array, name: string, copies: number): Uint8Array {
  const b = Buffer.from(bytes);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shnum = b.readUInt16LE(0x3c);
  const elf = readElf(bytes);
  assert.ok(elf.ok);
  const picks = elf.elf.sections.filter((s) => s.name === name).map((s) => s.index);
  assert.ok(picks.length, `no section ${name}`);
  const extra: Buffer[] = [];
  for (let k = 0; k < copies; k++) {
    for (const i of picks) {
      const h = Buffer.from(b.subarray(shoff + i * 64, shoff + i * 64 + 64));
      h.writeBigUInt64LE(0n, 24);
      h.writeBigUInt64LE(BigInt(b.length), 32);
      extra.push(h);
    }
  }
  const pad = Buffer.alloc((8 - (b.length % 8)) % 8);
  const table = Buffer.concat([b.subarray(shoff, shoff + shnum * 64), ...extra]);
  const out = Buffer.concat([b, pad, table]);
  out.writeBigUInt64LE(BigInt(b.length + pad.length), 0x28);
  out.writeUInt16LE(shnum + extra.length, 0x3c);
  return new Uint8Array(out);
}

describe('ELF: section headers pointing at the same bytes', () => {
  it('reads relocations no further than the file holds: 4,000 aliased .rel.struct_ops headers in well under a second, with a message', () => {
    const real = builtBytes('poisoned-shared', 'shared.bpf.o');
    const plain = readBpfObject(real, '/ws/shared.bpf.o', 'object');
    const relName = readElf(real).ok ? (readElf(real) as { ok: true; elf: { sections: { name: string }[] } }).elf.sections.find((s) => s.name.startsWith('.rel.struct_ops'))?.name : undefined;
    assert.ok(relName, 'the fixture has struct_ops relocations');
    const bytes = aliased(real, relName, 4_000);
    const cpu = cpuStopwatch();
    const facts = readBpfObject(bytes, '/ws/shared.bpf.o', 'object');
    const ms = cpu();
    // Before: about 5 s of CPU at this size (headers × file size relocation entries).
    assert.ok(ms < 1500, `${ms.toFixed(0)} ms of CPU`);
    assert.ok(facts.problems.some((p) => /claims more than the \d+ bytes of the file/.test(p.message)));
    // What the object defines is read as before.
    assert.deepEqual(facts.programs.map((p) => p.name).sort(), plain.programs.map((p) => p.name).sort());
    assert.equal(facts.structOpsMaps.length, plain.structOpsMaps.length);
  });
});
