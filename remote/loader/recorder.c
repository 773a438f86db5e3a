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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef RECORDER_LIBBPF_VERSION
#define RECORDER_LIBBPF_VERSION "unknown"
#endif
#define MAX_OBJECTS 64
#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) (offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

struct recorded_object {
	struct bpf_object_skeleton *skel;
	struct bpf_object *obj;
	const char *name;
	const char *phase; /* opened | loaded | attached */
};

static struct recorded_object objects[MAX_OBJECTS];
static int n_objects, record_fd = -2, sync_fd = -1;
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

static void at_exit(void);

static bool active(void)
{
	if (record_fd == -2) {
		const char *r = getenv("BPF_ASSOC_RECORD_FD"), *s = getenv("BPF_ASSOC_SYNC_FD");

		record_fd = r ? atoi(r) : -1;
		sync_fd = s ? atoi(s) : -1;
		if (record_fd >= 0) {
			char line[128];
			int n = snprintf(line, sizeof(line), "libbpf\t%s\n", RECORDER_LIBBPF_VERSION);

			if (write(record_fd, line, n) != n)
				record_fd = -1;
			else
				atexit(at_exit);
		}
	}
	return record_fd >= 0;
}

/* Tabs and newlines in a name would break the line format. */
static const char *clean(const char *s, char *buf, size_t size)
{
	size_t i;

	if (!s)
		return "-";
	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = s[i] == '\t' || s[i] == '\n' ? ' ' : s[i];
	buf[i] = '\0';
	return buf;
}

static void emit(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, saved = errno;

	if (!active())
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(record_fd, line, n) != n)
		record_fd = -1; /* the agent is gone: run on unrecorded */
	errno = saved;
}

static bool cancelled; /* the agent said "cancel" */

/* Reads one line from the agent ("" or "cancel"); false when the agent is gone. */
static bool read_agent_line(void)
{
	char line[16], c;
	size_t n = 0;
	ssize_t got;

	while ((got = read(sync_fd, &c, 1)) == 1 && c != '\n')
		if (n + 1 < sizeof(line))
			line[n++] = c;
	line[n] = '\0';
	if (!strcmp(line, "cancel"))
		cancelled = true;
	return got == 1;
}

/* Waits until the agent answers a checkpoint or a hold (one line on the sync fd). */
static void wait_for_agent(void)
{
	int saved = errno;

	if (sync_fd < 0)
		return;
	read_agent_line();
	errno = saved;
}

/* Whether the agent has said "cancel": reads what it wrote unasked, without waiting. */
static bool cancel_requested(void)
{
	struct pollfd p = {sync_fd, POLLIN, 0};
	int saved = errno;

	while (sync_fd >= 0 && !cancelled && poll(&p, 1, 0) == 1 && (p.revents & POLLIN) && read_agent_line())
		;
	errno = saved;
	return cancelled;
}

static void hold(const char *stage)
{
	const char *want = getenv("BPF_ASSOC_HOLD");

	if (!active() || !want || strcmp(want, stage))
		return;
	emit("hold\t%s", stage);
	wait_for_agent();
}

static struct recorded_object *object_of_skeleton(const struct bpf_object_skeleton *s)
{
	for (int i = 0; i < n_objects; i++)
		if (objects[i].skel == s)
			return &objects[i];
	return NULL;
}

static struct recorded_object *object_of_program(const struct bpf_program *prog, int prog_fd)
{
	for (int i = 0; i < n_objects; i++) {
		struct bpf_program *p;

		if (!objects[i].obj)
			continue;
		bpf_object__for_each_program(p, objects[i].obj)
			if (prog ? p == prog : prog_fd >= 0 && bpf_program__fd(p) == prog_fd)
				return &objects[i];
	}
	return NULL;
}

static const char *program_name(struct recorded_object *o, int prog_fd, char *buf, size_t size)
{
	struct bpf_program *p;

	if (o)
		bpf_object__for_each_program(p, o->obj)
			if (bpf_program__fd(p) == prog_fd)
				return clean(bpf_program__name(p), buf, size);
	snprintf(buf, size, "fd:%d", prog_fd);
	return buf;
}

static const char *map_name_by_fd(int map_fd, char *buf, size_t size)
{
	for (int i = 0; i < n_objects; i++) {
		struct bpf_map *m;

		if (!objects[i].obj)
			continue;
		bpf_object__for_each_map(m, objects[i].obj)
			if (map_fd >= 0 && bpf_map__fd(m) == map_fd)
				return clean(bpf_map__name(m), buf, size);
	}
	snprintf(buf, size, "fd:%d", map_fd);
	return buf;
}

static const char *object_name_of_map(const struct bpf_map *map)
{
	for (int i = 0; i < n_objects; i++) {
		struct bpf_map *m;

		if (objects[i].obj)
			bpf_object__for_each_map(m, objects[i].obj)
				if (m == map)
					return objects[i].name;
	}
	return "-";
}

static unsigned int flags_of(const struct bpf_prog_assoc_struct_ops_opts *opts)
{
	return opts && opts->sz >= offsetofend(struct bpf_prog_assoc_struct_ops_opts, flags) ? opts->flags : 0;
}

static void list_object(struct recorded_object *o)
{
	struct bpf_program *p;
	struct bpf_map *m;
	char a[256], b[256];

	bpf_object__for_each_program(p, o->obj) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len))
			info.id = 0;
		emit("prog\t%s\t%s\t%s\t%s\t%d\t%d\t%u", o->name, clean(bpf_program__name(p), a, sizeof(a)),
		     clean(bpf_program__section_name(p), b, sizeof(b)), libbpf_bpf_prog_type_str(bpf_program__type(p)),
		     bpf_program__autoload(p), fd >= 0, info.id);
	}
	bpf_object__for_each_map(m, o->obj) {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_map__fd(m);

		/* A map that was not created has libbpf's placeholder fd: no info, id 0. */
		if (fd < 0 || bpf_map_get_info_by_fd(fd, &info, &len))
			info.id = 0;
		emit("map\t%s\t%s\t%s\t%d\t%u", o->name, clean(bpf_map__name(m), a, sizeof(a)),
		     libbpf_bpf_map_type_str(bpf_map__type(m)), bpf_map__autocreate(m), info.id);
	}
}

static void checkpoint(const char *why, const char *object)
{
	if (!active())
		return;
	emit("checkpoint\t%s%s%s", why, object ? ":" : "", object ? object : "");
	wait_for_agent();
}

static void at_exit(void)
{
	/* Objects the loader never destroyed are still alive here. */
	for (int i = 0; i < n_objects; i++) {
		if (objects[i].obj && strcmp(objects[i].phase, "opened")) {
			checkpoint("exit", NULL);
			return;
		}
	}
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
