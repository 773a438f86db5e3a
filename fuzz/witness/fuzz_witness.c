// The witness's loader: attaches both maps (poisons witness_shared) and associates twice.
#include <bpf/libbpf.h>
#include "fuzz_witness.skel.h"

int main(void)
{
	struct fuzz_witness *skel = fuzz_witness__open_and_load();

	if (!skel)
		return 1;
	bpf_program__assoc_struct_ops(skel->progs.witness_unassociated, skel->maps.witness_map_a, NULL);
	bpf_program__assoc_struct_ops(skel->progs.witness_unassociated, skel->maps.witness_map_b, NULL);
	fuzz_witness__attach(skel);
	fuzz_witness__destroy(skel);
	return 0;
}
