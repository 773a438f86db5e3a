// SPDX-License-Identifier: MIT
/* JSON output and kernel-log counting for bpf-assoc-agent. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void json_begin(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
	fputc('{', out);
}

static void key(struct json *j, const char *k)
{
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (k)
		fprintf(j->out, "\"%s\":", k);
}

static void string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else if (*p >= 0x80) /* keep the output ASCII; invalid UTF-8 must not break the parser */
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void open_nested(struct json *j, const char *k, char c)
{
	key(j, k);
	fputc(c, j->out);
	if (j->depth < 31)
		j->depth++;
	j->first[j->depth] = true;
}

void json_object(struct json *j, const char *k) { open_nested(j, k, '{'); }
void json_array(struct json *j, const char *k) { open_nested(j, k, '['); }

void json_end_object(struct json *j)
{
	fputc('}', j->out);
	if (j->depth > 0)
		j->depth--;
}

void json_end_array(struct json *j)
{
	fputc(']', j->out);
	if (j->depth > 0)
		j->depth--;
}

void json_str(struct json *j, const char *k, const char *value)
{
	key(j, k);
	if (value)
		string(j->out, value);
	else
		fputs("null", j->out);
}

void json_int(struct json *j, const char *k, long long value)
{
	key(j, k);
	fprintf(j->out, "%lld", value);
}

void json_bool(struct json *j, const char *k, bool value)
{
	key(j, k);
	fputs(value ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *k)
{
	key(j, k);
	fputs("null", j->out);
}

const char *errno_name(int err)
{
	switch (err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ENOTSUP: return "EOPNOTSUPP";
	case ENOTSUPP_KERNEL: return "ENOTSUPP";
	case ENOEXEC: return "ENOEXEC";
	case ELOOP: return "ELOOP";
	case ENODATA: return "ENODATA";
	case EPROTO: return "EPROTO";
	default: return NULL;
	}
}

void json_errno(struct json *j, const char *k, int err)
{
	char buf[32];
	const char *name;

	if (err < 0)
		err = -err;
	if (!err) {
		json_null(j, k);
		return;
	}
	name = errno_name(err);
	if (!name) {
		snprintf(buf, sizeof(buf), "E%d", err);
		name = buf;
	}
	json_str(j, k, name);
}

static bool is_oops(const char *msg)
{
	return !strncmp(msg, "Oops", 4) || !strncmp(msg, "BUG:", 4) || !strncmp(msg, "WARNING:", 8) ||
	       !strncmp(msg, "kernel BUG", 10) || !strncmp(msg, "general protection fault", 24) ||
	       !strncmp(msg, "Kernel panic", 12);
}

/* /dev/kmsg gives one record per read(): "PRIO,SEQ,USEC,FLAGS;MESSAGE\n". */
void kmsg_read(struct kmsg_counts *c, const struct kmsg_counts *before)
{
	char rec[8192];
	int fd;

	memset(c, 0, sizeof(*c));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		c->error = errno;
		return;
	}
	c->available = true;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		unsigned long long prio, seq;
		char *msg, *end;
		bool error, oops;

		if (n < 0 && errno == EPIPE) /* overwritten records: go on with the next one */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (sscanf(rec, "%llu,%llu", &prio, &seq) != 2)
			continue;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		c->last_seq = seq;
		error = (prio & 7) <= 3;
		oops = is_oops(msg);
		c->errors += error;
		c->oopses += oops;
		if ((error || oops) && before && before->available && seq > before->last_seq) {
			size_t used = strlen(c->lines);
			if (used + strlen(msg) + 2 < sizeof(c->lines)) {
				strcat(c->lines, msg);
				strcat(c->lines, "\n");
			}
		}
	}
	close(fd);
}

void json_kmsg(struct json *j, const char *k, const struct kmsg_counts *c, bool with_lines)
{
	json_object(j, k);
	json_bool(j, "available", c->available);
	if (!c->available) {
		json_errno(j, "errno", c->error);
	} else {
		json_int(j, "errors", c->errors);
		json_int(j, "oopses", c->oopses);
		if (with_lines)
			json_str(j, "newLines", c->lines);
	}
	json_end_object(j);
}
