// SPDX-License-Identifier: GPL-2.0
/* Two struct_ops maps with their own test_1 programs, plus syscall and tp_btf programs that user
 * space associates explicitly: each program reads the id of the map it is associated with. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "assoc_obs.h"
#include "assoc_kfuncs.h"

struct assoc_obs obs = {};

/* A map that is not a struct_ops map, for the errno cases. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} plain_array SEC(".maps");

SEC("struct_ops/test_1")
int BPF_PROG(test_1_a, struct st_ops_args *args)
{
	obs.test_1_a = bpf_kfunc_assoc_map_id();
	obs.test_1_runs++;
	return TEST_1_MAGIC + 1;
}

SEC("struct_ops/test_1")
int BPF_PROG(test_1_b, struct st_ops_args *args)
{
	obs.test_1_b = bpf_kfunc_assoc_map_id();
	obs.test_1_runs++;
	return TEST_1_MAGIC + 2;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_a = {
	.test_1 = (void *)test_1_a,
};

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map_b = {
	.test_1 = (void *)test_1_b,
};

static bool is_test_task(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == (__u64)obs.test_pid;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_a, struct pt_regs *regs, long id)
{
	if (!is_test_task())
		return 0;
	obs.tracing_a = bpf_kfunc_assoc_map_id();
	obs.tracing_runs++;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_b, struct pt_regs *regs, long id)
{
	if (!is_test_task())
		return 0;
	obs.tracing_b = bpf_kfunc_assoc_map_id();
	return 0;
}

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

/* The same reads through the "__prog" forms of the kfuncs. */
SEC("syscall")
int prog_arg(void *ctx)
{
	struct st_ops_args args = {};

	obs.via_prog_arg = bpf_kfunc_assoc_map_id_impl(NULL);
	obs.test_1_ret_prog_arg = bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL);
	return 0;
}

/* The program the errno cases associate. */
SEC("syscall")
int errno_prog(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
