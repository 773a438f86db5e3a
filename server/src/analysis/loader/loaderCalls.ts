// The calls a loader reader acts on, by name: a skeleton's lifecycle (`NAME__open()` ...), libbpf's
// association, autoload/autocreate/autoattach and attach calls, and sched_ext's SCX_OPS_* macros.

/** `NAME__open()` ... of a skeleton; libbpf's own `bpf_link__destroy()` and the like are not. */
export const LIFECYCLE = /^(?!(?:bpf_link|bpf_object|bpf_map|bpf_program|btf|btf_dump|ring_buffer|user_ring_buffer|perf_buffer|bpf_linker)__)(\w+?)__(open|open_opts|load|open_and_load|attach|destroy)$/;
export const DESTROY_CALL = /__destroy$/;
/** sched_ext's open macros: SCX_OPS_OPEN(ops, name) and its variants (Linux 7.3's SCX_OPS_CID_OPEN). */
const SCX_OPEN = /^SCX_OPS_(?:[A-Z0-9]+_)?OPEN$/;

/** One name for every sched_ext open macro. */
export const scxCall = (fn: string): string => (SCX_OPEN.test(fn) ? 'SCX_OPS_OPEN' : fn);

const LOADER_CALLS = new Set([
  'bpf_object__open_file',
  'bpf_object__open',
  'bpf_object__open_mem',
  'bpf_object__load',
  'bpf_program__assoc_struct_ops',
  'bpf_prog_assoc_struct_ops',
  'bpf_program__set_autoload',
  'bpf_map__set_autocreate',
  'bpf_map__set_autoattach',
  'bpf_map__attach_struct_ops',
  'bpf_link__update_map',
  'bpf_object__for_each_map',
  'bpf_object__for_each_program',
  'SCX_OPS_OPEN',
  'SCX_OPS_LOAD',
  'SCX_OPS_ATTACH',
]);

/** Answers by name (every path and every check asks again for the same few callees); bounded. */
const known = new Map<string, boolean>();
const KNOWN_LIMIT = 4096;

/** What a callee is to the reader: a skeleton's lifecycle call (`NAME__open`), else its name with sched_ext's open macros as one. */
export interface Callee {
  skeleton: string | null;
  lifecycle: string | null;
  call: string;
}

const callees = new Map<string, Callee>();

/** The callee's reading, worked out once per name (bounded). */
export function calleeOf(fn: string): Callee {
  let c = callees.get(fn);
  if (!c) {
    const life = LIFECYCLE.exec(fn);
    c = life?.[1] && life[2] ? { skeleton: life[1], lifecycle: life[2], call: fn } : { skeleton: null, lifecycle: null, call: scxCall(fn) };
    if (callees.size >= KNOWN_LIMIT) callees.clear();
    callees.set(fn, c);
  }
  return c;
}

export function isLoaderCallName(name: string): boolean {
  let yes = known.get(name);
  if (yes === undefined) {
    yes = LOADER_CALLS.has(scxCall(name)) || LIFECYCLE.test(name);
    if (known.size >= KNOWN_LIMIT) known.clear();
    known.set(name, yes);
  }
  return yes;
}

/**
 * sched_ext's compat.h macros the reader models as calls (SCX_OPS_OPEN, SCX_OPS_LOAD,
 * SCX_OPS_ATTACH): a loader keeps them unexpanded whatever its headers define, because their
 * expansion (statement expressions, `bpf_object__for_each_program`, compat.h's static inline
 * `__scx_ops_assoc_prog`) is what the model of them stands for.
 */
export function isModelledMacro(name: string): boolean {
  return name.startsWith('SCX_OPS_') && isLoaderCallName(name);
}
