// Non-struct_ops programs that the loader associates explicitly, once well and once twice.
#include "st_ops.h"
#include "editor_ops.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __ksym;

SEC("struct_ops/test_1")
int BPF_PROG(first_test_1, struct st_ops_args *args)
{
	return 0;
}

SEC("struct_ops/test_1")
int BPF_PROG(second_test_1, struct st_ops_args *args)
{
	return 1;
}

SEC(".struct_ops.link")
struct editor_test_ops first_map = {
	.test_1 = (void *)first_test_1,
};

SEC(".struct_ops.link")
struct editor_test_ops second_map = {
	.test_1 = (void *)second_test_1,
};

SEC("syscall")
int good_caller(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

SEC("syscall")
int busy_caller(void *ctx)
{
	struct st_ops_args args = {};

	return bpf_kfunc_multi_st_ops_test_1_assoc(&args);
}

char _license[] SEC("license") = "GPL";
