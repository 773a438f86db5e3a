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

#define SCX_DSQ_GLOBAL 0x8000000000000000ULL
#define SCX_SLICE_DFL 20000000ULL
#define SHARED_DSQ 0

void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_to_local(u64 dsq_id) __ksym __weak;
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym __weak;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym __weak;
#endif
