// The make goal that rebuilds an object, read from the rule that produces it: examples/Makefile
// (pattern rules into build/), a Makefile in the style of the kernel's tools/sched_ext (output
// directories from $(abspath .) and ifeq blocks, the skeleton made from the object), and none when
// the rule's directory comes from somewhere the Makefile does not say.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rebuildGoal } from '../../server/src/analysis/engine/makeRules';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

const only = (files: Record<string, string>) => (path: string): string | undefined => files[path];

describe('the make goal that rebuilds an object', () => {
  const examples = only({ [join(EXAMPLES, 'Makefile')]: readFileSync(join(EXAMPLES, 'Makefile'), 'utf8') });
  const multiOps = { source: join(EXAMPLES, 'testmod/multi_ops.bpf.c'), objectFile: join(EXAMPLES, 'build/testmod/multi_ops.bpf.o'), skeleton: join(EXAMPLES, 'build/testmod/multi_ops.skel.h') };

  it("examples/Makefile: the skeleton's goal, which makes the object first", () => {
    assert.deepEqual(rebuildGoal(multiOps, examples), { directory: EXAMPLES, makefile: join(EXAMPLES, 'Makefile'), goal: 'build/testmod/multi_ops.skel.h' });
  });

  it("examples/Makefile without a skeleton: the object's goal", () => {
    assert.equal(rebuildGoal({ ...multiOps, skeleton: undefined }, examples)?.goal, 'build/testmod/multi_ops.bpf.o');
  });

  it('no goal when the rule makes the object from another source, or no Makefile is above it', () => {
    assert.equal(rebuildGoal({ ...multiOps, source: join(EXAMPLES, 'tcp/cc_reno.bpf.c'), skeleton: undefined }, examples), null);
    assert.equal(rebuildGoal({ ...multiOps, objectFile: '/elsewhere/build/multi_ops.bpf.o', skeleton: undefined }, examples), null);
  });

  it('a sched_ext-style Makefile: absolute output directories, ifeq blocks, a skeleton made from the object', () => {
    const dir = '/src/tools/sched_ext';
    const text = [
      'CURDIR := $(abspath .)',
      'ifeq ($(O),)',
      'OUTPUT_DIR := $(CURDIR)/build',
      'else',
      'OUTPUT_DIR := $(O)/build',
      'endif # O',
      'OBJ_DIR := $(OUTPUT_DIR)/obj',
      'INCLUDE_DIR := $(OUTPUT_DIR)/include',
      'SCXOBJ_DIR := $(OBJ_DIR)/sched_ext',
      '',
      '$(SCXOBJ_DIR)/%.bpf.o: %.bpf.c $(INCLUDE_DIR)/vmlinux.h include/scx/*.h \\',
      '\t\t | $(SCXOBJ_DIR)',
      '\t$(CLANG) $(BPF_CFLAGS) -target bpf -c $< -o $@',
      '',
      '$(INCLUDE_DIR)/%.bpf.skel.h: $(SCXOBJ_DIR)/%.bpf.o $(INCLUDE_DIR)/vmlinux.h',
      '\t$(BPFTOOL) gen skeleton $< > $@',
    ].join('\n');
    const files = only({ [`${dir}/Makefile`]: text });
    const object = { source: `${dir}/scx_simple.bpf.c`, objectFile: `${dir}/build/obj/sched_ext/scx_simple.bpf.o`, skeleton: `${dir}/build/include/scx_simple.bpf.skel.h` };
    assert.deepEqual(rebuildGoal(object, files), { directory: dir, makefile: `${dir}/Makefile`, goal: `${dir}/build/include/scx_simple.bpf.skel.h` });
    assert.equal(rebuildGoal({ ...object, skeleton: undefined }, files)?.goal, `${dir}/build/obj/sched_ext/scx_simple.bpf.o`);
  });

  it('no goal when the output directory comes from an included file or the environment', () => {
    const dir = '/src/selftests';
    const text = ['include ../lib.mk', '$(OUTPUT)/%.bpf.o: %.bpf.c', '\t$(CLANG) -c $< -o $@'].join('\n');
    assert.equal(rebuildGoal({ source: `${dir}/x.bpf.c`, objectFile: `${dir}/out/x.bpf.o` }, only({ [`${dir}/Makefile`]: text })), null);
  });

  it('an explicit rule names its target as the Makefile writes it', () => {
    const dir = '/src/app';
    const text = ['OUT = .output', '$(OUT)/app.bpf.o: app.bpf.c vmlinux.h', '\tclang -target bpf -c $< -o $@'].join('\n');
    assert.equal(rebuildGoal({ source: `${dir}/app.bpf.c`, objectFile: `${dir}/.output/app.bpf.o` }, only({ [`${dir}/Makefile`]: text }))?.goal, '.output/app.bpf.o');
  });
});
