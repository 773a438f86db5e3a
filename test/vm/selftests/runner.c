// SPDX-License-Identifier: MIT
/* Runs the kernel selftests' struct_ops association test (prog_tests/test_struct_ops_assoc.c,
 * from Debian's linux-source) and bpf-assoc's own checks of what the retired test kernel's
 * self-test checked beyond it: the errno of every failing explicit association and which check
 * wins when several fail (kernel/bpf/syscall.c, prog_assoc_struct_ops()), and an explicit
 * association keeping its map alive after the map's fd and link are gone; and the agent's
 * bpf_prog iterator (remote/agent/assoc_iter.bpf.c) checked against what the kernel's own
 * bpf_kfunc_multi_st_ops_test_1_assoc() answers the same programs. Needs bpf_testmod.ko.
 * Prints one "ok"/"not ok" line per check and "BPF-ASSOC-SELFTESTS failures=N" last. */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <test_progs.h>
#include "struct_ops_assoc.skel.h"
#include "struct_ops_assoc_reuse.skel.h"
#include "struct_ops_assoc_in_timer.skel.h"
#include "assoc_iter.skel.h"

#ifndef BPF_PROG_ASSOC_STRUCT_OPS
#define BPF_PROG_ASSOC_STRUCT_OPS 38
#endif

void test_struct_ops_assoc(void);

static int failures;
static const char *subtest = "";

bool harness_check(bool ok, const char *what, const char *detail_fmt, long long a, long long b)
{
	char detail[128];

	if (ok) {
		printf("ok - %s: %s\n", subtest, what);
		return true;
	}
	snprintf(detail, sizeof(detail), detail_fmt, a, b);
	printf("not ok - %s: %s: %s\n", subtest, what, detail);
	failures++;
	return false;
}

bool test__start_subtest(const char *name)
{
	subtest = name;
	printf("# subtest %s\n", name);
	fflush(stdout);
	return true;
}

/* BPF_PROG_ASSOC_STRUCT_OPS with the attr as given: { map_fd, prog_fd, flags, then `extra` }. */
static long assoc_raw(int map_fd, int prog_fd, unsigned int flags, unsigned int extra)
{
	unsigned int attr[6] = { (unsigned int)map_fd, (unsigned int)prog_fd, flags, extra, 0, 0 };
	long r = syscall(__NR_bpf, BPF_PROG_ASSOC_STRUCT_OPS, attr, sizeof(attr));

	return r < 0 ? -errno : r;
}

static unsigned int map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_map_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static bool map_id_alive(unsigned int id)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void errno_order(void)
{
	struct struct_ops_assoc *skel = struct_ops_assoc__open_and_load();
	int sys_a, st_prog, map_a, map_b, array, closed;

	if (!ASSERT_OK_PTR(skel, "struct_ops_assoc__open_and_load"))
		return;
	sys_a = bpf_program__fd(skel->progs.syscall_prog_a);
	st_prog = bpf_program__fd(skel->progs.test_1_a);
	map_a = bpf_map__fd(skel->maps.st_ops_map_a);
	map_b = bpf_map__fd(skel->maps.st_ops_map_b);
	array = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfa_plain", 4, 4, 1, NULL);
	closed = dup(0);
	close(closed);
	ASSERT_OK(array < 0, "a plain array map for the checks");

	/* 1 CHECK_ATTR: a non-zero byte after flags, whatever the rest. */
	ASSERT_EQ(assoc_raw(map_a, sys_a, 0, 1), -EINVAL, "non-zero attr after flags, valid fds -> EINVAL");
	ASSERT_EQ(assoc_raw(closed, closed, 0, 1), -EINVAL, "non-zero attr after flags wins over closed fds");
	/* 2 flags */
	ASSERT_EQ(assoc_raw(map_a, sys_a, 1, 0), -EINVAL, "flags != 0 -> EINVAL");
	ASSERT_EQ(assoc_raw(closed, closed, 1, 0), -EINVAL, "flags != 0 wins over closed fds");
	/* 3 the program */
	ASSERT_EQ(assoc_raw(closed, closed, 0, 0), -EBADF, "closed prog_fd -> EBADF (checked before map_fd)");
	ASSERT_EQ(assoc_raw(map_a, map_a, 0, 0), -EINVAL, "prog_fd of a map -> EINVAL");
	/* 4 a struct_ops program */
	ASSERT_EQ(assoc_raw(map_a, st_prog, 0, 0), -EINVAL, "struct_ops program -> EINVAL");
	ASSERT_EQ(assoc_raw(closed, st_prog, 0, 0), -EINVAL, "struct_ops program wins over a closed map_fd");
	/* 5 the map */
	ASSERT_EQ(assoc_raw(closed, sys_a, 0, 0), -EBADF, "closed map_fd -> EBADF");
	ASSERT_EQ(assoc_raw(sys_a, sys_a, 0, 0), -EINVAL, "map_fd of a program -> EINVAL");
	/* 6 not a struct_ops map */
	ASSERT_EQ(assoc_raw(array, sys_a, 0, 0), -EINVAL, "map not struct_ops -> EINVAL");
	/* 7 already associated */
	ASSERT_EQ(assoc_raw(map_a, sys_a, 0, 0), 0, "first association -> 0");
	ASSERT_EQ(assoc_raw(map_a, sys_a, 0, 0), 0, "the same map again -> 0");
	ASSERT_EQ(assoc_raw(map_b, sys_a, 0, 0), -EBUSY, "another map -> EBUSY");
	ASSERT_EQ(assoc_raw(array, sys_a, 0, 0), -EINVAL, "a plain map after association -> EINVAL (map type checked before EBUSY)");
	close(array);
	struct_ops_assoc__destroy(skel);
}

/* An explicitly associated program holds its map: with the map's fd and link gone, the map
 * still exists and the program still reaches its test_1; freeing the program frees the map. */
static void keeps_map_alive(void)
{
	struct struct_ops_assoc *skel = struct_ops_assoc__open_and_load();
	struct bpf_link *link;
	unsigned int id;
	int i;

	if (!ASSERT_OK_PTR(skel, "struct_ops_assoc__open_and_load"))
		return;
	ASSERT_OK(bpf_program__assoc_struct_ops(skel->progs.syscall_prog_a, skel->maps.st_ops_map_a, NULL), "associate syscall_prog_a with st_ops_map_a");
	link = bpf_map__attach_struct_ops(skel->maps.st_ops_map_a);
	if (!ASSERT_OK_PTR(link, "attach st_ops_map_a"))
		goto out;
	id = map_id(bpf_map__fd(skel->maps.st_ops_map_a));
	bpf_link__destroy(link);
	close(bpf_map__fd(skel->maps.st_ops_map_a));
	ASSERT_EQ(map_id_alive(id), 1, "the map lives on after its fd and link are gone");
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.syscall_prog_a), NULL), "run syscall_prog_a");
	ASSERT_EQ(skel->bss->test_err_a, 0, "syscall_prog_a still reaches st_ops_map_a's test_1");
	struct_ops_assoc__destroy(skel);
	skel = NULL;
	/* Freed after RCU grace periods: give the kernel up to 10 s under emulation. */
	for (i = 0; i < 100 && map_id_alive(id); i++)
		usleep(100000);
	ASSERT_EQ(map_id_alive(id), 0, "freeing the program frees the map");
out:
	struct_ops_assoc__destroy(skel);
}

static unsigned int prog_id(const struct bpf_program *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_prog_get_info_by_fd(bpf_program__fd(p), &info, &len) ? 0 : info.id;
}

/* Everything the agent's bpf_prog iterator prints now: "id=N type=0 assoc=STATE name=-" lines. */
static char *iterator_dump(void)
{
	struct assoc_iter *it = assoc_iter__open_and_load();
	struct bpf_link *link = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = -1;

	if (!it)
		return NULL;
	link = bpf_program__attach_iter(it->progs.dump_assoc, NULL);
	if (link)
		fd = bpf_iter_create(bpf_link__fd(link));
	while (fd >= 0) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (buf)
		buf[len] = 0;
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	assoc_iter__destroy(it);
	return buf;
}

/* The iterator's assoc= field for a program: "none", "poisoned", a map id, or "absent". */
static const char *iterated(const char *dump, const struct bpf_program *p, char *out, size_t n)
{
	char key[32];
	const char *line = dump;

	snprintf(key, sizeof(key), "id=%u ", prog_id(p));
	snprintf(out, n, "absent");
	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, strlen(key)))
			continue;
		sscanf(strstr(line, "assoc=") ? strstr(line, "assoc=") + 6 : "?", "%31s", out);
		break;
	}
	return out;
}

static void expect_iterated(const char *dump, const struct bpf_program *p, const char *want, const char *what)
{
	char got[32];

	iterated(dump, p, got, sizeof(got));
	if (!strcmp(got, want))
		printf("ok - %s: %s: iterator says %s\n", subtest, what, got);
	else {
		printf("not ok - %s: %s: iterator says %s, the kernel's kfunc says %s\n", subtest, what, got, want);
		failures++;
	}
}

static void expect_iterated_map(const char *dump, const struct bpf_program *p, const struct bpf_map *m, const char *what)
{
	char want[16];

	snprintf(want, sizeof(want), "%u", map_id(bpf_map__fd(m)));
	expect_iterated(dump, p, want, what);
}

/* The kernel's truth comes from bpf_kfunc_multi_st_ops_test_1_assoc(): each syscall program
 * checks that it reaches test_1 of its own map (MAP_A_MAGIC / MAP_B_MAGIC), the shared test_1
 * checks that it gets -1 (poisoned), an unassociated program gets -1 (none). */
static void iterator_vs_kfunc(void)
{
	struct struct_ops_assoc *two = struct_ops_assoc__open_and_load();
	struct struct_ops_assoc_reuse *reuse = struct_ops_assoc_reuse__open_and_load();
	struct struct_ops_assoc_in_timer *lone = struct_ops_assoc_in_timer__open_and_load();
	char *dump = NULL;

	if (!ASSERT_OK_PTR(two, "open struct_ops_assoc") || !ASSERT_OK_PTR(reuse, "open struct_ops_assoc_reuse") || !ASSERT_OK_PTR(lone, "open struct_ops_assoc_in_timer"))
		goto out;
	ASSERT_OK(bpf_program__assoc_struct_ops(two->progs.syscall_prog_a, two->maps.st_ops_map_a, NULL), "associate two.syscall_prog_a");
	ASSERT_OK(bpf_program__assoc_struct_ops(two->progs.syscall_prog_b, two->maps.st_ops_map_b, NULL), "associate two.syscall_prog_b");
	ASSERT_OK(bpf_program__assoc_struct_ops(reuse->progs.syscall_prog_a, reuse->maps.st_ops_map_a, NULL), "associate reuse.syscall_prog_a");
	if (!ASSERT_OK(struct_ops_assoc__attach(two), "attach two") || !ASSERT_OK(struct_ops_assoc_reuse__attach(reuse), "attach reuse"))
		goto out;
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(two->progs.syscall_prog_a), NULL), "run two.syscall_prog_a");
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(two->progs.syscall_prog_b), NULL), "run two.syscall_prog_b");
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(reuse->progs.syscall_prog_a), NULL), "run reuse.syscall_prog_a");
	ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(lone->progs.syscall_prog), NULL), "run lone.syscall_prog");
	ASSERT_EQ(two->bss->test_err_a, 0, "kfunc: two.syscall_prog_a reaches st_ops_map_a");
	ASSERT_EQ(two->bss->test_err_b, 0, "kfunc: two.syscall_prog_b reaches st_ops_map_b");
	ASSERT_EQ(reuse->bss->test_err_a, 0, "kfunc: reuse.test_1_a (in both maps) gets -1, reuse.syscall_prog_a reaches st_ops_map_a");
	ASSERT_EQ(lone->bss->test_err, 1, "kfunc: the unassociated lone.syscall_prog gets -1");

	dump = iterator_dump();
	if (!ASSERT_OK_PTR(dump, "the agent's bpf_prog iterator runs"))
		goto out;
	expect_iterated_map(dump, two->progs.syscall_prog_a, two->maps.st_ops_map_a, "two.syscall_prog_a explicit with st_ops_map_a");
	expect_iterated_map(dump, two->progs.syscall_prog_b, two->maps.st_ops_map_b, "two.syscall_prog_b explicit with st_ops_map_b");
	expect_iterated_map(dump, two->progs.test_1_a, two->maps.st_ops_map_a, "two.test_1_a auto with st_ops_map_a");
	expect_iterated_map(dump, two->progs.test_1_b, two->maps.st_ops_map_b, "two.test_1_b auto with st_ops_map_b");
	expect_iterated(dump, reuse->progs.test_1_a, "poisoned", "reuse.test_1_a in two maps: poisoned");
	expect_iterated_map(dump, reuse->progs.syscall_prog_a, reuse->maps.st_ops_map_a, "reuse.syscall_prog_a explicit with st_ops_map_a");
	expect_iterated(dump, reuse->progs.syscall_prog_b, "none", "reuse.syscall_prog_b never associated: none");
	expect_iterated(dump, lone->progs.syscall_prog, "none", "lone.syscall_prog never associated: none");
out:
	free(dump);
	struct_ops_assoc_in_timer__destroy(lone);
	struct_ops_assoc_reuse__destroy(reuse);
	struct_ops_assoc__destroy(two);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_struct_ops_assoc();
	if (test__start_subtest("bpf_assoc_errno_order"))
		errno_order();
	if (test__start_subtest("bpf_assoc_keeps_map_alive"))
		keeps_map_alive();
	if (test__start_subtest("bpf_assoc_iterator_vs_kfunc"))
		iterator_vs_kfunc();
	printf("BPF-ASSOC-SELFTESTS failures=%d\n", failures);
	return failures ? 1 : 0;
}
