// Loader for explicit.bpf.c: associates good_caller once, busy_caller with two maps (EBUSY).
#include <stdio.h>
#include <bpf/libbpf.h>
#include "explicit.skel.h"

int main(void)
{
	struct explicit *skel;
	int err;

	skel = explicit__open();
	if (!skel)
		return 1;
	err = explicit__load(skel);
	if (err)
		goto out;
	bpf_program__assoc_struct_ops(skel->progs.good_caller, skel->maps.first_map, NULL);
	bpf_program__assoc_struct_ops(skel->progs.busy_caller, skel->maps.first_map, NULL);
	err = bpf_program__assoc_struct_ops(skel->progs.busy_caller, skel->maps.second_map, NULL);
	if (err)
		fprintf(stderr, "second association failed: %d\n", err);
	err = explicit__attach(skel);
out:
	explicit__destroy(skel);
	return err != 0;
}
