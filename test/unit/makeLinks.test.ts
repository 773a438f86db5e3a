// The objects a Makefile links from several sources with `bpftool gen object`: mimic 0.7.0's shape
// ($(wildcard), a substitution reference, a static pattern rule, `$@` and a variable in the
// recipe, a skeleton from the linked object), the kernel selftests' `$^` with a pattern rule and
// `gen skeleton ... name NAME`, and none where the parts cannot be known.
import { strict as assert } from 'node:assert';
import { makeLinks } from '../../server/src/analysis/engine/makeLinks';

const DIR = '/p';

describe('objects a Makefile links with bpftool gen object', () => {
  it("mimic's Makefile: the three parts from $(wildcard bpf/*.c), each with its source", () => {
    const text = [
      'mimic_bpf_src := $(wildcard bpf/*.c)',
      'mimic_bpf_obj := $(mimic_bpf_src:.c=.o)',
      'BPFTOOL ?= /usr/sbin/bpftool',
      '$(mimic_bpf_obj): bpf/%.o: bpf/%.c $(mimic_bpf_headers)',
      '\t$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<',
      'out/mimic.bpf.o: $(mimic_bpf_obj)',
      '\t$(mkdir_p)',
      '\t$(BPFTOOL) gen object $@ $(mimic_bpf_obj)',
      'ifneq ($(STRIP_BTF_EXT),)',
      '\t$(LLVM_STRIP) --remove-section=.BTF.ext --no-strip-all $@',
      'endif',
      'src/bpf_skel.h: out/mimic.bpf.o',
      '\t$(BPFTOOL) gen skeleton out/mimic.bpf.o >$@',
    ].join('\n');
    const files = ['bpf/egress.c', 'bpf/ingress.c', 'bpf/main.c', 'bpf/main.h', 'src/run.c'];
    const links = makeLinks(text, DIR, files, (p) => files.includes(p.slice(DIR.length + 1)));
    assert.deepEqual(links, [
      {
        output: '/p/out/mimic.bpf.o',
        parts: ['egress', 'ingress', 'main'].map((n) => ({ object: `/p/bpf/${n}.o`, source: `/p/bpf/${n}.c` })),
        skeletonNames: [],
        line: 5,
      },
    ]);
  });

  it('$^ of a rule whose parts a pattern rule compiles, and the name the skeleton is given', () => {
    const text = ['OUT := build', '$(OUT)/%.o: src/%.bpf.c', '\tclang -target bpf -c $< -o $@', '$(OUT)/sched.bpf.o: $(OUT)/a.o $(OUT)/b.o | $(OUT)', '\tbpftool gen object $@ $^', '$(OUT)/sched.skel.h: $(OUT)/sched.bpf.o', '\tbpftool gen skeleton $< name sched > $@'].join('\n');
    const links = makeLinks(text, DIR, [], () => false);
    assert.deepEqual(links.map((l) => [l.output, l.parts, l.skeletonNames]), [
      ['/p/build/sched.bpf.o', [{ object: '/p/build/a.o', source: '/p/src/a.bpf.c' }, { object: '/p/build/b.o', source: '/p/src/b.bpf.c' }], ['sched']],
    ]);
  });

  it('nothing when the parts come from what the Makefile cannot say ($(shell ...), an included file)', () => {
    const text = ['OBJS := $(shell ls *.o)', 'out.bpf.o: $(OBJS)', '\tbpftool gen object $@ $(OBJS)'].join('\n');
    assert.deepEqual(makeLinks(text, DIR, ['a.c'], () => true), []);
    assert.deepEqual(makeLinks('all:\n\techo gen object', DIR, [], () => true), []);
  });
});
