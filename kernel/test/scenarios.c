// SPDX-License-Identifier: MIT
/* The association scenarios of the kernel's selftests for BPF_PROG_ASSOC_STRUCT_OPS, written
 * anew: what each program reads through bpf_kfunc_assoc_map_id() (0 = none or poisoned), and
 * what /sys/kernel/debug/bpf_struct_ops_assoc says about it. */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "scenarios.h"

#define WAIT_MS 30000

static char got[32], want[32];

static void expect_debugfs(const char *what, int prog, const char *state)
{
	expect_str(what, debugfs_assoc(prog_id_of(prog), got, sizeof(got)), state);
}

static void expect_debugfs_map(const char *what, int prog, unsigned int map_id)
{
	expect_debugfs(what, prog, id_str(map_id, want, sizeof(want)));
}

static bool map_gone(const void *id)
{
	return !map_id_exists(*(const unsigned int *)id);
}

static bool timer_ran(const void *obs)
{
	return ((volatile const struct assoc_obs *)obs)->timer_cb_runs > 0;
}

struct prog_state {
	unsigned int prog_id;
	const char *state;
};

static bool debugfs_says(const void *arg)
{
	const struct prog_state *ps = arg;
	char buf[32];

	return !strcmp(debugfs_assoc(ps->prog_id, buf, sizeof(buf)), ps->state);
}

void scenario_two_maps(const char *dir)
{
	struct bpf_link *link_a = NULL, *link_b = NULL, *tp_a = NULL, *tp_b = NULL;
	struct loaded l;
	unsigned int a, b;

	if (load_object(dir, "assoc_basic", &l)) {
		expect_long("load assoc_basic.bpf.o", -1, 0);
		return;
	}
	a = map_id_of(map_fd(&l, "st_ops_map_a"));
	b = map_id_of(map_fd(&l, "st_ops_map_b"));
	l.obs->test_pid = getpid();
	expect_long("assoc syscall_a with map a", assoc_raw(map_fd(&l, "st_ops_map_a"), prog_fd(&l, "syscall_a"), 0), 0);
	expect_long("assoc sys_enter_a with map a", assoc_raw(map_fd(&l, "st_ops_map_a"), prog_fd(&l, "sys_enter_a"), 0), 0);
	expect_long("assoc syscall_b with map b", assoc_raw(map_fd(&l, "st_ops_map_b"), prog_fd(&l, "syscall_b"), 0), 0);
	expect_long("assoc sys_enter_b with map b", assoc_raw(map_fd(&l, "st_ops_map_b"), prog_fd(&l, "sys_enter_b"), 0), 0);
	expect_long("assoc sys_enter_a with map b -> EBUSY", assoc_raw(map_fd(&l, "st_ops_map_b"), prog_fd(&l, "sys_enter_a"), 0), -EBUSY);

	/* Before the maps are updated: the association is there, test_1 is not yet. */
	expect_debugfs("test_1_a before its map is attached", prog_fd(&l, "test_1_a"), "none");
	expect_long("run syscall_a before attach", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("syscall_a reads map a before attach", l.obs->syscall_a, a);
	expect_long("test_1 of a not-yet-updated map is absent (-1)", l.obs->test_1_ret_a, -1);

	link_a = bpf_map__attach_struct_ops(map_of(&l, "st_ops_map_a"));
	link_b = bpf_map__attach_struct_ops(map_of(&l, "st_ops_map_b"));
	tp_a = bpf_program__attach(bpf_object__find_program_by_name(l.obj, "sys_enter_a"));
	tp_b = bpf_program__attach(bpf_object__find_program_by_name(l.obj, "sys_enter_b"));
	expect_long("attach both maps and both tp_btf programs", link_a && link_b && tp_a && tp_b, 1);
	syscall(SYS_getppid);
	expect_long("tp_btf sys_enter_a ran", l.obs->tracing_runs > 0, 1);
	expect_long("sys_enter_a reads map a", l.obs->tracing_a, a);
	expect_long("sys_enter_b reads map b", l.obs->tracing_b, b);
	expect_long("run syscall_a", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("syscall_a reads map a", l.obs->syscall_a, a);
	expect_long("syscall_a calls test_1 of map a", l.obs->test_1_ret_a, TEST_1_MAGIC + 1);
	expect_long("test_1_a (auto) reads map a", l.obs->test_1_a, a);
	expect_long("run syscall_b", run_syscall_prog(&l, "syscall_b"), 0);
	expect_long("syscall_b reads map b", l.obs->syscall_b, b);
	expect_long("syscall_b calls test_1 of map b", l.obs->test_1_ret_b, TEST_1_MAGIC + 2);
	expect_long("test_1_b (auto) reads map b", l.obs->test_1_b, b);

	/* The "__prog" kfunc forms, unassociated then associated. */
	expect_long("run prog_arg (unassociated)", run_syscall_prog(&l, "prog_arg"), 0);
	expect_long("prog_arg reads none through aux__prog", l.obs->via_prog_arg, 0);
	expect_long("prog_arg's test_1 call finds no map (-1)", l.obs->test_1_ret_prog_arg, -1);
	expect_long("assoc prog_arg with map b", assoc_raw(map_fd(&l, "st_ops_map_b"), prog_fd(&l, "prog_arg"), 0), 0);
	expect_long("run prog_arg (associated)", run_syscall_prog(&l, "prog_arg"), 0);
	expect_long("prog_arg reads map b through aux__prog", l.obs->via_prog_arg, b);
	expect_long("prog_arg calls test_1 of map b", l.obs->test_1_ret_prog_arg, TEST_1_MAGIC + 2);

	expect_long("struct_ops prog after auto-association -> still EINVAL",
		    assoc_raw(map_fd(&l, "st_ops_map_b"), prog_fd(&l, "test_1_a"), 0), -EINVAL);
	expect_debugfs_map("debugfs: test_1_a", prog_fd(&l, "test_1_a"), a);
	expect_debugfs_map("debugfs: test_1_b", prog_fd(&l, "test_1_b"), b);
	expect_debugfs_map("debugfs: syscall_a", prog_fd(&l, "syscall_a"), a);
	expect_debugfs_map("debugfs: sys_enter_a", prog_fd(&l, "sys_enter_a"), a);
	expect_debugfs_map("debugfs: syscall_b", prog_fd(&l, "syscall_b"), b);
	expect_debugfs_map("debugfs: sys_enter_b", prog_fd(&l, "sys_enter_b"), b);
	bpf_link__destroy(tp_a);
	bpf_link__destroy(tp_b);
	bpf_link__destroy(link_a);
	bpf_link__destroy(link_b);
	bpf_object__close(l.obj);
	expect_long("closing everything frees map a (no leaked association reference)",
		    wait_for(map_gone, &a, WAIT_MS), 1);
}

void scenario_reuse(const char *dir)
{
	struct bpf_link *link_a, *link_b;
	struct prog_state poisoned;
	struct loaded l;
	unsigned int a, b;
	int test_1;

	if (load_object(dir, "assoc_reuse", &l)) {
		expect_long("load assoc_reuse.bpf.o", -1, 0);
		return;
	}
	a = map_id_of(map_fd(&l, "st_ops_map_a"));
	b = map_id_of(map_fd(&l, "st_ops_map_b"));
	test_1 = prog_fd(&l, "test_1_a");
	expect_long("assoc syscall_a with map a", assoc_raw(map_fd(&l, "st_ops_map_a"), prog_fd(&l, "syscall_a"), 0), 0);
	expect_long("assoc syscall_b with map b", assoc_raw(map_fd(&l, "st_ops_map_b"), prog_fd(&l, "syscall_b"), 0), 0);
	link_a = bpf_map__attach_struct_ops(map_of(&l, "st_ops_map_a"));
	expect_long("attach map a", link_a != NULL, 1);
	expect_debugfs_map("debugfs: test_1_a after map a only", test_1, a);
	expect_long("run syscall_a", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("test_1_a reads map a while only map a uses it", l.obs->test_1_a, a);
	link_b = bpf_map__attach_struct_ops(map_of(&l, "st_ops_map_b"));
	expect_long("attach map b (same test_1_a) succeeds", link_b != NULL, 1);
	expect_debugfs("debugfs: test_1_a after both maps", test_1, "poisoned");
	l.obs->test_1_a = 12345;
	expect_long("run syscall_a", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("syscall_a reads map a", l.obs->syscall_a, a);
	expect_long("syscall_a calls test_1 of map a", l.obs->test_1_ret_a, TEST_1_MAGIC);
	expect_long("test_1_a reads 0 (poisoned)", l.obs->test_1_a, 0);
	l.obs->test_1_a = 12345;
	expect_long("run syscall_b", run_syscall_prog(&l, "syscall_b"), 0);
	expect_long("syscall_b reads map b", l.obs->syscall_b, b);
	expect_long("syscall_b calls test_1 of map b (test_1_a too)", l.obs->test_1_ret_b, TEST_1_MAGIC);
	expect_long("test_1_a reads 0 (poisoned) through map b", l.obs->test_1_a, 0);

	/* Poison outlives the maps. */
	bpf_link__destroy(link_b);
	drop_fd(prog_fd(&l, "syscall_b"));
	drop_fd(map_fd(&l, "st_ops_map_b"));
	expect_long("map b freed once its fd, link and syscall_b are gone", wait_for(map_gone, &b, WAIT_MS), 1);
	poisoned = (struct prog_state){ prog_id_of(test_1), "poisoned" };
	expect_long("test_1_a stays poisoned after map b is freed", debugfs_says(&poisoned), 1);
	l.obs->test_1_a = 12345;
	expect_long("run syscall_a", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("test_1_a still reads 0 through map a", l.obs->test_1_a, 0);
	bpf_link__destroy(link_a);
	bpf_object__close(l.obj);
}

/* Loads assoc_timer, associates syscall_a with st_ops_map and attaches the map. */
static int timer_setup(const char *dir, struct loaded *l, struct bpf_link **link, unsigned int delay_ms)
{
	if (load_object(dir, "assoc_timer", l)) {
		expect_long("load assoc_timer.bpf.o", -1, 0);
		return -1;
	}
	l->obs->timer_delay_ms = delay_ms;
	expect_long("assoc syscall_a with st_ops_map", assoc_raw(map_fd(l, "st_ops_map"), prog_fd(l, "syscall_a"), 0), 0);
	*link = bpf_map__attach_struct_ops(map_of(l, "st_ops_map"));
	expect_long("attach st_ops_map", *link != NULL, 1);
	return *link ? 0 : -1;
}

void scenario_timer(const char *dir)
{
	struct bpf_link *link;
	struct loaded l;
	unsigned int m;

	if (timer_setup(dir, &l, &link, 0))
		return;
	m = map_id_of(map_fd(&l, "st_ops_map"));
	expect_long("run syscall_a (calls test_1, which arms a 0 ms timer)", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("syscall_a calls test_1 of st_ops_map", l.obs->test_1_ret_a, TEST_1_MAGIC);
	expect_long("timer started", l.obs->timer_armed, 0);
	expect_long("test_1 reads st_ops_map", l.obs->test_1_a, m);
	expect_long("timer callback ran", wait_for(timer_ran, (const void *)l.obs, WAIT_MS), 1);
	expect_long("timer callback reads test_1's map", l.obs->timer_cb, m);
	bpf_link__destroy(link);
	bpf_object__close(l.obj);
}

void scenario_timer_map_gone(const char *dir)
{
	struct prog_state unassociated;
	struct bpf_link *link;
	struct loaded l;
	unsigned int m;

	if (timer_setup(dir, &l, &link, 3600 * 1000))
		return;
	m = map_id_of(map_fd(&l, "st_ops_map"));
	expect_long("run syscall_a (test_1 arms a 1 h timer)", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("timer started", l.obs->timer_armed, 0);
	expect_long("test_1 reads st_ops_map", l.obs->test_1_a, m);
	bpf_link__destroy(link);
	drop_fd(prog_fd(&l, "syscall_a"));
	drop_fd(map_fd(&l, "st_ops_map"));
	expect_long("st_ops_map freed once link, fd and syscall_a are gone", wait_for(map_gone, &m, WAIT_MS), 1);
	unassociated = (struct prog_state){ prog_id_of(prog_fd(&l, "test_1")), "none" };
	expect_long("freeing the map disassociates test_1", wait_for(debugfs_says, &unassociated, WAIT_MS), 1);
	expect_long("timer has not fired yet", l.obs->timer_cb_runs, 0);
	expect_long("run fire_timer (restart the timer at 0 ms)", run_syscall_prog(&l, "fire_timer"), 0);
	expect_long("timer restarted", l.obs->timer_armed, 0);
	expect_long("timer callback ran", wait_for(timer_ran, (const void *)l.obs, WAIT_MS), 1);
	expect_long("timer callback reads 0 (map gone)", l.obs->timer_cb, 0);
	bpf_object__close(l.obj);
}

void scenario_keepalive(const char *dir)
{
	struct prog_state unassociated;
	struct bpf_link *link;
	struct loaded l;
	unsigned int m;
	int syscall_a, test_1;

	if (timer_setup(dir, &l, &link, 3600 * 1000))
		return;
	m = map_id_of(map_fd(&l, "st_ops_map"));
	syscall_a = prog_fd(&l, "syscall_a");
	test_1 = prog_fd(&l, "test_1");
	bpf_link__destroy(link);
	drop_fd(map_fd(&l, "st_ops_map"));
	expect_long("st_ops_map still exists without fd and link", map_id_exists(m), 1);
	expect_long("run syscall_a", run_syscall_prog(&l, "syscall_a"), 0);
	expect_long("syscall_a still reads st_ops_map", l.obs->syscall_a, m);
	expect_long("syscall_a still calls test_1 of the detached map", l.obs->test_1_ret_a, TEST_1_MAGIC);
	expect_long("test_1 still reads st_ops_map", l.obs->test_1_a, m);
	expect_debugfs_map("debugfs: syscall_a", syscall_a, m);
	expect_debugfs_map("debugfs: test_1", test_1, m);
	drop_fd(syscall_a);
	expect_long("freeing syscall_a frees st_ops_map", wait_for(map_gone, &m, WAIT_MS), 1);
	unassociated = (struct prog_state){ prog_id_of(test_1), "none" };
	expect_long("test_1 unassociated once the map is freed", wait_for(debugfs_says, &unassociated, WAIT_MS), 1);
	bpf_object__close(l.obj);
}
