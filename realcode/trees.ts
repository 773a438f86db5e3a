// The real-code trees the gate reads, each with its own Makefile's BPF flags (read from the tree's
// Makefile; x86-64, little endian) and the paths a developer would open to analyse it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Tree {
  name: string;
  /** Where the tree's Makefile compiles from; sources are relative to it. */
  root: string;
  /** One object per source. */
  sources: string[];
  objectName(source: string): string;
  /** The tree's BPF_CFLAGS, given INCLUDE_DIR; the compiler's -idirafter system includes are added. */
  flags(include: string): string[];
  /** What `bpf-assoc check` is given: the tree and the headers it includes from outside it. */
  analysisPaths: string[];
  /** Where the flags come from, for the report. */
  flagsFrom: string;
}

const list = (dir: string, test: (f: string) => boolean): string[] =>
  readdirSync(dir)
    .filter(test)
    .sort();

const sameName = (source: string): string => source.replace(/^.*\//, '').replace(/\.c$/, '.o');

// Flags every kernel BPF Makefile here shares.
const common = ['-g', '-O2', '-Wall', '-Wno-compare-distinct-pointer-types', '-Wno-microsoft-anon-tag', '-fms-extensions'];

/** The kernel trees, from the unpacked linux-source subset. */
export function kernelTrees(linux: string): Tree[] {
  const uapi = join(linux, 'tools/include/uapi');
  const scx = join(linux, 'tools/sched_ext');
  const scxSelftests = join(linux, 'tools/testing/selftests/sched_ext');
  const bpfSelftests = join(linux, 'tools/testing/selftests/bpf');
  const hid = join(linux, 'drivers/hid/bpf/progs');
  return [
    {
      name: 'sched_ext',
      root: scx,
      sources: list(scx, (f) => f.endsWith('.bpf.c')),
      objectName: sameName,
      flags: (inc) => [...common, '-target', 'bpf', '-D__TARGET_ARCH_x86', '-mlittle-endian', '-mcpu=v3',
        `-I${scx}/include`, `-I${scx}/include/bpf-compat`, `-I${inc}`, `-I${uapi}`, `-I${linux}/include`],
      analysisPaths: [scx],
      flagsFrom: 'tools/sched_ext/Makefile (BPF_CFLAGS)',
    },
    {
      name: 'sched_ext-selftests',
      root: scxSelftests,
      sources: list(scxSelftests, (f) => f.endsWith('.bpf.c')),
      objectName: sameName,
      flags: (inc) => [...common, '-target', 'bpf', '-D__TARGET_ARCH_x86', '-mlittle-endian', '-mcpu=v3',
        '-Wno-incompatible-function-pointer-types', `-I${inc}`, `-I${uapi}`, `-I${scx}/include`, `-I${linux}/include`],
      analysisPaths: [scxSelftests, join(scx, 'include')],
      flagsFrom: 'tools/testing/selftests/sched_ext/Makefile (BPF_CFLAGS)',
    },
    {
      name: 'bpf-selftests',
      root: bpfSelftests,
      sources: list(join(bpfSelftests, 'progs'), (f) => f.endsWith('.c')).map((f) => `progs/${f}`),
      objectName: (s) => sameName(s).replace(/\.o$/, '.bpf.o'),
      // test_progs' flavour (-mcpu=v3, ENABLE_ATOMICS_TESTS); -Werror left out: a newer clang's
      // warning does not change the object.
      flags: (inc) => [...common, '--target=bpfel', '-mcpu=v3', '-D__TARGET_ARCH_x86', '-mlittle-endian',
        `-I${inc}`, `-I${bpfSelftests}`, `-I${uapi}`, `-I${linux}/tools/include`, `-I${bpfSelftests}/libarena/include`,
        '-std=gnu11', '-fno-strict-aliasing', '-Wno-initializer-overrides', '-DENABLE_ATOMICS_TESTS'],
      analysisPaths: [bpfSelftests],
      flagsFrom: 'tools/testing/selftests/bpf/Makefile (BPF_CFLAGS, CLANG_BPF_BUILD_RULE, test_progs flavour)',
    },
    {
      name: 'hid-bpf',
      root: hid,
      sources: list(hid, (f) => f.endsWith('.bpf.c')),
      objectName: sameName,
      flags: (inc) => [...common, '--target=bpf', `-I${inc}`, `-I${uapi}`],
      analysisPaths: [hid],
      flagsFrom: 'drivers/hid/bpf/progs/Makefile',
    },
  ];
}
