// Loader for orphan.bpf.c: opens, loads and attaches (the load fails while a program is unreferenced).
#include <bpf/libbpf.h>
#include "orphan.skel.h"

int main(void)
{
	struct orphan *skel = orphan__open();

	if (!skel)
		return 1;
	if (orphan__load(skel))
		goto out;
	orphan__attach(skel);
out:
	orphan__destroy(skel);
	return 0;
}
