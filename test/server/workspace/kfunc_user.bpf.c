// A syscall program calls an association-dependent kfunc; the loader never associates it.
#include "st_ops.h"
#include "editor_ops.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __ksym;

SEC("struct_ops/test_1")
int BPF_PROG(ops_test_1, struct st_ops_args *args)
{
	return 0;
}

SEC(".struct_ops.link")
struct editor_test_ops ops_map = {
	.test_1 = (void *)ops_test_1,
};

SEC("syscall")
int run_kfunc(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

char _license[] SEC("license") = "GPL";
