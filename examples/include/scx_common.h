/* SPDX-License-Identifier: MIT */
/* The sched_ext conventions this example needs, as sched_ext's scheds/include/scx headers define
 * them. A real scheduler includes <scx/common.bpf.h>. */
#ifndef EXAMPLES_SCX_COMMON_H
#define EXAMPLES_SCX_COMMON_H
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/"#name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/"#name) BPF_PROG(name, ##args)
#define SCX_OPS_DEFINE(__name, ...) SEC(".struct_ops.link") struct sched_ext_ops __name = { __VA_ARGS__, };

#define SCX_DSQ_GLOBAL 0x8000000000000001ULL /* SCX_DSQ_FLAG_BUILTIN | 1 */
#define SCX_SLICE_DFL 20000000ULL
#define SHARED_DSQ 0

/*
 * sched_ext's kfuncs change between kernels: 6.13 renamed scx_bpf_dispatch() and
 * scx_bpf_consume(), 6.19 added a scx_bpf_dsq_insert() that returns bool (the kernel exports it as
 * scx_bpf_dsq_insert___v2 beside the old one). A portable scheduler declares every version it can
 * use as a weak ksym and calls the one the running kernel has; libbpf resolves a name up to its
 * last "___suffix", so each declaration below names one kernel function:
 *
 *   declared here                        kernel function          kernels
 *   scx_bpf_dsq_insert___v2___compat     scx_bpf_dsq_insert___v2  6.19 and later (returns bool)
 *   scx_bpf_dsq_insert___v1              scx_bpf_dsq_insert       6.13 and later
 *   scx_bpf_dispatch___compat            scx_bpf_dispatch         6.12
 *   scx_bpf_dsq_move_to_local___v1       scx_bpf_dsq_move_to_local 6.13 and later
 *   scx_bpf_consume___compat             scx_bpf_consume          6.12
 *
 * A kfunc the kernel lacks stays 0 after load, and the verifier drops the branch that calls it.
 */
bool scx_bpf_dsq_insert___v2___compat(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
void scx_bpf_dsq_insert___v1(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
void scx_bpf_dispatch___compat(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_to_local___v1(u64 dsq_id) __ksym __weak;
bool scx_bpf_consume___compat(u64 dsq_id) __ksym __weak;
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym __weak;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym __weak;

/* Inserts p into the DSQ dsq_id with whichever insert kfunc the kernel has; false if none took it. */
static inline bool scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert___v2___compat))
		return scx_bpf_dsq_insert___v2___compat(p, dsq_id, slice, enq_flags);
	if (bpf_ksym_exists(scx_bpf_dsq_insert___v1)) {
		scx_bpf_dsq_insert___v1(p, dsq_id, slice, enq_flags);
		return true;
	}
	scx_bpf_dispatch___compat(p, dsq_id, slice, enq_flags);
	return true;
}

/* Moves the first task of dsq_id to the local DSQ of the dispatching CPU. */
static inline bool scx_bpf_dsq_move_to_local(u64 dsq_id)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_to_local___v1))
		return scx_bpf_dsq_move_to_local___v1(dsq_id);
	return scx_bpf_consume___compat(dsq_id);
}
#endif
