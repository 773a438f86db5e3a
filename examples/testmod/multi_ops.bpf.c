// SPDX-License-Identifier: MIT
/*
 * Two struct_ops instances of the kernel selftests' bpf_testmod_multi_st_ops (bpf_testmod.ko), and
 * programs that reach "their" instance through bpf_kfunc_multi_st_ops_test_1_assoc(): the kfunc
 * calls test_1 of the struct_ops map the calling program is associated with (Linux 7.0,
 * BPF_PROG_ASSOC_STRUCT_OPS) and returns -1 when the program has no association or a poisoned one.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __weak __ksym;

#define TEST_1_RET 1234

int test_pid;		/* set by the loader: trace_prog_b only looks at this process */
int test_1_depth;	/* keeps test_1 from calling itself again through the kfunc */
int test_1_found;	/* what the kfunc answered test_1: -1, its association is poisoned */
int trace_found;	/* what the kfunc answered trace_prog_b: -1, it is never associated */

/* Shared by both maps: the kernel poisons its association as soon as both hold it. */
SEC("struct_ops/test_1")
int BPF_PROG(test_1, struct st_ops_args *args)
{
	if (!test_1_depth) {
		test_1_depth++;
		test_1_found = bpf_kfunc_multi_st_ops_test_1_assoc(args);
		test_1_depth--;
	}
	return TEST_1_RET;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_a = {
	.test_1 = (void *)test_1,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_b = {
	.test_1 = (void *)test_1,
};

/* Run with BPF_PROG_TEST_RUN; the loader associates it with st_ops_map_a, so the kfunc calls
 * st_ops_map_a's test_1 and this program returns TEST_1_RET. */
SEC("syscall")
int syscall_prog_a(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

/* Nothing associates this one: the kfunc finds no struct_ops map and returns -1. */
SEC("tp_btf/sys_enter")
int BPF_PROG(trace_prog_b, struct pt_regs *regs, long id)
{
	struct st_ops_args args = {};

	if (!test_pid || (bpf_get_current_pid_tgid() >> 32) != test_pid)
		return 0;
	trace_found = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
	return 0;
}

char _license[] SEC("license") = "GPL";
