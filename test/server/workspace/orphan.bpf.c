// Struct_ops programs that no map references: libbpf refuses to load the object.
#include "st_ops.h"
#include "editor_ops.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)

SEC("struct_ops/test_1")
int BPF_PROG(used, struct st_ops_args *args)
{
	return 0;
}

SEC("struct_ops/test_2")
int BPF_PROG(forgotten, struct st_ops_args *args)
{
	return 1;
}

int BPF_STRUCT_OPS(forgotten_macro, struct st_ops_args *args)
{
	return 2;
}

SEC(".struct_ops.link")
struct editor_test_ops orphan_map = {
	.test_1 = (void *)used,
};

char _license[] SEC("license") = "GPL";
