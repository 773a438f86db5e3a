// Objects as translation units on a real directory tree: an object source that another object
// includes through a symlinked directory (scx_chaos -> scx_p2dq) belongs to both, whatever the order
// the paths are walked in; the build's defines come from a Makefile, compile_commands.json or options.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadWorkspace } from '../../server/src/node/scan';

const INCLUDE = resolve(__dirname, '..', 'fixtures', 'include', 'st_ops.h');

const P2DQ = `#include "st_ops.h"
#ifndef CREATE_OPS
#define CREATE_OPS 1
#endif
#if CREATE_OPS
SEC("struct_ops/test_1")
int p2dq_test_1(void *ctx) { return 1; }
SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops p2dq_ops = { .test_1 = (void *)p2dq_test_1 };
#endif
char _license[] SEC("license") = "GPL";
`;

const CHAOS = `#define CREATE_OPS 0
#include "scx_p2dq/main.bpf.c"
SEC("struct_ops/test_2")
int chaos_test_2(void *ctx) { return 2; }
SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops chaos_ops = { .test_2 = (void *)chaos_test_2 };
`;

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'bpf-assoc-units-'));
  for (const d of ['scx_chaos/src/bpf', 'scx_p2dq/src/bpf', 'include']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'include/st_ops.h'), readFileSync(INCLUDE));
  writeFileSync(join(root, 'scx_p2dq/src/bpf/main.bpf.c'), P2DQ);
  writeFileSync(join(root, 'scx_chaos/src/bpf/main.bpf.c'), CHAOS);
  symlinkSync('../../../scx_p2dq/src/bpf', join(root, 'scx_chaos/src/bpf/scx_p2dq'));
  return root;
}

function summary(paths: string[], defines: string[] = []): string[] {
  const { workspace } = loadWorkspace(paths);
  const m = workspace.model({ defines });
  workspace.dispose();
  return m.maps.map((x) => `${x.name} ${x.slots.map((s) => s.program).join(',')}`).sort();
}

describe('translation units on disk', () => {
  before(async () => {
    await loadGrammar();
  });

  it('an object that another object includes through a symlink belongs to both, in either walk order', () => {
    const root = tree();
    const inc = join(root, 'include');
    const expected = ['chaos_ops chaos_test_2', 'p2dq_ops p2dq_test_1'];
    assert.deepEqual(summary([root]), expected);
    assert.deepEqual(summary([join(root, 'scx_p2dq'), join(root, 'scx_chaos'), inc]), expected);
    assert.deepEqual(summary([join(root, 'scx_chaos'), join(root, 'scx_p2dq'), inc]), expected);
  });

  it('the build says what is defined: compile_commands.json, then the Makefile, then the options', () => {
    const root = tree();
    // -DCREATE_OPS=0 for p2dq's own build: no map in its object.
    assert.deepEqual(summary([root], ['CREATE_OPS=0']), ['chaos_ops chaos_test_2']);
    writeFileSync(join(root, 'scx_p2dq/Makefile'), 'BPF_CFLAGS += -g -O2 -DCREATE_OPS=0 \\\n\t-Wall\n');
    assert.deepEqual(summary([root]), ['chaos_ops chaos_test_2']);
    writeFileSync(join(root, 'scx_p2dq/compile_commands.json'), JSON.stringify([{ directory: join(root, 'scx_p2dq/src/bpf'), file: 'main.bpf.c', arguments: ['clang', '-target', 'bpf', '-DCREATE_OPS=1', '-c', 'main.bpf.c'] }]));
    assert.deepEqual(summary([root]), ['chaos_ops chaos_test_2', 'p2dq_ops p2dq_test_1']);
  });
});
