// SPDX-License-Identifier: MIT
/* Association read-back: the test kernel's debugfs file, or a bpf_prog iterator (see observe.h). */
#include "observe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "assoc_iter.bpf.h"
#include "report.h"

/* One line: "id=<prog id> type=<prog type> assoc=<none|poisoned|freed|map id> name=<name>". */
static bool parse_line(const char *line, struct assoc_seen *s)
{
	unsigned int type;
	char assoc[16];

	if (sscanf(line, "id=%u type=%u assoc=%15s", &s->prog_id, &type, assoc) != 3)
		return false;
	s->map_id = 0;
	if (!strcmp(assoc, "none") || !strcmp(assoc, "poisoned") || !strcmp(assoc, "freed")) {
		strcpy(s->state, assoc);
		return true;
	}
	if (sscanf(assoc, "%u", &s->map_id) != 1 || !s->map_id)
		return false;
	strcpy(s->state, "map");
	return true;
}

static void parse_listing(struct assoc_observation *o, FILE *f)
{
	char line[512];

	while (o->n < MAX_OBSERVED && fgets(line, sizeof(line), f))
		if (parse_line(line, &o->progs[o->n]))
			o->n++;
}

static bool read_debugfs(struct assoc_observation *o)
{
	FILE *f = fopen(ASSOC_DEBUGFS, "r");

	if (!f) {
		if (errno == ENOENT)
			snprintf(o->why, sizeof(o->why), "no %s (only the bpf-assoc test kernel has it; debugfs must be mounted)", ASSOC_DEBUGFS);
		else
			snprintf(o->why, sizeof(o->why), "cannot read %s: %s", ASSOC_DEBUGFS, strerror(errno));
		return false;
	}
	parse_listing(o, f);
	fclose(f);
	o->method = "debugfs";
	return true;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

/* The embedded iterator: loaded, attached, read once, freed. Its libbpf messages stay out of the report. */
static bool read_iterator(struct assoc_observation *o)
{
#if ASSOC_ITER_AVAILABLE
	libbpf_print_fn_t previous = libbpf_set_print(quiet);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "bpf_assoc_iter");
	struct bpf_object *obj = bpf_object__open_mem(assoc_iter_bpf_o, sizeof(assoc_iter_bpf_o), &opts);
	struct bpf_program *prog = obj ? bpf_object__find_program_by_name(obj, "dump_assoc") : NULL;
	struct bpf_link *link = NULL;
	FILE *f = NULL;
	int fd = -1, err = 0;
	char first[64] = "";

	if (!prog)
		err = errno ? errno : ENOENT;
	else if (bpf_object__load(obj))
		err = errno;
	else if (!(link = bpf_program__attach_iter(prog, NULL)))
		err = errno;
	else if ((fd = bpf_iter_create(bpf_link__fd(link))) < 0)
		err = errno;
	else if (!(f = fdopen(fd, "r")))
		err = errno;
	if (err) {
		snprintf(o->why, sizeof(o->why), "the bpf_prog iterator that reads prog->aux->st_ops_assoc does not run here (%s)",
			 errno_name(err) ? errno_name(err) : strerror(err));
	} else if (fgets(first, sizeof(first), f) && !strncmp(first, "unsupported", 11)) {
		snprintf(o->why, sizeof(o->why),
			 "the kernel's struct bpf_prog_aux has no st_ops_assoc (BPF_PROG_ASSOC_STRUCT_OPS needs Linux 7.0)");
		err = ENOENT;
	} else {
		if (first[0] && o->n < MAX_OBSERVED && parse_line(first, &o->progs[o->n]))
			o->n++;
		parse_listing(o, f);
		o->method = "bpf-iter";
	}
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	libbpf_set_print(previous);
	return !err;
#else
	snprintf(o->why, sizeof(o->why), "the agent has no bpf_prog iterator (%s)", ASSOC_ITER_WHY);
	return false;
#endif
}

void observe_associations(struct assoc_observation *o, const char *mode)
{
	char why[sizeof(o->why)] = "";

	o->n = 0;
	o->method = NULL;
	o->why[0] = '\0';
	if (!strcmp(mode, "none")) {
		snprintf(o->why, sizeof(o->why), "not asked for (--observe none)");
		return;
	}
	if (strcmp(mode, "bpf-iter") && read_debugfs(o))
		return;
	if (!strcmp(mode, "debugfs"))
		return;
	snprintf(why, sizeof(why), "%s", o->why);
	o->n = 0;
	if (read_iterator(o))
		return;
	/* Both failed: say why for each. */
	if (why[0]) {
		char both[2 * sizeof(o->why) + 4];
		size_t len;

		snprintf(both, sizeof(both), "%s; %s", why, o->why);
		len = strnlen(both, sizeof(o->why) - 1);
		memcpy(o->why, both, len);
		o->why[len] = '\0';
	}
}

const struct assoc_seen *observed_prog(const struct assoc_observation *o, unsigned int prog_id)
{
	for (int i = 0; o->method && i < o->n; i++)
		if (o->progs[i].prog_id == prog_id)
			return &o->progs[i];
	return NULL;
}
