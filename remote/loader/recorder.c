// SPDX-License-Identifier: MIT
/*
 * Linked into the user's loader (remote/src/loaderBuild.ts) with
 *   -Wl,--wrap=bpf_program__assoc_struct_ops,--wrap=bpf_prog_assoc_struct_ops,
 *   --wrap=bpf_map__attach_struct_ops, --wrap=bpf_link__update_map,
 *   --wrap=bpf_object__{open,load,attach,destroy}_skeleton
 * so that every association call the loader makes, and what libbpf and the kernel answered, is
 * written to the agent as it happens. The loader's own code runs unchanged: each wrapper calls
 * the real function and returns its result with errno as it was.
 *
 * The log is one line per event, fields separated by tabs (docs/vm-report.md, "loader record";
 * remote/src/loaderRecord.ts parses it):
 *   libbpf   VERSION                                  first line
 *   open     OBJECT ERRNO                             bpf_object__open_skeleton (NAME__open)
 *   load     OBJECT ERRNO                             bpf_object__load_skeleton
 *   prog     OBJECT NAME SECTION TYPE AUTOLOAD LOADED ID      after a load, one per program
 *   map      OBJECT NAME TYPE AUTOCREATE ID                   after a load, one per map (ID 0: not created)
 *   assoc    API OBJECT PROGRAM MAP FLAGS PHASE ANSWERED_BY RESULT ERRNO
 *            API libbpf|syscall; ANSWERED_BY libbpf (its checks refused, no syscall) | kernel
 *   attach   OBJECT MAP ERRNO                         a struct_ops map attached (skeleton or direct,
 *                                                     or a link moved to it: bpf_link__update_map)
 *   attached OBJECT ERRNO                             bpf_object__attach_skeleton returned
 *   checkpoint WHY                                    destroy:OBJECT (before a loaded object's
 *                                                     NAME__destroy()) or exit (objects still alive
 *                                                     when the loader exits): the loader waits until
 *                                                     the agent has read the associations back
 *   hold     STAGE                                    BPF_ASSOC_HOLD=STAGE: waits likewise
 *   destroy  OBJECT
 * The agent answers a checkpoint or a hold with a line on the sync fd: empty, or "cancel" once
 * Cancel was pressed (it also sends "cancel" unasked then). After "cancel" the loader loads and
 * attaches nothing more: those calls return -ECANCELED without reaching libbpf (a scheduler whose
 * loader keeps going after SIGINT must not be attached after Cancel), and are recorded so.
 * ERRNO is 0 or a positive errno; names are the loader's (a program or map not in any skeleton
 * object is "fd:N"). Nothing is written when BPF_ASSOC_RECORD_FD is not set.
 *
 * This file has the wrappers; recorder_agent.c writes the log and talks to the agent,
 * recorder_objects.c keeps the objects the loader opened (recorder.h: what they share).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "recorder.h"

static bool held_assoc, held_attach;
/* Per thread: a loader's threads may make calls at the same time (lines are written atomically). */
static __thread int in_assoc;
static __thread bool kernel_reached;

int __real_bpf_program__assoc_struct_ops(struct bpf_program *prog, struct bpf_map *map,
					 struct bpf_prog_assoc_struct_ops_opts *opts);
int __real_bpf_prog_assoc_struct_ops(int prog_fd, int map_fd, struct bpf_prog_assoc_struct_ops_opts *opts);
struct bpf_link *__real_bpf_map__attach_struct_ops(const struct bpf_map *map);
int __real_bpf_link__update_map(struct bpf_link *link, const struct bpf_map *map);
int __real_bpf_object__open_skeleton(struct bpf_object_skeleton *s, const struct bpf_object_open_opts *opts);
int __real_bpf_object__load_skeleton(struct bpf_object_skeleton *s);
int __real_bpf_object__attach_skeleton(struct bpf_object_skeleton *s);
void __real_bpf_object__destroy_skeleton(struct bpf_object_skeleton *s);

static unsigned int flags_of(const struct bpf_prog_assoc_struct_ops_opts *opts)
{
	return opts && opts->sz >= offsetofend(struct bpf_prog_assoc_struct_ops_opts, flags) ? opts->flags : 0;
}

int __wrap_bpf_object__open_skeleton(struct bpf_object_skeleton *s, const struct bpf_object_open_opts *opts)
{
	int err = __real_bpf_object__open_skeleton(s, opts), saved = errno;
	struct recorded_object *o = object_of_skeleton(s);

	/* A slot of a destroyed object is reused, so a loader may open any number of times. */
	for (int i = 0; !o && i < n_objects; i++)
		if (!objects[i].skel)
			o = &objects[i];
	if (!o && n_objects < MAX_OBJECTS)
		o = &objects[n_objects++];
	if (o) {
		o->skel = s;
		o->obj = err ? NULL : *s->obj;
		o->name = s->name;
		o->phase = "opened";
	}
	emit("open\t%s\t%d", s->name, err ? (err < 0 ? -err : err) : 0);
	errno = saved;
	return err;
}

int __wrap_bpf_object__load_skeleton(struct bpf_object_skeleton *s)
{
	if (active() && cancel_requested()) {
		emit("load\t%s\t%d", s->name, ECANCELED);
		errno = ECANCELED;
		return -ECANCELED;
	}
	int err = __real_bpf_object__load_skeleton(s), saved = errno;
	struct recorded_object *o = object_of_skeleton(s);

	emit("load\t%s\t%d", s->name, err < 0 ? -err : err);
	if (o && o->obj) {
		if (!err)
			o->phase = "loaded";
		list_object(o);
	}
	if (!err)
		hold("load");
	errno = saved;
	return err;
}

int __wrap_bpf_object__attach_skeleton(struct bpf_object_skeleton *s)
{
	if (active() && cancel_requested()) {
		emit("attached\t%s\t%d", s->name, ECANCELED);
		errno = ECANCELED;
		return -ECANCELED;
	}
	int err = __real_bpf_object__attach_skeleton(s), saved = errno;
	struct recorded_object *o = object_of_skeleton(s);

	/* The struct_ops maps the skeleton attached have their link set. */
	for (int i = 0; i < s->map_cnt && s->map_skel_sz >= (int)offsetofend(struct bpf_map_skeleton, link); i++) {
		struct bpf_map_skeleton *ms = (void *)((char *)s->maps + (size_t)i * s->map_skel_sz);
		char name[256];

		if (ms->map && *ms->map && bpf_map__type(*ms->map) == BPF_MAP_TYPE_STRUCT_OPS && ms->link && *ms->link)
			emit("attach\t%s\t%s\t0", s->name, clean(bpf_map__name(*ms->map), name, sizeof(name)));
	}
	emit("attached\t%s\t%d", s->name, err < 0 ? -err : err);
	if (o && !err)
		o->phase = "attached";
	if (!err && !held_attach) {
		held_attach = true;
		hold("attach");
	}
	errno = saved;
	return err;
}

void __wrap_bpf_object__destroy_skeleton(struct bpf_object_skeleton *s)
{
	struct recorded_object *o = s ? object_of_skeleton(s) : NULL;

	if (o && o->obj && strcmp(o->phase, "opened"))
		checkpoint("destroy", o->name);
	if (o) {
		emit("destroy\t%s", o->name);
		o->obj = NULL;
		o->skel = NULL;
	}
	__real_bpf_object__destroy_skeleton(s);
}

struct bpf_link *__wrap_bpf_map__attach_struct_ops(const struct bpf_map *map)
{
	char name[256];

	if (active() && cancel_requested()) {
		emit("attach\t%s\t%s\t%d", object_name_of_map(map), clean(bpf_map__name(map), name, sizeof(name)), ECANCELED);
		errno = ECANCELED;
		return NULL;
	}
	struct bpf_link *link = __real_bpf_map__attach_struct_ops(map);
	int saved = errno;

	emit("attach\t%s\t%s\t%d", object_name_of_map(map), clean(bpf_map__name(map), name, sizeof(name)), link ? 0 : saved);
	if (link && !held_attach) {
		held_attach = true;
		hold("attach");
	}
	errno = saved;
	return link;
}

/* libbpf's OPTS_VALID(): a size at least a size_t, and zeroes past the fields it knows. */
static bool opts_invalid(const struct bpf_prog_assoc_struct_ops_opts *opts)
{
	const char *bytes = (const char *)opts;

	if (!opts)
		return false;
	if (opts->sz < sizeof(size_t))
		return true;
	for (size_t i = offsetofend(struct bpf_prog_assoc_struct_ops_opts, flags); i < opts->sz; i++)
		if (bytes[i])
			return true;
	return false;
}

/* A struct_ops link moved to another map: the kernel updates (and associates) that map's programs. */
int __wrap_bpf_link__update_map(struct bpf_link *link, const struct bpf_map *map)
{
	int err = __real_bpf_link__update_map(link, map), saved = errno;
	char name[256];

	emit("attach\t%s\t%s\t%d", object_name_of_map(map), clean(bpf_map__name(map), name, sizeof(name)), err ? (err < 0 ? -err : err) : 0);
	errno = saved;
	return err;
}

static void record_assoc(const char *api, struct recorded_object *o, const char *prog, const char *map,
			 unsigned int flags, int err)
{
	emit("assoc\t%s\t%s\t%s\t%s\t%u\t%s\t%s\t%d\t%d", api, o ? o->name : "-", prog, map, flags,
	     o ? o->phase : "-", kernel_reached ? "kernel" : "libbpf", err ? -1 : 0, err);
	if (!held_assoc) {
		held_assoc = true;
		hold("associate");
	}
}

int __wrap_bpf_program__assoc_struct_ops(struct bpf_program *prog, struct bpf_map *map,
					 struct bpf_prog_assoc_struct_ops_opts *opts)
{
	struct recorded_object *o = object_of_program(prog, -1);
	char p[256], m[256];
	int ret, saved;

	in_assoc++;
	kernel_reached = false;
	ret = __real_bpf_program__assoc_struct_ops(prog, map, opts);
	saved = errno;
	in_assoc--;
	record_assoc("libbpf", o, clean(bpf_program__name(prog), p, sizeof(p)), clean(bpf_map__name(map), m, sizeof(m)),
		     flags_of(opts), ret ? saved : 0);
	errno = saved;
	return ret;
}

int __wrap_bpf_prog_assoc_struct_ops(int prog_fd, int map_fd, struct bpf_prog_assoc_struct_ops_opts *opts)
{
	struct recorded_object *o;
	char p[256], m[256];
	int ret, saved;

	/* Reached from bpf_program__assoc_struct_ops(): libbpf's checks passed, the kernel answers. */
	if (in_assoc) {
		kernel_reached = true;
		return __real_bpf_prog_assoc_struct_ops(prog_fd, map_fd, opts);
	}
	kernel_reached = true;
	ret = __real_bpf_prog_assoc_struct_ops(prog_fd, map_fd, opts);
	saved = errno;
	o = object_of_program(NULL, prog_fd);
	/* bpf_prog_assoc_struct_ops() refuses bad opts itself, before the syscall. */
	if (ret && saved == EINVAL && opts_invalid(opts))
		kernel_reached = false;
	record_assoc("syscall", o, program_name(o, prog_fd, p, sizeof(p)), map_name_by_fd(map_fd, m, sizeof(m)),
		     flags_of(opts), ret ? saved : 0);
	errno = saved;
	return ret;
}
