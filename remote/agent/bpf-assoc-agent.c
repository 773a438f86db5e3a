// SPDX-License-Identifier: MIT
/*
 * bpf-assoc-agent: runs one BPF object's struct_ops associations against the running kernel and
 * prints a JSON report (docs/vm-report.md) on stdout. Progress goes to stderr as "stage: NAME".
 *
 *   bpf-assoc-agent --probe                       kernel facts only
 *   bpf-assoc-agent --object FILE [--pidfile FILE]
 *       [--[no-]autoload PROG]... [--[no-]autocreate MAP]... [--slot MAP MEMBER PROG|-]...
 *       [--assoc PHASE API PROG MAP FLAGS]...   PHASE opened|loaded|attached, API libbpf|syscall
 *       [--attach MAP]... [--observe auto|debugfs|bpf-iter|none]
 *       [--hold STAGE --hold-timeout SECONDS]
 *   bpf-assoc-agent --loader FILE [--object-name NAME] [--loader-budget SECONDS] [--pidfile FILE] [--observe ...] [--hold ...]
 *
 * It opens the object, replays the loader's changes before load (autoload, autocreate, slots
 * re-pointed through the skeleton's struct_ops shadow; PROG "-" clears a slot), loads it,
 * performs each association (libbpf >= 1.7's call when built
 * against it, otherwise the raw bpf() command 38 after the checks libbpf 1.7 makes), attaches
 * the struct_ops maps it is told to, reads the kernel's associations back where it can (the
 * bpf-assoc test kernel's debugfs file, or a bpf_prog iterator on Linux 7.0: observe.h), then
 * detaches and frees everything. SIGTERM, SIGINT and
 * SIGHUP stop it between steps; it still cleans up and reports "cancelled": true. --hold makes it
 * wait at a stage (for tests and debugging) until SIGUSR1 resumes it or the timeout passes.
 *
 * With --loader it runs the user's own loader instead (built with the recorder: loader_run.h),
 * and reports what the loader really did under "loader".
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader_run.h"
#include "observe.h"
#include "report.h"
#include "steps.h"

#define AGENT_VERSION "2"
#define REPORT_VERSION 2
#define BPF_FS_MAGIC_NUMBER 0xcafe4a11

static volatile sig_atomic_t stop_signal, resume_signal;

static void on_signal(int sig) { stop_signal = sig; }
static void on_resume(int sig) { resume_signal = sig; }

bool agent_stopped(void) { return stop_signal != 0; }

void agent_stage(const char *stage)
{
	fprintf(stderr, "stage: %s\n", stage);
	fflush(stderr);
}

static int usage(const char *why)
{
	fprintf(stderr, "bpf-assoc-agent: %s\n", why);
	return 2;
}

static int parse_args(int argc, char **argv, struct agent_plan *plan)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int left = argc - i - 1;

		if (!strcmp(a, "--probe"))
			plan->probe_only = true;
		else if (!strcmp(a, "--object") && left >= 1)
			plan->object = argv[++i];
		else if (!strcmp(a, "--loader") && left >= 1)
			plan->loader = argv[++i];
		else if (!strcmp(a, "--object-name") && left >= 1)
			plan->object_name = argv[++i];
		else if (!strcmp(a, "--loader-budget") && left >= 1)
			plan->loader_budget = atoi(argv[++i]);
		else if (!strcmp(a, "--pidfile") && left >= 1)
			plan->pidfile = argv[++i];
		else if ((!strcmp(a, "--autoload") || !strcmp(a, "--no-autoload")) && left >= 1 && plan->n_autoload < MAX_ITEMS)
			plan->autoload[plan->n_autoload++] = (struct toggle){argv[++i], a[2] == 'a'};
		else if ((!strcmp(a, "--autocreate") || !strcmp(a, "--no-autocreate")) && left >= 1 && plan->n_autocreate < MAX_ITEMS)
			plan->autocreate[plan->n_autocreate++] = (struct toggle){argv[++i], a[2] == 'a'};
		else if (!strcmp(a, "--slot") && left >= 3 && plan->n_slots < MAX_ITEMS) {
			struct slot_assign *sl = &plan->slots[plan->n_slots++];

			sl->map = argv[++i];
			sl->member = argv[++i];
			sl->prog = strcmp(argv[++i], "-") ? argv[i] : NULL;
		} else if (!strcmp(a, "--attach") && left >= 1 && plan->n_attach < MAX_ITEMS)
			plan->attach[plan->n_attach++].map = argv[++i];
		else if (!strcmp(a, "--observe") && left >= 1) {
			plan->observe = argv[++i];
			if (strcmp(plan->observe, "auto") && strcmp(plan->observe, "debugfs") &&
			    strcmp(plan->observe, "bpf-iter") && strcmp(plan->observe, "none"))
				return usage("--observe auto|debugfs|bpf-iter|none");
		} else if (!strcmp(a, "--hold") && left >= 1)
			plan->hold = argv[++i];
		else if (!strcmp(a, "--hold-timeout") && left >= 1)
			plan->hold_timeout = atoi(argv[++i]);
		else if (!strcmp(a, "--assoc") && left >= 5 && plan->n_assoc < MAX_ITEMS) {
			struct assoc_call *c = &plan->assoc[plan->n_assoc++];
			char *end;

			c->phase = argv[++i];
			c->api = argv[++i];
			c->prog = argv[++i];
			c->map = argv[++i];
			c->flags = strtoul(argv[++i], &end, 0);
			if (*end || (strcmp(c->phase, "opened") && strcmp(c->phase, "loaded") && strcmp(c->phase, "attached")) ||
			    (strcmp(c->api, "libbpf") && strcmp(c->api, "syscall")))
				return usage("--assoc PHASE(opened|loaded|attached) API(libbpf|syscall) PROG MAP FLAGS");
		} else {
			return usage("usage: --object FILE [--assoc PHASE API PROG MAP FLAGS]... [--attach MAP]...");
		}
	}
	if (!plan->observe)
		plan->observe = "auto";
	if (plan->loader_budget <= 0)
		plan->loader_budget = 15;
	if (!plan->object && !plan->loader && !plan->probe_only)
		return usage("--object or --loader is required");
	return 0;
}

static void hold(const struct agent_plan *plan, const char *stage)
{
	struct timespec one = {1, 0};

	if (!plan->hold || strcmp(plan->hold, stage))
		return;
	fprintf(stderr, "stage: holding %s\n", stage);
	fflush(stderr);
	resume_signal = 0;
	for (int s = 0; s < plan->hold_timeout && !agent_stopped() && !resume_signal; s++)
		nanosleep(&one, NULL); /* a signal cuts the sleep short */
}

static void kernel_info(struct json *j, const char *observe)
{
	static struct assoc_observation probe_obs;
	struct utsname u;
	struct statfs fs;
	int probe = assoc_probe();

	/* Whether (and how) the associations can be read back here: tried once before the run. */
	observe_associations(&probe_obs, observe);

	uname(&u);
	json_object(j, "kernel");
	json_str(j, "release", u.release);
	json_str(j, "version", u.version);
	json_str(j, "machine", u.machine);
	/* A kernel with the command rejects prog_fd -1 (EBADF); one without it rejects the command. */
	json_str(j, "assocCommand", probe == EBADF ? "supported" : probe == EINVAL ? "missing" : "unknown");
	json_errno(j, "assocProbeErrno", probe);
	/* How the agent reads associations back: "debugfs" (test kernel), "bpf-iter" (7.0) or "none". */
	json_str(j, "assocObservation", probe_obs.method ? probe_obs.method : "none");
	if (!probe_obs.method)
		json_str(j, "assocObservationNote", probe_obs.why);
	json_bool(j, "bpffs", statfs("/sys/fs/bpf", &fs) == 0 && (unsigned long)fs.f_type == BPF_FS_MAGIC_NUMBER);
	json_int(j, "euid", geteuid());
	json_end_object(j);
}

int main(int argc, char **argv)
{
	static struct agent_plan plan;
	struct sigaction sa = {0};
	struct kmsg_counts before, after;
	struct timespec t0, t1;
	struct json j;
	int rc;

	rc = parse_args(argc, argv, &plan);
	if (rc)
		return rc;
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_resume;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (plan.pidfile) {
		FILE *f = fopen(plan.pidfile, "w");
		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	agent_stage("started");
	kmsg_read(&before, NULL);

	json_begin(&j, stdout);
	json_str(&j, "schema", "bpf-assoc-vm-report");
	json_int(&j, "version", REPORT_VERSION);
	kernel_info(&j, plan.observe);

	if (plan.loader && !plan.probe_only) {
		run_loader(&j, &plan, hold);
	} else if (!plan.probe_only) {
		json_object(&j, "loader");
		json_bool(&j, "executed", false);
		json_end_object(&j);
		run_object(&j, &plan, hold);
	}

	/* Written after the run: with a loader, the libbpf that made the calls is the loader's. */
	json_object(&j, "agent");
	json_str(&j, "version", AGENT_VERSION);
	if (plan.loader && !plan.probe_only && loader_libbpf()) {
		char v[80];

		snprintf(v, sizeof(v), "v%s", loader_libbpf());
		json_str(&j, "libbpf", v);
		json_str(&j, "ownLibbpf", libbpf_version_string());
		json_str(&j, "assocApi", "loader");
	} else {
		json_str(&j, "libbpf", libbpf_version_string());
		json_str(&j, "assocApi", assoc_api_name());
	}
	json_end_object(&j);
	kmsg_read(&after, &before);
	json_object(&j, "dmesg");
	json_kmsg(&j, "before", &before, false);
	json_kmsg(&j, "after", &after, true);
	json_end_object(&j);
	json_bool(&j, "cancelled", agent_stopped());
	if (agent_stopped())
		json_int(&j, "signal", stop_signal);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	json_int(&j, "durationMs", (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	json_end_object(&j);
	fputc('\n', stdout);
	fflush(stdout);
	if (plan.pidfile)
		unlink(plan.pidfile);
	agent_stage("done");
	return 0;
}
