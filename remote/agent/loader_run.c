// SPDX-License-Identifier: MIT
/* The user's loader, run under the agent's eye (loader_run.h). */
#define _GNU_SOURCE
#include "loader_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "observe.h"

#define MAX_RECORD (1 << 20)
#define MAX_OUTPUT 65536
#define MAX_SNAPSHOTS 8
#define GRACE_MS 5000

struct snapshot {
	int after_line; /* the record's line count when it was taken */
	char why[32];
	struct assoc_observation obs;
};

static char record[MAX_RECORD];
static size_t record_len;
static int record_lines;
static char output[MAX_OUTPUT];
static size_t output_len;
static struct snapshot snapshots[MAX_SNAPSHOTS];
static int n_snapshots;
static pid_t loader_pid;

const char *loader_libbpf(void)
{
	static char version[64];

	/* The recorder's first line: "libbpf VERSION". */
	if (!version[0] && record_len > 7 && !strncmp(record, "libbpf\t", 7))
		snprintf(version, sizeof(version), "%.63s", record + 7);
	return version[0] ? version : NULL;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void take_snapshot(const struct agent_plan *plan, const char *why)
{
	struct snapshot *s;

	if (n_snapshots >= MAX_SNAPSHOTS)
		return;
	s = &snapshots[n_snapshots++];
	s->after_line = record_lines;
	snprintf(s->why, sizeof(s->why), "%.31s", why);
	observe_associations(&s->obs, plan->observe);
}

/* The loader's output, its last MAX_OUTPUT bytes. */
static void keep_output(const char *buf, size_t n)
{
	if (n >= MAX_OUTPUT) {
		buf += n - (MAX_OUTPUT - 1);
		n = MAX_OUTPUT - 1;
	}
	if (output_len + n >= MAX_OUTPUT) {
		size_t drop = output_len + n - (MAX_OUTPUT - 1);
		memmove(output, output + drop, output_len - drop);
		output_len -= drop;
	}
	memcpy(output + output_len, buf, n);
	output_len += n;
	output[output_len] = '\0';
}

/* Answers a checkpoint or a hold; after Cancel the answer is "cancel" (the recorder then loads and attaches nothing more). */
static void answer(int sync_fd)
{
	const char *line = agent_stopped() ? "cancel\n" : "\n";

	if (write(sync_fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		/* the loader is gone */
	}
}

/* One complete record line: kept, and acted on (stages, checkpoints, holds). */
static void on_line(char *line, const struct agent_plan *plan, hold_fn hold, int sync_fd, bool *seen_assoc, bool *seen_attach)
{
	size_t n = strlen(line);

	if (record_len + n + 1 < MAX_RECORD) {
		memcpy(record + record_len, line, n + 1);
		record_len += n + 1;
		record_lines++;
	}
	if (!strncmp(line, "load\t", 5) && n > 2 && !strcmp(line + n - 2, "\t0")) {
		agent_stage("loaded");
	} else if (!strncmp(line, "assoc\t", 6) && !*seen_assoc) {
		*seen_assoc = true;
		agent_stage("associated");
	} else if (!strncmp(line, "attach\t", 7) && n > 2 && !strcmp(line + n - 2, "\t0") && !*seen_attach) {
		*seen_attach = true;
		agent_stage("attached");
	} else if (!strncmp(line, "checkpoint\t", 11)) {
		take_snapshot(plan, line + 11);
		answer(sync_fd);
	} else if (!strncmp(line, "hold\t", 5)) {
		hold(plan, line + 5);
		/* Cancelled while held: the loader gets SIGINT before it may go on. */
		if (agent_stopped() && loader_pid > 0)
			kill(-loader_pid, SIGINT);
		answer(sync_fd);
	}
}

/* struct_ops maps of the record ("map OBJECT NAME struct_ops AUTOCREATE ID") still registered: unregistered. */
static int unregister_leftovers(void)
{
	int unregistered = 0;

	for (size_t off = 0; off < record_len; off += strlen(record + off) + 1) {
		const char *l = record + off, *type, *id;
		unsigned int map_id;
		int fd, zero = 0;

		if (strncmp(l, "map\t", 4))
			continue;
		/* fields: map, object, name, type, autocreate, id */
		type = strchr(l + 4, '\t');
		type = type ? strchr(type + 1, '\t') : NULL;
		if (!type || strncmp(type + 1, "struct_ops\t", 11))
			continue;
		id = strrchr(l, '\t');
		map_id = id ? (unsigned int)strtoul(id + 1, NULL, 10) : 0;
		if (!map_id || (fd = bpf_map_get_fd_by_id(map_id)) < 0)
			continue;
		if (!bpf_map_delete_elem(fd, &zero))
			unregistered++;
		close(fd);
	}
	return unregistered;
}

static void write_snapshots(struct json *j)
{
	json_array(j, "snapshots");
	for (int i = 0; i < n_snapshots; i++) {
		const struct snapshot *s = &snapshots[i];

		json_object(j, NULL);
		json_int(j, "afterLine", s->after_line);
		json_str(j, "why", s->why);
		json_str(j, "method", s->obs.method ? s->obs.method : "none");
		if (!s->obs.method)
			json_str(j, "note", s->obs.why);
		json_array(j, "programs");
		for (int k = 0; s->obs.method && k < s->obs.n; k++) {
			const struct assoc_seen *p = &s->obs.progs[k];

			json_object(j, NULL);
			json_int(j, "id", p->prog_id);
			json_str(j, "state", strcmp(p->state, "map") ? p->state : "associated");
			if (!strcmp(p->state, "map"))
				json_int(j, "mapId", p->map_id);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
}

static pid_t start(const struct agent_plan *plan, int rec_w, int sync_r, int out_w)
{
	pid_t pid = fork();
	char num[16];

	if (pid)
		return pid;
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	fcntl(rec_w, F_SETFD, 0);
	fcntl(sync_r, F_SETFD, 0);
	snprintf(num, sizeof(num), "%d", rec_w);
	setenv("BPF_ASSOC_RECORD_FD", num, 1);
	snprintf(num, sizeof(num), "%d", sync_r);
	setenv("BPF_ASSOC_SYNC_FD", num, 1);
	if (plan->hold)
		setenv("BPF_ASSOC_HOLD", plan->hold, 1);
	else
		unsetenv("BPF_ASSOC_HOLD");
	dup2(out_w, STDOUT_FILENO);
	dup2(out_w, STDERR_FILENO);
	close(STDIN_FILENO);
	open("/dev/null", O_RDONLY);
	{
		char *dir = strdup(plan->loader), *slash = strrchr(dir, '/');

		if (slash) {
			*slash = '\0';
			if (chdir(dir[0] ? dir : "/")) {
				/* run from where we are */
			}
		}
	}
	execl(plan->loader, plan->loader, (char *)NULL);
	fprintf(stderr, "bpf-assoc-agent: cannot execute %s: %s\n", plan->loader, strerror(errno));
	_exit(127);
}

void run_loader(struct json *j, const struct agent_plan *plan, hold_fn hold)
{
	int rec[2], sync[2], out[2], status = 0, unregistered;
	char line[2048];
	size_t line_len = 0;
	bool seen_assoc = false, seen_attach = false, exited = false, rec_open = true, out_open = true;
	const char *stopped_by = NULL;
	long long started = now_ms(), stop_at = 0, budget_ms = plan->loader_budget * 1000LL;
	pid_t pid = -1;

	if (pipe2(rec, O_CLOEXEC) || pipe2(sync, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    (pid = start(plan, rec[1], sync[0], out[1])) < 0) {
		json_object(j, "loader");
		json_bool(j, "executed", false);
		json_str(j, "file", plan->loader);
		json_str(j, "why", strerror(errno));
		json_end_object(j);
		return;
	}
	/* Its own process group (set on both sides: no signal may reach the group before it exists). */
	setpgid(pid, pid);
	loader_pid = pid;
	agent_stage("loader-started");
	close(rec[1]);
	close(sync[0]);
	close(out[1]);
	while (!exited || rec_open || out_open) {
		struct pollfd fds[2] = {{rec_open ? rec[0] : -1, POLLIN, 0}, {out_open ? out[0] : -1, POLLIN, 0}};
		long long t = now_ms();
		char buf[4096];
		ssize_t n;

		if (!exited && pid > 0 && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
		if (exited && (!rec_open || !out_open) && t - started > budget_ms + GRACE_MS)
			break; /* a child of the loader holds a pipe open */
		if (!exited && !stopped_by && (agent_stopped() || t - started > budget_ms)) {
			stopped_by = agent_stopped() ? "cancel" : "time-budget";
			/* A loader that runs until SIGINT (a scheduler): its state now, then a clean stop. */
			if (!agent_stopped())
				take_snapshot(plan, "time-budget");
			if (agent_stopped())
				answer(sync[1]); /* "cancel", unasked: before SIGINT, which a scheduler's loader may only note */
			kill(-pid, SIGINT);
			stop_at = t;
		}
		if (!exited && stop_at && t - stop_at > GRACE_MS)
			kill(-pid, SIGKILL);
		if (poll(fds, 2, 100) <= 0)
			continue;
		if (fds[0].revents) {
			n = read(rec[0], buf, sizeof(buf));
			if (n <= 0) {
				rec_open = false;
			} else {
				for (ssize_t i = 0; i < n; i++) {
					if (buf[i] != '\n') {
						if (line_len + 1 < sizeof(line))
							line[line_len++] = buf[i];
						continue;
					}
					line[line_len] = '\0';
					on_line(line, plan, hold, sync[1], &seen_assoc, &seen_attach);
					line_len = 0;
				}
			}
		}
		if (fds[1].revents) {
			n = read(out[0], buf, sizeof(buf));
			if (n <= 0)
				out_open = false;
			else
				keep_output(buf, n);
		}
	}
	if (!exited && waitpid(pid, &status, 0) == pid)
		exited = true;
	/* A loader killed before its checkpoint: what is still there (the kernel frees the rest). */
	close(rec[0]);
	close(sync[1]);
	close(out[0]);
	unregistered = unregister_leftovers();
	agent_stage("loader-exited");

	json_object(j, "loader");
	json_bool(j, "executed", true);
	json_str(j, "file", plan->loader);
	if (plan->object_name)
		json_str(j, "object", plan->object_name);
	json_str(j, "libbpf", loader_libbpf());
	if (exited && WIFEXITED(status))
		json_int(j, "exitStatus", WEXITSTATUS(status));
	else
		json_null(j, "exitStatus");
	if (exited && WIFSIGNALED(status))
		json_int(j, "signal", WTERMSIG(status));
	json_str(j, "stoppedBy", stopped_by);
	json_int(j, "budgetMs", budget_ms);
	json_int(j, "runMs", now_ms() - started);
	json_array(j, "record");
	for (size_t off = 0; off < record_len; off += strlen(record + off) + 1)
		json_str(j, NULL, record + off);
	json_end_array(j);
	write_snapshots(j);
	json_str(j, "output", output);
	json_int(j, "unregistered", unregistered);
	json_end_object(j);
}
