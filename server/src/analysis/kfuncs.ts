// Which kfuncs read the calling program's struct_ops association.
//
// A kfunc gets the caller's `struct bpf_prog_aux *` either through an argument whose name ends in
// `__prog` (passed as NULL from BPF; the verifier fills it in) or, from Linux 7.0, implicitly
// (KF_IMPLICIT_ARGS: BTF then also has a `NAME_impl` twin with the aux parameter). Kernel code
// then calls bpf_prog_get_assoc_struct_ops(aux). We recognise them from declarations in the
// workspace (BPF sources, headers, vmlinux.h), from a built-in list, and from a user setting.
import type { KfuncDeclFact } from './facts';
import { LineIndex } from './c/lineIndex';
import type { Location } from './facts';
import { essentialTypeName } from './sections';

/**
 * sched_ext kfuncs that resolve "their" scheduler with scx_prog_sched(aux) (Linux 7.1,
 * kernel/sched/ext/{ext,idle,cid,sub}.c; KF_IMPLICIT_ARGS, so BPF code does not see the aux
 * argument). Without an association they fall back to the root scheduler, unless the root
 * implements ops.sub_attach: then they get NULL and the kernel logs "Unassociated program". A
 * sub-scheduler's root always does (its parent had to accept it through ops.sub_attach).
 */
export const SCHED_EXT_ASSOC_KFUNCS: readonly string[] = [
  'scx_bpf_dsq_insert', 'scx_bpf_dsq_insert___v2', '__scx_bpf_dsq_insert_vtime',
  'scx_bpf_dispatch_nr_slots', 'scx_bpf_dispatch_cancel', 'scx_bpf_dsq_move_to_local',
  'scx_bpf_dsq_move_to_local___v2', 'scx_bpf_sub_dispatch', 'scx_bpf_reenqueue_local',
  'scx_bpf_create_dsq', 'scx_bpf_task_set_slice', 'scx_bpf_task_set_dsq_vtime', 'scx_bpf_kick_cpu',
  'scx_bpf_kick_cid', 'scx_bpf_dsq_nr_queued', 'scx_bpf_destroy_dsq', 'scx_bpf_dsq_peek',
  'scx_bpf_dsq_reenq', 'scx_bpf_reenqueue_local___v2', 'bpf_iter_scx_dsq_new', 'scx_bpf_exit_bstr',
  'scx_bpf_error_bstr', 'scx_bpf_dump_bstr', 'scx_bpf_cpuperf_cap', 'scx_bpf_cpuperf_cur',
  'scx_bpf_cpuperf_set', 'scx_bpf_cidperf_cap', 'scx_bpf_cidperf_cur', 'scx_bpf_cidperf_set',
  'scx_bpf_locked_rq', 'scx_bpf_cpu_curr', 'scx_bpf_cid_curr', 'scx_bpf_task_cgroup',
  'scx_bpf_sub_grant', 'scx_bpf_sub_revoke', 'scx_bpf_sub_caps', 'scx_bpf_cpu_node',
  'scx_bpf_get_idle_cpumask_node', 'scx_bpf_get_idle_cpumask', 'scx_bpf_get_idle_smtmask_node',
  'scx_bpf_get_idle_smtmask', 'scx_bpf_test_and_clear_cpu_idle', 'scx_bpf_pick_idle_cpu_node',
  'scx_bpf_pick_idle_cpu', 'scx_bpf_pick_any_cpu_node', 'scx_bpf_pick_any_cpu',
  'scx_bpf_select_cpu_dfl', '__scx_bpf_select_cpu_and', 'scx_bpf_cid_override', 'scx_bpf_cid_to_cpu',
  'scx_bpf_cpu_to_cid', 'scx_bpf_cid_topo',
];

/**
 * sched_ext's struct_ops types: the cpu form, and Linux 7.3's cid form, the only one in which a
 * scheduler may implement ops.sub_attach or be a sub-scheduler (ops.sub_cgroup_id).
 */
export const SCHED_EXT_OPS_TYPES: ReadonlySet<string> = new Set(['sched_ext_ops', 'sched_ext_ops_cid']);

export type KfuncFamily = 'generic' | 'sched_ext';

/** Built-in association-dependent kfuncs, with why they depend on the association. */
export const BUILTIN_ASSOC_KFUNCS: Readonly<Record<string, { reason: string; family: KfuncFamily }>> = {
  bpf_kfunc_multi_st_ops_test_1_assoc: {
    reason: "kernel selftests (bpf_testmod): calls bpf_prog_get_assoc_struct_ops() on the caller's aux",
    family: 'generic',
  },
  bpf_kfunc_multi_st_ops_test_1_impl: {
    reason: "kernel selftests (bpf_testmod, before KF_IMPLICIT_ARGS): takes the caller's aux as `aux__prog`",
    family: 'generic',
  },
  ...Object.fromEntries(
    SCHED_EXT_ASSOC_KFUNCS.map((k) => [
      k,
      { reason: 'sched_ext (Linux 7.1+): resolves its scheduler through the caller\'s association (scx_prog_sched())', family: 'sched_ext' as const },
    ]),
  ),
};

/** The family of a kfunc by name (scx kfuncs declared through compat `___compat` names included). */
export function kfuncFamily(name: string): KfuncFamily {
  const base = name.replace(/___compat$/, '');
  return BUILTIN_ASSOC_KFUNCS[base]?.family ?? (base.startsWith('scx_bpf_') || base.startsWith('__scx_bpf_') ? 'sched_ext' : 'generic');
}

/**
 * kfuncs that take the caller's aux for something other than its struct_ops association — the
 * program's BPF stream, the program a deferred callback belongs to, the selftests of implicit
 * arguments. Their declarations look like the association-dependent ones; they are not.
 */
const AUX_FOR_OTHER_PURPOSES = new Set([
  'bpf_stream_vprintk', 'bpf_task_work_schedule_signal', 'bpf_task_work_schedule_resume', 'bpf_wq_set_callback',
  'bpf_kfunc_implicit_arg', 'bpf_kfunc_implicit_arg_legacy',
]);

/** True for a kfunc known to take the caller's aux without reading its association. */
export function takesAuxForOtherPurposes(name: string): boolean {
  return AUX_FOR_OTHER_PURPOSES.has(essentialTypeName(name).replace(/_impl$/, ''));
}

const AUX_TYPE = /\bstruct\s+bpf_prog_aux\s*\*/;
const PROG_SUFFIX = /\b\w+__prog\s*$/;

/** Finds `extern ... NAME(params) ... __ksym` declarations and keeps the association-dependent ones. */
export function scanKfuncDecls(text: string, file: string): KfuncDeclFact[] {
  const found = new Map<string, KfuncDeclFact>();
  const implTwins: { name: string; offset: number }[] = [];
  let lines: LineIndex | undefined;
  let from = 0;
  for (;;) {
    const at = text.indexOf('__ksym', from);
    if (at < 0) break;
    from = at + 6;
    // The declaration runs from the previous ';', '}' or line-start '#' to this __ksym.
    const start = Math.max(text.lastIndexOf(';', at), text.lastIndexOf('}', at), text.lastIndexOf('\n#', at)) + 1;
    const decl = text.slice(start, at);
    if (decl.length > 2000 || !/\bextern\b/.test(decl)) continue;
    // Each trailing `__attr` is a whole word: `(?:__\w+\s*)*` could split `__a__a__a...` any way
    // (exponential backtracking: 26 repeats took 1 s, each more doubled it).
    const m = /\b(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?:__\w+(?!\w)\s*)*$/.exec(decl.replace(/\s+/g, ' '));
    if (!m || !m[1]) continue;
    const name = m[1];
    const params = (m[2] ?? '').split(',');
    const aux = params.find((p) => AUX_TYPE.test(p) || PROG_SUFFIX.test(p.trim()));
    if (!aux) continue;
    lines ??= new LineIndex(text);
    const offset = start + decl.indexOf(name);
    const reason = AUX_TYPE.test(aux)
      ? `declared with a \`struct bpf_prog_aux *\` parameter (${file.split('/').pop()})`
      : `declared with a \`${aux.trim().split(/[\s*]+/).pop()}\` parameter: the verifier passes the caller's aux`;
    found.set(name, { name, reason, location: { file, range: lines.range(offset, offset + name.length) } });
    if (name.endsWith('_impl')) implTwins.push({ name, offset });
  }
  for (const twin of implTwins) {
    const base = twin.name.slice(0, -'_impl'.length);
    const impl = found.get(twin.name);
    if (!impl || found.has(base)) continue;
    found.set(base, {
      name: base,
      reason: `its BTF twin \`${twin.name}\` takes the caller's \`struct bpf_prog_aux *\` (KF_IMPLICIT_ARGS)`,
      location: impl.location,
    });
  }
  return [...found.values()];
}

export interface DependentKfunc {
  reason: string;
  family: KfuncFamily;
  location?: Location;
}

/** Looks a called name up, as libbpf resolves `name___flavour` externs to `name`. */
export function lookupKfunc(map: Map<string, DependentKfunc>, called: string): DependentKfunc | undefined {
  return map.get(called) ?? map.get(essentialTypeName(called));
}

