// SPDX-License-Identifier: GPL-2.0
/* One struct_ops program in two maps: attaching the second map poisons its association. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "assoc_obs.h"
#include "assoc_kfuncs.h"

struct assoc_obs obs = {};

SEC("struct_ops/test_1")
int BPF_PROG(test_1_a, struct st_ops_args *args)
{
	obs.test_1_a = bpf_kfunc_assoc_map_id();
	obs.test_1_runs++;
	return TEST_1_MAGIC;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_a = {
	.test_1 = (void *)test_1_a,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_b = {
	.test_1 = (void *)test_1_a,
};

SEC("syscall")
int syscall_a(void *ctx)
{
	struct st_ops_args args = {};

	obs.syscall_a = bpf_kfunc_assoc_map_id();
	obs.test_1_ret_a = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
	return 0;
}

SEC("syscall")
int syscall_b(void *ctx)
{
	struct st_ops_args args = {};

	obs.syscall_b = bpf_kfunc_assoc_map_id();
	obs.test_1_ret_b = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
	return 0;
}

char _license[] SEC("license") = "GPL";
