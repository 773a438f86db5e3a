// SPDX-License-Identifier: MIT
/* A FIFO sched_ext scheduler with a helper program that kicks CPUs from a syscall. */
#include "scx_common.h"

void BPF_STRUCT_OPS(fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(fifo_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

/* Associated with fifo_ops by SCX_OPS_LOAD() in fifo.c. */
SEC("syscall")
int kick_cpus(void *ctx)
{
	scx_bpf_kick_cpu(0, 0);
	return 0;
}

SCX_OPS_DEFINE(fifo_ops,
	       .enqueue = (void *)fifo_enqueue,
	       .dispatch = (void *)fifo_dispatch,
	       .init = (void *)fifo_init,
	       .name = "fifo");

char _license[] SEC("license") = "GPL";
