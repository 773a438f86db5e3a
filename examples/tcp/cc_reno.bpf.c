// SPDX-License-Identifier: MIT
/* A Reno-like TCP congestion control in a plain `.struct_ops` map. */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("struct_ops")
void BPF_PROG(reno_init, struct sock *sk)
{
}

SEC("struct_ops")
__u32 BPF_PROG(reno_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops")
void BPF_PROG(reno_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops")
__u32 BPF_PROG(reno_undo_cwnd, struct sock *sk)
{
	return 10;
}

/* Kept for experiments; '?' keeps libbpf from loading it while no slot uses it. */
SEC("?struct_ops")
__u32 BPF_PROG(reno_ssthresh_aggressive, struct sock *sk)
{
	return 1;
}

SEC(".struct_ops")
struct tcp_congestion_ops bpf_reno = {
	.init = (void *)reno_init,
	.ssthresh = (void *)reno_ssthresh,
	.cong_avoid = (void *)reno_cong_avoid,
	.undo_cwnd = (void *)reno_undo_cwnd,
	.name = "bpf_reno",
};

char _license[] SEC("license") = "GPL";
