// SPDX-License-Identifier: MIT
/*
 * Two struct_ops instances of the kernel selftests' bpf_testmod_multi_st_ops, and programs that
 * find "their" instance through bpf_kfunc_multi_st_ops_test_1_assoc() — the kfunc reads the
 * calling program's struct_ops association (Linux 7.0, BPF_PROG_ASSOC_STRUCT_OPS).
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __ksym;

/* Shared by both maps: the kernel poisons its association once both are attached. */
SEC("struct_ops/test_1")
int BPF_PROG(test_1, struct st_ops_args *args)
{
	return bpf_kfunc_multi_st_ops_test_1_assoc(args);
}

SEC("struct_ops/test_2")
int BPF_PROG(test_2_a, struct st_ops_args *args)
{
	return 2;
}

SEC("struct_ops/test_2")
int BPF_PROG(test_2_b, struct st_ops_args *args)
{
	return 3;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_a = {
	.test_1 = (void *)test_1,
	.test_2 = (void *)test_2_a,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_b = {
	.test_1 = (void *)test_1,
	.test_2 = (void *)test_2_b,
};

/* Run with BPF_PROG_TEST_RUN; the loader associates it with st_ops_map_a. */
SEC("syscall")
int syscall_prog_a(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

/* Nothing associates this one: the kfunc gets NULL. */
SEC("tp_btf/sys_enter")
int BPF_PROG(trace_prog_b)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

char _license[] SEC("license") = "GPL";
