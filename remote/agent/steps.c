// SPDX-License-Identifier: MIT
/* The agent's run of one object: open, load, associate, attach, detach and free. */
#include "steps.h"

#include "observe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>

#define CMD_PROG_ASSOC_STRUCT_OPS 38
#define HAVE_LIBBPF_ASSOC (LIBBPF_MAJOR_VERSION > 1 || (LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION >= 7))

/* libbpf's messages (warnings and info, which carry the verifier log), the most recent 64 KiB. */
static char libbpf_log[65536];
static size_t libbpf_log_len;

static int collect_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[4096];
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, args);
	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (libbpf_log_len + n >= sizeof(libbpf_log)) {
		size_t drop = libbpf_log_len / 2 + n;
		if (drop > libbpf_log_len)
			drop = libbpf_log_len;
		memmove(libbpf_log, libbpf_log + drop, libbpf_log_len - drop);
		libbpf_log_len -= drop;
	}
	memcpy(libbpf_log + libbpf_log_len, line, n);
	libbpf_log_len += n;
	libbpf_log[libbpf_log_len] = '\0';
	return 0;
}

const char *assoc_api_name(void)
{
	return HAVE_LIBBPF_ASSOC ? "libbpf" : "raw-syscall";
}

/* bpf(BPF_PROG_ASSOC_STRUCT_OPS): attr { __u32 map_fd; __u32 prog_fd; __u32 flags; }. */
static int sys_assoc(int prog_fd, int map_fd, unsigned int flags)
{
	struct {
		unsigned int map_fd, prog_fd, flags;
	} attr = {(unsigned int)map_fd, (unsigned int)prog_fd, flags};

	return syscall(__NR_bpf, CMD_PROG_ASSOC_STRUCT_OPS, &attr, sizeof(attr)) < 0 ? errno : 0;
}

int assoc_probe(void)
{
	return sys_assoc(-1, -1, 0);
}

/*
 * One association the way the loader makes it; returns 0 or a positive errno. *by says who
 * answered: "libbpf" (its checks refused before any syscall) or "kernel".
 */
static int associate(const struct assoc_call *c, struct bpf_program *prog, struct bpf_map *map, const char **via,
		     const char **by)
{
	int prog_fd = bpf_program__fd(prog), map_fd = bpf_map__fd(map);

	*by = "kernel";
#if HAVE_LIBBPF_ASSOC
	if (!strcmp(c->api, "syscall")) {
		LIBBPF_OPTS(bpf_prog_assoc_struct_ops_opts, opts, .flags = c->flags);

		*via = "libbpf-syscall";
		return bpf_prog_assoc_struct_ops(prog_fd, map_fd, &opts) ? errno : 0;
	}
	{
		LIBBPF_OPTS(bpf_prog_assoc_struct_ops_opts, opts, .flags = c->flags);
		size_t log_before = libbpf_log_len;
		int err;

		*via = "libbpf";
		err = bpf_program__assoc_struct_ops(prog, map, &opts) ? errno : 0;
		/* libbpf logs "can't associate ..." when its own checks refuse the call. */
		if (err && libbpf_log_len > log_before && strstr(libbpf_log + log_before, "associate"))
			*by = "libbpf";
		return err;
	}
#else
	if (!strcmp(c->api, "syscall")) {
		*via = "syscall";
		return sys_assoc(prog_fd, map_fd, c->flags);
	}
	/* An agent built against an older libbpf (agentBuild "remote"): libbpf 1.7's checks, in its order, then the command. */
	*via = "libbpf-1.7-checks+syscall";
	*by = "libbpf";
	if (prog_fd < 0 || bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS)
		return EINVAL;
	if (map_fd < 0 || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return EINVAL;
	*by = "kernel";
	return sys_assoc(prog_fd, map_fd, c->flags);
#endif
}

struct assoc_result {
	bool done;
	const char *via;
	const char *by;
	const char *missing;
	int err;
};

static void run_assoc_phase(struct bpf_object *obj, const struct agent_plan *plan, const char *phase,
			    struct assoc_result *results)
{
	for (int i = 0; i < plan->n_assoc && !agent_stopped(); i++) {
		const struct assoc_call *c = &plan->assoc[i];
		struct bpf_program *prog;
		struct bpf_map *map;
		struct assoc_result *r = &results[i];

		if (strcmp(c->phase, phase))
			continue;
		prog = bpf_object__find_program_by_name(obj, c->prog);
		map = bpf_object__find_map_by_name(obj, c->map);
		r->done = true;
		if (!prog || !map) {
			r->missing = !prog ? "program" : "map";
			r->err = ENOENT;
		} else {
			r->err = associate(c, prog, map, &r->via, &r->by);
		}
	}
}

static void write_associations(struct json *j, const struct agent_plan *plan, const struct assoc_result *results)
{
	json_array(j, "associations");
	for (int i = 0; i < plan->n_assoc; i++) {
		const struct assoc_call *c = &plan->assoc[i];
		const struct assoc_result *r = &results[i];

		json_object(j, NULL);
		json_int(j, "index", i);
		json_str(j, "phase", c->phase);
		json_str(j, "api", c->api);
		json_str(j, "program", c->prog);
		json_str(j, "map", c->map);
		json_int(j, "flags", (long long)c->flags);
		json_bool(j, "performed", r->done);
		if (r->done) {
			json_str(j, "via", r->via);
			json_str(j, "answeredBy", r->missing ? "agent" : r->by);
			if (r->missing)
				json_str(j, "missing", r->missing);
			json_int(j, "result", r->err ? -r->err : 0);
			json_errno(j, "errno", r->err);
		}
		json_end_object(j);
	}
	json_end_array(j);
}

struct attach_result {
	bool done;
	int err;
};

void run_object(struct json *j, const struct agent_plan *plan, hold_fn hold)
{
	static struct assoc_result assoc[MAX_ITEMS];
	static struct attach_result attach[MAX_ITEMS];
	static struct assoc_observation observed;
	static int slot_err[MAX_ITEMS];
	struct bpf_link *links[MAX_ITEMS] = {0};
	struct bpf_object *obj;
	int open_err = 0, load_err = 0, n_links = 0, detach_errors = 0;
	bool loaded = false;

	libbpf_set_print(collect_log);
	obj = bpf_object__open_file(plan->object, NULL);
	if (!obj) {
		open_err = errno;
	} else {
		agent_stage("opened");
		apply_overrides(obj, plan, slot_err);
		/* Calls the loader makes before __load(), against programs without an fd. */
		run_assoc_phase(obj, plan, "opened", assoc);
	}
	if (obj && !agent_stopped()) {
		load_err = bpf_object__load(obj) ? errno : 0;
		loaded = !load_err;
		if (loaded)
			agent_stage("loaded");
	}
	if (loaded)
		hold(plan, "load");
	if (loaded && !agent_stopped()) {
		run_assoc_phase(obj, plan, "loaded", assoc);
		agent_stage("associated");
		hold(plan, "associate");
	}
	for (int i = 0; loaded && i < plan->n_attach && !agent_stopped(); i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, plan->attach[i].map);
		struct bpf_link *link = map ? bpf_map__attach_struct_ops(map) : NULL;

		attach[i].done = true;
		attach[i].err = !map ? ENOENT : link ? 0 : errno;
		if (link)
			links[n_links++] = link;
	}
	if (n_links) {
		agent_stage("attached");
		hold(plan, "attach");
	}
	/* Calls the loader makes after __attach(). */
	if (loaded && !agent_stopped())
		run_assoc_phase(obj, plan, "attached", assoc);
	/* The kernel's view of every association, read while everything is still loaded. */
	if (loaded && !agent_stopped())
		observe_associations(&observed, plan->observe);

	/* The report is written while everything is still loaded (ids), then all is freed. */
	json_object(j, "object");
	json_str(j, "file", plan->object);
	json_object(j, "open");
	json_bool(j, "ok", obj != NULL);
	json_errno(j, "errno", open_err);
	json_end_object(j);
	json_object(j, "load");
	json_bool(j, "attempted", obj != NULL && (loaded || load_err));
	json_bool(j, "ok", loaded);
	json_errno(j, "errno", load_err);
	json_end_object(j);
	json_str(j, "libbpfLog", libbpf_log);
	json_end_object(j);
	write_slots(j, plan, slot_err, obj != NULL);
	if (obj) {
		list_programs(j, obj, &observed);
		list_maps(j, obj);
	}
	write_associations(j, plan, assoc);
	json_array(j, "attachments");
	for (int i = 0; i < plan->n_attach; i++) {
		json_object(j, NULL);
		json_str(j, "map", plan->attach[i].map);
		json_bool(j, "performed", attach[i].done);
		if (attach[i].done) {
			json_bool(j, "ok", !attach[i].err);
			json_errno(j, "errno", attach[i].err);
		}
		json_end_object(j);
	}
	json_end_array(j);

	for (int i = n_links - 1; i >= 0; i--)
		if (bpf_link__destroy(links[i]))
			detach_errors++;
	bpf_object__close(obj);
	json_object(j, "cleanup");
	json_int(j, "linksDestroyed", n_links);
	json_int(j, "detachErrors", detach_errors);
	json_bool(j, "objectClosed", obj != NULL);
	json_end_object(j);
	agent_stage("cleaned-up");
}
