// One struct_ops program fills the same slot of two attached maps: its association is poisoned.
#include "st_ops.h"
#include "editor_ops.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __ksym;

SEC("struct_ops/test_1")
int BPF_PROG(test_1, struct st_ops_args *args)
{
	return bpf_kfunc_multi_st_ops_test_1_assoc(args);
}

SEC("struct_ops")
int BPF_PROG(test_2_a, struct st_ops_args *args)
{
	return 1;
}

SEC("struct_ops")
int BPF_PROG(test_2_b, struct st_ops_args *args)
{
	return 2;
}

SEC(".struct_ops.link")
struct editor_test_ops st_ops_map_a = {
	.test_1 = (void *)test_1,
	.test_2 = (void *)test_2_a,
};

SEC(".struct_ops.link")
struct editor_test_ops st_ops_map_b = {
	.test_1 = (void *)test_1,
	.test_2 = test_2_b,
};

char _license[] SEC("license") = "GPL";
