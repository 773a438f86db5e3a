// Loader for kfunc_user.bpf.c: loads and attaches, but never associates run_kfunc.
#include <stdio.h>
#include <bpf/libbpf.h>
#include "kfunc_user.skel.h"

int main(void)
{
	struct kfunc_user *skel;
	int err;

	skel = kfunc_user__open_and_load();
	if (!skel)
		return 1;
	err = kfunc_user__attach(skel);
	if (err)
		goto out;
	printf("attached\n");
out:
	kfunc_user__destroy(skel);
	return err != 0;
}
