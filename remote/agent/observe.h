/* SPDX-License-Identifier: MIT */
/*
 * Reading struct_ops associations back from the kernel. User space has no API for it (no
 * bpf_prog_info field), so the agent uses, in this order:
 * - "debugfs": the bpf-assoc test kernel (kernel/, CONFIG_BPF_ASSOC_TEST) lists every loaded
 *   program's association in /sys/kernel/debug/bpf_struct_ops_assoc;
 * - "bpf-iter": a bpf_prog iterator (assoc_iter.bpf.c, embedded) reads prog->aux->st_ops_assoc
 *   through the kernel's BTF: a kernel with the feature (Linux 7.0) and BPF iterators;
 * - otherwise the association is not observable.
 */
#ifndef BPF_ASSOC_AGENT_OBSERVE_H
#define BPF_ASSOC_AGENT_OBSERVE_H

#include <stdbool.h>

#define ASSOC_DEBUGFS "/sys/kernel/debug/bpf_struct_ops_assoc"
#define MAX_OBSERVED 4096

struct assoc_seen {
	unsigned int prog_id;
	/* "none", "poisoned", "freed", or "map" with map_id set */
	char state[12];
	unsigned int map_id;
};

struct assoc_observation {
	/* "debugfs", "bpf-iter", or NULL when not observable */
	const char *method;
	/* why it is not observable (or ""), for the report */
	char why[256];
	int n;
	struct assoc_seen progs[MAX_OBSERVED];
};

/*
 * Reads every loaded program's association now. `mode`: "auto" (debugfs, else the iterator),
 * "debugfs", "bpf-iter" or "none".
 */
void observe_associations(struct assoc_observation *o, const char *mode);
const struct assoc_seen *observed_prog(const struct assoc_observation *o, unsigned int prog_id);

#endif
