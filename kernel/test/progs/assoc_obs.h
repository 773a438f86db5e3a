/* SPDX-License-Identifier: MIT */
/* What the test programs observe, shared by the BPF side and assoc-selftest.c: each object
 * keeps one `struct assoc_obs obs` as its only .bss variable, read through libbpf's mmap. */
#ifndef BPF_ASSOC_OBS_H
#define BPF_ASSOC_OBS_H

#define TEST_1_MAGIC 1234

struct assoc_obs {
	/* in: set by user space */
	int test_pid;
	unsigned int timer_delay_ms;
	/* out: association ids (0 = none or poisoned) read by the kfunc */
	unsigned int syscall_a, syscall_b;	/* syscall programs */
	unsigned int tracing_a, tracing_b;	/* tp_btf programs */
	unsigned int test_1_a, test_1_b;	/* struct_ops programs, when called */
	unsigned int via_prog_arg;		/* the __prog form of the kfunc */
	unsigned int timer_cb;			/* timer callback armed by a struct_ops program */
	int test_1_ret_a, test_1_ret_b;	/* test_1() of the associated map, called through it */
	int test_1_ret_prog_arg;
	int timer_armed;			/* bpf_timer_start() result */
	unsigned int tracing_runs;
	unsigned int timer_cb_runs;
	unsigned int test_1_runs;
};

#endif
