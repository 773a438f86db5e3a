// SPDX-License-Identifier: MIT
/* Loads multi_ops.bpf.o through its skeleton, associates the syscall program with st_ops_map_a
 * (libbpf >= 1.7), attaches both struct_ops maps and runs the syscall program once. */
#include <stdio.h>
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
	if (err)
		goto out;

	err = bpf_program__assoc_struct_ops(skel->progs.syscall_prog_a, skel->maps.st_ops_map_a, NULL);
	if (err)
		fprintf(stderr, "association failed: %d\n", err);

	err = multi_ops__attach(skel);
	if (err)
		goto out;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.syscall_prog_a), &topts);
	printf("syscall_prog_a returned %d\n", topts.retval);
out:
	multi_ops__destroy(skel);
	return err ? 1 : 0;
}
