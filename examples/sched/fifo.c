// SPDX-License-Identifier: MIT
/* User space for fifo.bpf.c, in the style of sched_ext's scheds/c/ loaders. */
#include <unistd.h>
#include <scx/common.h>
#include "fifo.skel.h"

int main(void)
{
	struct fifo *skel;
	struct bpf_link *link;

	skel = SCX_OPS_OPEN(fifo_ops, fifo);
	SCX_OPS_LOAD(skel, fifo_ops, fifo, uei);
	link = SCX_OPS_ATTACH(skel, fifo_ops, fifo);
	pause();
	bpf_link__destroy(link);
	fifo__destroy(skel);
	return 0;
}
