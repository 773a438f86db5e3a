/* SPDX-License-Identifier: MIT */
/* A tiny JSON writer for the agent's report (docs/vm-report.md) and the kernel-log counter. */
#ifndef BPF_ASSOC_AGENT_REPORT_H
#define BPF_ASSOC_AGENT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

/* The kernel's internal ENOTSUPP, which some BPF paths leak to user space. */
#define ENOTSUPP_KERNEL 524

struct json {
	FILE *out;
	int depth;
	bool first[32];
};

void json_begin(struct json *j, FILE *out);
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_end_array(struct json *j);
void json_str(struct json *j, const char *key, const char *value);
void json_int(struct json *j, const char *key, long long value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* errno as its name ("EINVAL"), or null for 0. */
void json_errno(struct json *j, const char *key, int err);
const char *errno_name(int err);

/* Kernel log records read from /dev/kmsg: counts of error-level lines and of oops/BUG/WARNING. */
struct kmsg_counts {
	bool available;
	int error; /* errno when not available */
	unsigned long long last_seq;
	int errors;
	int oopses;
	/* New error or oops messages since a previous read, newline-separated, capped. */
	char lines[4096];
};

/* Reads the whole log; with `before`, also collects the error and oops lines newer than it. */
void kmsg_read(struct kmsg_counts *c, const struct kmsg_counts *before);
void json_kmsg(struct json *j, const char *key, const struct kmsg_counts *c, bool with_lines);

#endif
