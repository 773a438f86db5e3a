// SPDX-License-Identifier: MIT
/* Loads multi_ops.bpf.o through its skeleton, associates the syscall program with st_ops_map_a
 * (libbpf >= 1.7), attaches both struct_ops maps and the tracing program, then shows what
 * bpf_kfunc_multi_st_ops_test_1_assoc() answered each program. Needs bpf_testmod.ko loaded. */
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "multi_ops.skel.h"

int main(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct multi_ops *skel;
	int err;

	skel = multi_ops__open();
	if (!skel) {
		fprintf(stderr, "open failed\n");
		return 1;
	}
	err = multi_ops__load(skel);
	if (err) {
		fprintf(stderr, "load failed: %d\n", err);
		goto out;
	}

	err = bpf_program__assoc_struct_ops(skel->progs.syscall_prog_a, skel->maps.st_ops_map_a, NULL);
	if (err) {
		fprintf(stderr, "associating syscall_prog_a with st_ops_map_a failed: %d\n", err);
		goto out;
	}

	err = multi_ops__attach(skel);
	if (err) {
		fprintf(stderr, "attach failed: %d\n", err);
		goto out;
	}

	/* One system call of ours for trace_prog_b to see. */
	skel->bss->test_pid = getpid();
	syscall(SYS_gettid);
	skel->bss->test_pid = 0;

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.syscall_prog_a), &topts);
	if (err) {
		fprintf(stderr, "running syscall_prog_a failed: %d\n", err);
		goto out;
	}
	printf("syscall_prog_a (associated with st_ops_map_a): %d\n", (int)topts.retval);
	printf("test_1 (poisoned): %d\n", skel->bss->test_1_found);
	printf("trace_prog_b (never associated): %d\n", skel->bss->trace_found);
out:
	multi_ops__destroy(skel);
	return err ? 1 : 0;
}
