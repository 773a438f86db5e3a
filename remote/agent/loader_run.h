/* SPDX-License-Identifier: MIT */
/*
 * Running the user's own loader (built with the recorder, remote/loader/recorder.c) instead of
 * replaying a plan: the agent starts it with a record pipe and a sync pipe, relays its record
 * into the report, reads every program's association back at each checkpoint the recorder
 * announces (the loader waits meanwhile, so its objects are alive and unchanged), stops a loader
 * that outlives its time budget with SIGINT then SIGKILL, and unregisters any struct_ops map the
 * loader left registered.
 */
#ifndef BPF_ASSOC_AGENT_LOADER_RUN_H
#define BPF_ASSOC_AGENT_LOADER_RUN_H

#include "report.h"
#include "steps.h"

/* Writes the report's "loader" object (docs/vm-report.md). */
void run_loader(struct json *j, const struct agent_plan *plan, hold_fn hold);
/* The libbpf the loader ran with ("1.7.0", from its record), or NULL before it reported one. */
const char *loader_libbpf(void);

#endif
