// The fuzz campaign's witness (fuzz/README in docs/fuzz.md): files no input touches. Their findings
// are computed once; an input after which any of them is missing has blanked the workspace.
#include "st_ops.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __ksym;

SEC("struct_ops/test_1")
int BPF_PROG(witness_shared)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

SEC("syscall")
int witness_unassociated(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

SEC(".struct_ops.link")
struct bpf_testmod_ops witness_map_a = {
	.test_1 = (void *)witness_shared,
};

SEC(".struct_ops.link")
struct bpf_testmod_ops witness_map_b = {
	.test_1 = (void *)witness_shared,
};

char LICENSE[] SEC("license") = "GPL";
