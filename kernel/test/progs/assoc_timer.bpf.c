// SPDX-License-Identifier: GPL-2.0
/* A struct_ops program arms a timer; the callback is part of that program, so it reads that
 * program's association, even after the map is gone (then: none). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "assoc_obs.h"
#include "assoc_kfuncs.h"

#define CLOCK_MONOTONIC 1

struct assoc_obs obs = {};

struct elem {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

static int timer_cb(void *map, int *key, struct elem *val)
{
	obs.timer_cb = bpf_kfunc_assoc_map_id();
	obs.timer_cb_runs++;
	return 0;
}

SEC("struct_ops/test_1")
int BPF_PROG(test_1, struct st_ops_args *args)
{
	struct elem *e;
	int key = 0;

	obs.test_1_a = bpf_kfunc_assoc_map_id();
	obs.test_1_runs++;
	e = bpf_map_lookup_elem(&timers, &key);
	if (!e)
		return -2;
	bpf_timer_init(&e->timer, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->timer, timer_cb);
	obs.timer_armed = bpf_timer_start(&e->timer, (__u64)obs.timer_delay_ms * 1000000, 0);
	return TEST_1_MAGIC;
}

SEC(".struct_ops.link")
struct bpf_testmod_multi_st_ops st_ops_map = {
	.test_1 = (void *)test_1,
};

SEC("syscall")
int syscall_a(void *ctx)
{
	struct st_ops_args args = {};

	obs.syscall_a = bpf_kfunc_assoc_map_id();
	obs.test_1_ret_a = bpf_kfunc_multi_st_ops_test_1_assoc(&args);
	return 0;
}

/* Restart the timer test_1 armed, to fire now: its callback is still test_1's code. */
SEC("syscall")
int fire_timer(void *ctx)
{
	struct elem *e;
	int key = 0;

	e = bpf_map_lookup_elem(&timers, &key);
	if (!e)
		return -2;
	obs.timer_armed = bpf_timer_start(&e->timer, 0, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
