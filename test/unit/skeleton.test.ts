// Skeletons from bpftool v7.5 (`gen skeleton`), rewritten into the older bpftool format, cut short
// and corrupted; the embedded object must read exactly as the .bpf.o it was generated from.
import { strict as assert } from 'node:assert';
import { decodeCStringLiterals } from '../../server/src/analysis/cStringLiteral';
import { readBpfObject } from '../../server/src/analysis/elf/bpfObject';
import { skeletonMapIdent } from '../../server/src/analysis/elf/otherMaps';
import { readSkeleton } from '../../server/src/analysis/skeleton';
import { builtBytes, builtPath, builtText, ensureFixturesBuilt } from './builtFixtures';
import { EXPECTED, shape } from './objectExpectations';

const SKELETONS: [caseName: string, name: string][] = [['poisoned-shared', 'shared'], ['elf-sections', 'sections'], ['elf-calls', 'calls'], ['elf-btf-kinds', 'kinds']];

/** bpftool before v7.3 wrote `*sz = N; return (const void *)"...";` instead of an aligned array. */
function toOlderFormat(text: string, size: number): string {
  const older = text
    .replace(/static const char data\[\] __attribute__\(\(__aligned__\(8\)\)\) = "/, `*sz = ${size};\n\treturn (const void *)"`)
    .replace(/\n\n\t\*sz = sizeof\(data\) - 1;\n\treturn \(const void \*\)data;/, '');
  assert.notEqual(older, text);
  assert.ok(!older.includes('sizeof(data)'));
  return older;
}

/** The text cut after `lines` lines of the embedded literal, and how many bytes those lines hold. */
function cutInsideLiteral(text: string, lines: number): { text: string; bytes: number } {
  const start = text.indexOf('"\\\n', text.indexOf('__elf_bytes(size_t *sz)\n{')) + 3;
  let cut = start;
  for (let i = 0; i < lines; i++) cut = text.indexOf('\n', cut) + 1;
  const kept = text.slice(start, cut);
  return { text: text.slice(0, cut), bytes: (kept.match(/\\x[0-9a-f]{2}|\\0/g) ?? []).length };
}

before(ensureFixturesBuilt);

describe('readSkeleton on bpftool skeletons', () => {
  for (const [caseName, name] of SKELETONS) {
    it(`${caseName}/${name}.skel.h: its embedded object reads exactly like ${name}.bpf.o`, () => {
      const path = builtPath(caseName, `${name}.skel.h`);
      const skeleton = readSkeleton(builtText(caseName, `${name}.skel.h`), path);
      assert.deepEqual(skeleton.problems, []);
      assert.equal(skeleton.objectName, name);
      const embedded = skeleton.embedded;
      assert.ok(embedded);
      assert.deepEqual([embedded.origin, embedded.file, embedded.objectNames], ['skeleton', path, [name]]);
      assert.deepEqual(shape(embedded), EXPECTED[caseName]?.facts);
      const object = readBpfObject(builtBytes(caseName, `${name}.bpf.o`), builtPath(caseName, `${name}.bpf.o`), 'object');
      assert.deepEqual(embedded.programs.map((p) => p.sourceHint), object.programs.map((p) => p.sourceHint));
      // The skeleton lists the same programs and maps (internal maps under bpftool's names).
      assert.deepEqual(skeleton.programs, object.programs.map((p) => p.name));
      const internal = (m: string) => !object.structOpsMaps.some((s) => s.name === m) && m.includes('.');
      const idents = object.otherMaps.map((m) => skeletonMapIdent(m, internal(m)));
      assert.deepEqual(skeleton.maps, [...idents, ...object.structOpsMaps.map((m) => m.name)]);
    });
  }

  it('reads names, links and struct_ops shadow types', () => {
    const skeleton = readSkeleton(builtText('elf-sections', 'sections.skel.h'), builtPath('elf-sections', 'sections.skel.h'));
    const maps = ['plain_ops', 'link_ops', 'optional_ops', 'optional_ops_late', 'optional_link_ops'];
    const programs = ['plain_test_1', 'link_test_1', 'link_test_2', 'optional_test_1', 'late_test_2', 'optional_link_test_1'];
    assert.deepEqual(skeleton.maps, maps);
    assert.deepEqual(skeleton.programs, programs);
    assert.deepEqual(skeleton.links, [...programs, ...maps]);
    assert.deepEqual(skeleton.structOpsShadows, maps.map((map) => ({ map, members: ['test_1', 'test_2'] })));
    // `struct sections {` opens the file's definitions; the location is the name.
    const line = builtText('elf-sections', 'sections.skel.h').split('\n').indexOf('struct sections {');
    assert.deepEqual(skeleton.location.range, { start: { line, character: 7 }, end: { line, character: 15 } });
  });

  it("maps bpftool's map names to skeleton members", () => {
    const skeleton = readSkeleton(builtText('elf-calls', 'calls.skel.h'), builtPath('elf-calls', 'calls.skel.h'));
    assert.deepEqual(skeleton.maps, ['timers', 'rodata', 'data', 'bss', 'kconfig', 'calls_ops']);
    assert.deepEqual(skeleton.embedded?.otherMaps, ['timers', 'calls.rodata', 'calls.data', 'calls.bss', 'calls.kconfig']);
    assert.deepEqual(['calls.rodata', '.rodata.str1.1', 'calls_b.kconfig', 'x.maps'].map((m) => skeletonMapIdent(m, true)), ['rodata', 'rodata_str1_1', 'kconfig', null]);
  });

  it('reads the older `*sz = N; return (const void *)"..."` format', () => {
    const text = toOlderFormat(builtText('poisoned-shared', 'shared.skel.h'), 7392);
    const skeleton = readSkeleton(text, '/w/shared.skel.h');
    assert.deepEqual(skeleton.problems, []);
    assert.deepEqual(shape(skeleton.embedded as never), EXPECTED['poisoned-shared']?.facts);
  });
});

describe('readSkeleton on damaged skeletons', () => {
  let text: string;
  before(() => {
    text = builtText('poisoned-shared', 'shared.skel.h');
  });
  const problemsOf = (t: string) => readSkeleton(t, '/w/shared.skel.h').problems.map((p) => [p.rule, p.message, p.location.range.start.line]);

  it('a string literal cut short', () => {
    for (const lines of [1, 40, 150]) {
      const cut = cutInsideLiteral(text, lines);
      const skeleton = readSkeleton(cut.text, '/w/shared.skel.h');
      assert.equal(skeleton.embedded, null);
      // The expected size comes from the ELF header, once the cut keeps all 64 bytes of it.
      const message = cut.bytes >= 64
        ? `the embedded object is truncated: ${cut.bytes} of 7392 bytes`
        : `the embedded object is truncated after ${cut.bytes} bytes: the string literal has no closing quote before the end of the file`;
      assert.deepEqual(problemsOf(cut.text), [['malformed-skeleton', message, cut.text.split('\n').length - 1]]);
      assert.deepEqual(skeleton.programs, ['test_1', 'test_2_a', 'test_2_b'], 'the names are still read');
    }
    const older = cutInsideLiteral(toOlderFormat(text, 7392), 100);
    assert.deepEqual(problemsOf(older.text).map((p) => p[1]), [`the embedded object is truncated: ${older.bytes} of 7392 bytes`]);
  });

  it('a size that disagrees with the older format literal', () => {
    assert.deepEqual(problemsOf(toOlderFormat(text, 8000)).map((p) => p[1]), ['the embedded object is truncated: 7392 of 8000 bytes']);
    const longer = readSkeleton(toOlderFormat(text, 6000), '/w/shared.skel.h');
    assert.deepEqual(longer.problems.map((p) => p.message), ["the embedded object's string is 7392 bytes but *sz = 6000; libbpf reads the first 6000"]);
    assert.match(longer.embedded?.problems[0]?.message ?? '', /^cannot read the embedded object: the file is truncated or corrupt/);
  });

  it('a corrupted embedded object', () => {
    const broken = text.replace('"\\\n\\x7f\\x45\\x4c\\x46', '"\\\n\\x7f\\x45\\x4c\\x47');
    assert.notEqual(broken, text);
    const skeleton = readSkeleton(broken, '/w/shared.skel.h');
    assert.deepEqual(skeleton.problems, []);
    assert.deepEqual(skeleton.embedded?.problems.map((p) => [p.rule, p.message]), [['malformed-object', 'cannot read the embedded object: not an ELF file (no \\x7fELF magic at the start)']]);
  });

  it('a file cut before the object, or not a skeleton at all', () => {
    const head = text.slice(0, text.indexOf('} maps;'));
    assert.deepEqual(problemsOf(head), [['malformed-skeleton', 'the body of struct shared does not end', 12]]);
    const noBytes = text.slice(0, text.indexOf('static inline const void *shared__elf_bytes(size_t *sz)\n{'));
    assert.deepEqual(problemsOf(noBytes), [['malformed-skeleton', 'shared__elf_bytes() is not defined, so the embedded object cannot be read; regenerate the skeleton with bpftool gen skeleton', 12]]);
    assert.deepEqual(problemsOf('int main(void) { return 0; }\n'), [['malformed-skeleton', 'no `struct NAME { struct bpf_object_skeleton *skeleton; ... }`: this does not look like a bpftool skeleton', 0]]);
    assert.deepEqual(problemsOf(''), [['malformed-skeleton', 'no `struct NAME { struct bpf_object_skeleton *skeleton; ... }`: this does not look like a bpftool skeleton', 0]]);
  });

  it('a light skeleton (gen skeleton -L) has names but no embedded object', () => {
    const light = `struct lite {\n\tstruct bpf_loader_ctx ctx;\n\tstruct {\n\t\tstruct bpf_map_desc ringbuf;\n\t} maps;\n\tstruct {\n\t\tstruct bpf_prog_desc handle;\n\t} progs;\n\tstruct {\n\t\tint handle_fd;\n\t} links;\n};\n`;
    const skeleton = readSkeleton(light, '/w/lite.lskel.h');
    assert.deepEqual([skeleton.objectName, skeleton.embedded, skeleton.problems], ['lite', null, []]);
    assert.deepEqual([skeleton.maps, skeleton.programs, skeleton.links], [['ringbuf'], ['handle'], ['handle']]);
  });
});

describe('C string literal decoder', () => {
  const decode = (source: string) => {
    const r = decodeCStringLiterals(source, source.indexOf('"'));
    return { bytes: [...r.bytes], end: r.end, error: r.error?.message ?? null };
  };

  it('decodes escapes, continuations and adjacent literals', () => {
    assert.deepEqual(decode('"A\\x42\\103\\0\\n\\t\\\\\\"\\?\\q"'), { bytes: [65, 0x42, 0o103, 0, 10, 9, 92, 34, 63, 113], end: 25, error: null });
    assert.deepEqual(decode('x = "a\\\nb" /* c */ "c"\n  // d\n "\\1234" ;').bytes, [97, 98, 99, 0o123, 0x34]);
    assert.deepEqual(decode('"\\x0000041\\xfff"').bytes, [0x41, 0xff]);
    assert.deepEqual(decode('"\\\r\n\\7\\08"').bytes, [7, 0, 0x38]);
    assert.deepEqual(decode('"é€😀"').bytes, [...Buffer.from('é€😀', 'utf8')]);
    assert.deepEqual(decode('""').bytes, []);
  });

  it('says where and why a literal ends early', () => {
    assert.deepEqual(decode('"abc'), { bytes: [97, 98, 99], end: -1, error: 'the string literal has no closing quote before the end of the file' });
    assert.deepEqual(decode('"ab\ncd"'), { bytes: [97, 98], end: -1, error: 'the string literal has no closing quote before the end of the line' });
    assert.deepEqual(decode('"ab\\'), { bytes: [97, 98], end: -1, error: 'the string literal ends in a backslash at the end of the file' });
    assert.equal(decode('"\\xg"').error, '\\x without hex digits');
    assert.equal(decode('"\\u00e9"').error, 'universal character names (\\u) are not supported in an embedded object');
  });

  it('grows past a small size hint', () => {
    const source = `"${'\\x41'.repeat(1000)}"`;
    const r = decodeCStringLiterals(source, 0, 1);
    assert.equal(r.bytes.length, 1000);
    assert.ok(r.bytes.every((b) => b === 0x41));
  });
});
