// What kind of file a `.c` is, from what its code uses (not its comments or string literals).
import { strict as assert } from 'node:assert';
import { classify } from '../../server/src/analysis/workspace';

describe('classify', () => {
  it('a loader that prints or mentions SEC( in a string or comment stays a loader', () => {
    const loader = '#include <stdio.h>\n// SEC("x") in a comment\nint main(void) { struct o *s = o__open(); printf("SEC(\\"struct_ops\\")\\n"); return 0; }\n';
    assert.equal(classify('/w/loader.c', loader), 'loader');
  });

  it('a file that includes a skeleton is a loader even when it declares a section itself', () => {
    const usdt = '#include "usdt.skel.h"\nstatic int sema __attribute__((section(".probes"))) = 0;\nint main(void) { return 0; }\n';
    assert.equal(classify('/w/prog_tests/usdt.c', usdt), 'loader');
  });

  it('SEC( in code makes a BPF source, whatever its file name', () => {
    assert.equal(classify('/w/prog.c', 'SEC("tc") int p(void *ctx) { return 0; }\n'), 'bpf');
    assert.equal(classify('/w/prog.c', 'int x __attribute__((section("maps")));\n'), 'bpf');
    assert.equal(classify('/w/notes.c', 'const char *s = "SEC(";\n'), 'other');
  });
});

describe('classify with section attribute macros', () => {
  it('a .c that puts code in a section through a project macro (cilium/ebpf `__section`) is a BPF source', () => {
    const src = '#include "common.h"\n__section("tc") int classifier(void *ctx) { return 0; }\n';
    assert.equal(classify('/w/tc.c', src), 'other');
    assert.equal(classify('/w/tc.c', src, new Set(['__section'])), 'bpf');
    assert.equal(classify('/w/tc.c', 'const char *s = "__section(";\n', new Set(['__section'])), 'other');
  });

  it('a .c that defines section macros and puts code only in host sections is no BPF source (seabios-hppa stirom.c)', () => {
    const defs = '#define _section_(x) __attribute__((__section__(x)))\n#define __romfunc(_name) \\\n  __attribute__((section(".rom.text." _name)))\n';
    const src = `${defs}_section_(".rom.text.excep") int rom_exception(void) { return 0; }\n`;
    assert.equal(classify('/w/rom.c', src, new Set(['_section_', '__romfunc'])), 'other');
    // The same definitions with one use that names a section libbpf reads: a BPF source.
    assert.equal(classify('/w/rom.c', `${src}_section_("xdp") int prog(void *ctx) { return 0; }\n`, new Set(['_section_', '__romfunc'])), 'bpf');
    // A literal joined to a parameter that a libbpf section can start with is not decided: a BPF source.
    assert.equal(classify('/w/k.c', '#define KP(f) __attribute__((section("kprobe/" #f)))\n', new Set(['KP'])), 'bpf');
  });
});
