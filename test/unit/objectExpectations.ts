// What readBpfObject must read from each compiled fixture (programs, struct_ops maps and slots,
// other maps, kfunc calls and declarations), shared by the object and skeleton tests.
import { strict as assert } from 'node:assert';
import type { BpfObjectFacts } from '../../server/src/analysis/facts';

/** Facts without locations (checked separately: every location of an object is the object file). */
export function shape(f: BpfObjectFacts): unknown {
  const locations = [
    ...f.programs.flatMap((p) => [p.location, ...p.kfuncCalls.map((c) => c.location)]),
    ...f.structOpsMaps.flatMap((m) => [m.location, ...m.slots.map((s) => s.location)]),
    ...f.kfuncDecls.map((d) => d.location),
  ];
  for (const l of locations) assert.deepEqual(l, { file: f.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  const strip = (o: object): unknown => JSON.parse(JSON.stringify(o, (k, v: unknown) => (k === 'location' || k === 'sourceHint' ? undefined : v)));
  return {
    programs: f.programs.map(strip),
    structOpsMaps: f.structOpsMaps.map(strip),
    otherMaps: f.otherMaps,
    kfuncDecls: f.kfuncDecls.map(strip),
    problems: f.problems.map((p) => p.message),
  };
}

const prog = (name: string, section: string, kind: 'struct_ops' | 'other', sleepable: boolean, autoload: boolean, kfuncCalls: { name: string; via?: string }[] = [], callbacks: string[] = []) => ({
  name, section, kind, sleepable, autoload, kfuncCalls, callbacks,
});
const map = (name: string, structType: string, section: string, link: boolean, autocreate: boolean, slots: [string, string][]) => ({
  name, structType, kernelType: structType.replace(/___\w+$/, ''), section, link, autocreate, slots: slots.map(([member, program]) => ({ member, program })),
});

const ASSOC = 'bpf_kfunc_multi_st_ops_test_1_assoc';
const IMPL = 'bpf_kfunc_multi_st_ops_test_1_impl';

export const EXPECTED: Record<string, { file: string; facts: unknown }> = {
  'poisoned-shared': {
    file: 'shared.bpf.o',
    facts: {
      programs: [prog('test_1', 'struct_ops/test_1', 'struct_ops', false, true, [{ name: ASSOC }]), prog('test_2_a', 'struct_ops', 'struct_ops', false, true), prog('test_2_b', 'struct_ops', 'struct_ops', false, true)],
      structOpsMaps: [
        map('st_ops_map_a', 'bpf_testmod_ops', '.struct_ops.link', true, true, [['test_1', 'test_1'], ['test_2', 'test_2_a']]),
        map('st_ops_map_b', 'bpf_testmod_ops', '.struct_ops.link', true, true, [['test_1', 'test_1'], ['test_2', 'test_2_b']]),
      ],
      otherMaps: ['shared.bss'],
      kfuncDecls: [],
      problems: [],
    },
  },
  'elf-sections': {
    file: 'sections.bpf.o',
    facts: {
      programs: [
        prog('plain_test_1', 'struct_ops/test_1', 'struct_ops', false, true),
        prog('link_test_1', 'struct_ops.s/test_1', 'struct_ops', true, true),
        prog('link_test_2', '?struct_ops', 'struct_ops', false, false),
        prog('optional_test_1', 'struct_ops', 'struct_ops', false, true),
        prog('late_test_2', 'struct_ops/test_2', 'struct_ops', false, true),
        prog('optional_link_test_1', '?struct_ops.s', 'struct_ops', true, false),
      ],
      structOpsMaps: [
        map('plain_ops', 'bpf_testmod_ops', '.struct_ops', false, true, [['test_1', 'plain_test_1']]),
        map('link_ops', 'bpf_testmod_ops___v2', '.struct_ops.link', true, true, [['test_1', 'link_test_1'], ['test_2', 'link_test_2']]),
        map('optional_ops', 'bpf_testmod_ops', '?.struct_ops', false, false, [['test_1', 'optional_test_1']]),
        map('optional_ops_late', 'bpf_testmod_ops', '?.struct_ops', false, false, [['test_2', 'late_test_2']]),
        map('optional_link_ops', 'bpf_testmod_ops', '?.struct_ops.link', true, false, [['test_1', 'optional_link_test_1']]),
      ],
      otherMaps: [],
      kfuncDecls: [],
      problems: [],
    },
  },
  'elf-calls': {
    file: 'calls.bpf.o',
    facts: {
      programs: [
        prog('calls_test_1', 'struct_ops/test_1', 'struct_ops', false, true,
          [{ name: ASSOC }, { name: IMPL, via: 'global_helper' }, { name: ASSOC, via: 'timer_cb' }, { name: ASSOC, via: 'outer_helper' }], ['timer_cb']),
        prog('calls_test_2', 'struct_ops/test_2', 'struct_ops', false, true, [{ name: ASSOC, via: 'outer_helper' }]),
      ],
      structOpsMaps: [map('calls_ops', 'bpf_testmod_ops', '.struct_ops.link', true, true, [['test_1', 'calls_test_1'], ['test_2', 'calls_test_2']])],
      otherMaps: ['timers', 'calls.rodata', 'calls.data', 'calls.bss', 'calls.kconfig'],
      kfuncDecls: [
        { name: IMPL, reason: 'its BTF prototype takes a `struct bpf_prog_aux *`' },
        { name: 'bpf_kfunc_multi_st_ops_test_1', reason: `its BTF twin \`${IMPL}\` takes the caller's aux (KF_IMPLICIT_ARGS)` },
      ],
      problems: [],
    },
  },
  'elf-bad-slot': {
    file: 'bad_slot.bpf.o',
    facts: {
      programs: [prog('on_switch', 'tp_btf/sched_switch', 'other', false, true), prog('good_test_1', 'struct_ops/test_1', 'struct_ops', false, true)],
      structOpsMaps: [
        map('tp_in_slot', 'bpf_testmod_ops', '.struct_ops.link', true, true, [['test_1', 'on_switch']]),
        map('subprog_in_slot', 'bpf_testmod_ops', '.struct_ops.link', true, true, [['test_1', 'good_test_1'], ['test_2', 'helper']]),
      ],
      otherMaps: [],
      kfuncDecls: [],
      problems: [],
    },
  },
  'elf-bigendian': {
    file: 'bigendian.bpf.o',
    facts: {
      programs: [
        prog('be_test_1', 'struct_ops/test_1', 'struct_ops', false, true, [{ name: ASSOC, via: 'be_helper' }], ['be_timer_cb']),
        prog('be_test_2', 'struct_ops.s/test_2', 'struct_ops', true, true),
      ],
      structOpsMaps: [map('be_ops', 'bpf_testmod_ops', '.struct_ops.link', true, true, [['test_1', 'be_test_1'], ['test_2', 'be_test_2']])],
      // libbpf keeps 8 characters of the object name before `.bss` (15 in all).
      otherMaps: ['be_timers', 'bigendia.bss'],
      kfuncDecls: [],
      problems: [],
    },
  },
  'elf-btf-kinds': {
    file: 'kinds.bpf.o',
    facts: {
      programs: [prog('kinds_prog', 'tp_btf/sched_switch', 'other', false, true)],
      structOpsMaps: [],
      otherMaps: ['.data.kinds'],
      kfuncDecls: [],
      problems: [],
    },
  },
};
