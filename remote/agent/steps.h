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

/* skel->struct_ops.MAP->MEMBER = skel->progs.PROG (PROG NULL: the slot is cleared). */
struct slot_assign {
	const char *map;
	const char *member;
	const char *prog;
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
	/* how to read associations back: auto | debugfs | bpf-iter | none (observe.h) */
	const char *observe;
	/* the user's loader to run instead of the plan (loader_run.h), and its time budget in seconds */
	const char *loader;
	const char *object_name; /* the object whose rows the run compares (the plan's) */
	int loader_budget;
	bool probe_only;
	struct toggle autoload[MAX_ITEMS];
	int n_autoload;
	struct toggle autocreate[MAX_ITEMS];
	int n_autocreate;
	struct slot_assign slots[MAX_ITEMS];
	int n_slots;
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
/* Between open and load: autoload, autocreate, slots (slot_err[i]: 0 or a positive errno). */
struct bpf_object;
void apply_overrides(struct bpf_object *obj, const struct agent_plan *plan, int *slot_err);
void write_slots(struct json *j, const struct agent_plan *plan, const int *slot_err, bool applied);
struct assoc_observation;
/* The report's "programs" (with each association, when observed) and "maps". */
void list_programs(struct json *j, struct bpf_object *obj, const struct assoc_observation *obs);
void list_maps(struct json *j, struct bpf_object *obj);
/* Writes "object", "slots", "programs", "maps", "associations", "attachments", "cleanup". */
void run_object(struct json *j, const struct agent_plan *plan, hold_fn hold);

#endif
