// SPDX-License-Identifier: MIT
/* The recorder's log and its sync channel to the agent (recorder.c has the line format). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recorder.h"

static int record_fd = -2, sync_fd = -1;

bool active(void)
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

const char *clean(const char *s, char *buf, size_t size)
{
	size_t i;

	if (!s)
		return "-";
	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = s[i] == '\t' || s[i] == '\n' ? ' ' : s[i];
	buf[i] = '\0';
	return buf;
}

void emit(const char *fmt, ...)
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

bool cancel_requested(void)
{
	struct pollfd p = {sync_fd, POLLIN, 0};
	int saved = errno;

	while (sync_fd >= 0 && !cancelled && poll(&p, 1, 0) == 1 && (p.revents & POLLIN) && read_agent_line())
		;
	errno = saved;
	return cancelled;
}

void hold(const char *stage)
{
	const char *want = getenv("BPF_ASSOC_HOLD");

	if (!active() || !want || strcmp(want, stage))
		return;
	emit("hold\t%s", stage);
	wait_for_agent();
}

void checkpoint(const char *why, const char *object)
{
	if (!active())
		return;
	emit("checkpoint\t%s%s%s", why, object ? ":" : "", object ? object : "");
	wait_for_agent();
}
