/* SPDX-License-Identifier: MIT */
/* The kernel types these examples use, declared as `bpftool btf dump ... format c` would, so the
 * examples build with clang -target bpf without a generated vmlinux.h. A real project includes
 * its vmlinux.h instead. */
#ifndef EXAMPLES_VMLINUX_MIN_H
#define EXAMPLES_VMLINUX_MIN_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

enum bpf_map_type { BPF_MAP_TYPE_ARRAY = 2 };

struct hlist_node {
	struct hlist_node *next;
	struct hlist_node **pprev;
};

struct pt_regs;

/* The kernel selftests' test module (tools/testing/selftests/bpf/test_kmods/bpf_testmod.h): its
 * struct_ops type for this feature, as Linux 7.3's bpf_testmod.ko has it. */
struct st_ops_args {
	u64 a;
};

struct bpf_testmod_multi_st_ops {
	int (*test_1)(struct st_ops_args *args);
	struct hlist_node node;
	int id;
};

/* A complete struct, as in vmlinux.h: libbpf accepts a kfunc only when its BTF prototype matches the
 * kernel's kind for kind, and a forward declaration is not the kernel's struct (the kfunc would stay
 * unresolved and the object would not load). */
struct task_struct {
	int pid;
};
struct sched_ext_ops {
	s32 (*select_cpu)(struct task_struct *p, s32 prev_cpu, u64 wake_flags);
	void (*enqueue)(struct task_struct *p, u64 enq_flags);
	void (*dispatch)(s32 cpu, struct task_struct *prev);
	s32 (*init)(void);
	void (*exit)(void *ei);
	s32 (*sub_attach)(void *args);
	u64 flags;
	char name[128];
};

struct sock;
struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	void (*init)(struct sock *sk);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
};

struct bpf_timer {
	__u64 __opaque[2];
};

#endif
