/* SPDX-License-Identifier: MIT */
/* The steps of one agent run: open, load, associate, attach, clean up. */
#ifndef BPF_ASSOC_AGENT_STEPS_H
#define BPF_ASSOC_AGENT_STEPS_H

#include <stdbool.h>

#include "report.h"

#define MAX_ITEMS 256

struct assoc_call {
	const char *phase; /* opened | loaded | attached */
	const char *api;   /* libbpf | syscall */
	const char *prog;
	const char *map;
	unsigned long flags;
};

struct attach_map {
	const char *map;
};

/* A loader's bpf_program__set_autoload() / bpf_map__set_autocreate(). */
struct toggle {
	const char *name;
	bool value;
};

struct agent_plan {
	const char *object;
	const char *pidfile;
	const char *hold;
	int hold_timeout;
	bool probe_only;
	struct toggle autoload[MAX_ITEMS];
	int n_autoload;
	struct toggle autocreate[MAX_ITEMS];
	int n_autocreate;
	struct assoc_call assoc[MAX_ITEMS];
	int n_assoc;
	struct attach_map attach[MAX_ITEMS];
	int n_attach;
};

typedef void (*hold_fn)(const struct agent_plan *plan, const char *stage);

bool agent_stopped(void);
void agent_stage(const char *stage);
/* errno of BPF_PROG_ASSOC_STRUCT_OPS with prog_fd -1 (EBADF: known command, EINVAL: unknown). */
int assoc_probe(void);
const char *assoc_api_name(void);
/* Writes "object", "programs", "maps", "associations", "attachments", "cleanup". */
void run_object(struct json *j, const struct agent_plan *plan, hold_fn hold);

#endif
