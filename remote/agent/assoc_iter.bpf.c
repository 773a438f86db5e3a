// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * Reads every loaded program's struct_ops association back on a kernel that has the feature
 * (Linux 7.0: prog->aux->st_ops_assoc), with no test support in the kernel: a bpf_prog iterator
 * prints one line per program in the format of the bpf-assoc test kernel's debugfs file,
 *   id=<prog id> type=0 assoc=<none|poisoned|map id> name=-
 * Field offsets come from the running kernel's BTF (CO-RE). On a kernel whose bpf_prog_aux has no
 * st_ops_assoc (before 7.0) it prints "unsupported" instead. Compiled with clang -target bpf and
 * embedded in the agent (remote/src/agentBuild.ts).
 */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bpf_map {
	__u32 id;
} __attribute__((preserve_access_index));

struct bpf_prog_aux {
	__u32 id;
	struct bpf_map *st_ops_assoc;
} __attribute__((preserve_access_index));

struct bpf_prog {
	struct bpf_prog_aux *aux;
} __attribute__((preserve_access_index));

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_prog {
	struct bpf_iter_meta *meta;
	struct bpf_prog *prog;
} __attribute__((preserve_access_index));

/* BPF_PTR_POISON: 0xeB9F + POISON_POINTER_DELTA (0xdead000000000000 on x86-64 and arm64, else 0). */
#define PTR_POISON_LOW 0xeb9fULL
#define PTR_POISON_DELTA 0xdead000000000000ULL

SEC("iter/bpf_prog")
int dump_assoc(struct bpf_iter__bpf_prog *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_prog *prog = ctx->prog;
	struct bpf_prog_aux *aux;
	__u64 assoc;
	__u32 id;

	if (!prog)
		return 0;
	if (!bpf_core_field_exists(struct bpf_prog_aux, st_ops_assoc)) {
		if (ctx->meta->seq_num == 0)
			BPF_SEQ_PRINTF(seq, "unsupported\n");
		return 0;
	}
	aux = BPF_CORE_READ(prog, aux);
	id = BPF_CORE_READ(aux, id);
	assoc = (__u64)BPF_CORE_READ(aux, st_ops_assoc);
	if (!assoc)
		BPF_SEQ_PRINTF(seq, "id=%u type=0 assoc=none name=-\n", id);
	else if (assoc == PTR_POISON_LOW || assoc == PTR_POISON_LOW + PTR_POISON_DELTA)
		BPF_SEQ_PRINTF(seq, "id=%u type=0 assoc=poisoned name=-\n", id);
	else
		BPF_SEQ_PRINTF(seq, "id=%u type=0 assoc=%u name=-\n", id, BPF_CORE_READ((struct bpf_map *)assoc, id));
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
