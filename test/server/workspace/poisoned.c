// Loader for poisoned.bpf.c: loads and attaches both maps, so the shared program is poisoned.
#include <bpf/libbpf.h>
#include "poisoned.skel.h"

int main(void)
{
	struct poisoned *skel;
	int err;

	skel = poisoned__open_and_load();
	if (!skel)
		return 1;
	err = poisoned__attach(skel);
	poisoned__destroy(skel);
	return err != 0;
}
