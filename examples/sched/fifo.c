// SPDX-License-Identifier: MIT
/* User space for fifo.bpf.c, in the style of sched_ext's scheds/c/ loaders: the scheduler runs
 * until SIGINT or SIGTERM, then detaches. */
#include <signal.h>
#include <unistd.h>
#include <scx/common.h>
#include "fifo.skel.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

int main(void)
{
	struct fifo *skel;
	struct bpf_link *link;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = SCX_OPS_OPEN(fifo_ops, fifo);
	SCX_OPS_LOAD(skel, fifo_ops, fifo, uei);
	link = SCX_OPS_ATTACH(skel, fifo_ops, fifo);
	while (!exiting)
		sleep(1);
	bpf_link__destroy(link);
	fifo__destroy(skel);
	return 0;
}
