// SPDX-License-Identifier: MIT
/*
 * What the recorder's three files share (recorder.c says what the recorder does and its log
 * format): recorder_agent.c writes the log and talks to the agent, recorder_objects.c keeps the
 * skeleton objects the loader opened, recorder.c wraps libbpf's entry points.
 *
 * These files are linked into the user's loader, so every name they share is global in that
 * program: each is spelled bpf_assoc_rec_* at link level (the macros below), so that it cannot
 * clash with a name of the loader's own. The sources use the short names.
 */
#ifndef BPF_ASSOC_RECORDER_H
#define BPF_ASSOC_RECORDER_H

#include <stdbool.h>
#include <stddef.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef RECORDER_LIBBPF_VERSION
#define RECORDER_LIBBPF_VERSION "unknown"
#endif
#define MAX_OBJECTS 64
#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) (offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

#define objects bpf_assoc_rec_objects
#define n_objects bpf_assoc_rec_n_objects
#define active bpf_assoc_rec_active
#define clean bpf_assoc_rec_clean
#define emit bpf_assoc_rec_emit
#define cancel_requested bpf_assoc_rec_cancel_requested
#define hold bpf_assoc_rec_hold
#define checkpoint bpf_assoc_rec_checkpoint
#define object_of_skeleton bpf_assoc_rec_object_of_skeleton
#define object_of_program bpf_assoc_rec_object_of_program
#define program_name bpf_assoc_rec_program_name
#define map_name_by_fd bpf_assoc_rec_map_name_by_fd
#define object_name_of_map bpf_assoc_rec_object_name_of_map
#define list_object bpf_assoc_rec_list_object
#define at_exit bpf_assoc_rec_at_exit

struct recorded_object {
	struct bpf_object_skeleton *skel;
	struct bpf_object *obj;
	const char *name;
	const char *phase; /* opened | loaded | attached */
};

/* recorder_objects.c: the skeleton objects the loader opened (a destroyed one's slot is reused). */
extern struct recorded_object objects[MAX_OBJECTS];
extern int n_objects;
struct recorded_object *object_of_skeleton(const struct bpf_object_skeleton *s);
/* By program, or by program fd when prog is NULL. */
struct recorded_object *object_of_program(const struct bpf_program *prog, int prog_fd);
const char *program_name(struct recorded_object *o, int prog_fd, char *buf, size_t size);
const char *map_name_by_fd(int map_fd, char *buf, size_t size);
const char *object_name_of_map(const struct bpf_map *map);
/* One "prog" line per program and one "map" line per map of a loaded object. */
void list_object(struct recorded_object *o);
/* At the loader's exit: a checkpoint while a loaded object is still alive. */
void at_exit(void);

/* recorder_agent.c: the log (one line per event) and the sync channel to the agent. */
/* Whether the agent records this run (BPF_ASSOC_RECORD_FD set); writes the first line once. */
bool active(void);
/* Tabs and newlines in a name would break the line format. */
const char *clean(const char *s, char *buf, size_t size);
void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether the agent has said "cancel": reads what it wrote unasked, without waiting. */
bool cancel_requested(void);
/* BPF_ASSOC_HOLD=STAGE: a "hold" line, then wait for the agent. */
void hold(const char *stage);
/* A "checkpoint" line, then wait until the agent has read the associations back. */
void checkpoint(const char *why, const char *object);

#endif
