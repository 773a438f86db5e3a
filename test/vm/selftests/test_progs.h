/* SPDX-License-Identifier: MIT */
/* The few pieces of the kernel selftests' test_progs harness that the upstream
 * prog_tests/test_struct_ops_assoc.c uses (ASSERT_*, subtests, sys_gettid, READ_ONCE), so that test
 * runs as it is, linked with runner.c, on the built-in VM's real kernel. Written for bpf-assoc; the
 * upstream test itself is taken from Debian's linux-source package at build time (build.sh). */
#ifndef BPF_ASSOC_TEST_PROGS_H
#define BPF_ASSOC_TEST_PROGS_H
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Prints "ok - WHAT" or "not ok - WHAT: DETAIL" and counts failures; returns ok. */
bool harness_check(bool ok, const char *what, const char *detail_fmt, long long a, long long b);
/* Starts a subtest; every subtest runs. */
bool test__start_subtest(const char *name);

#define ASSERT_OK(res, name) ({ long long ___r = (res); harness_check(___r == 0, (name), "got %lld, expected 0", ___r, 0); })
#define ASSERT_ERR(res, name) ({ long long ___r = (res); harness_check(___r < 0, (name), "got %lld, expected an error", ___r, 0); })
#define ASSERT_EQ(a, b, name) ({ long long ___a = (a), ___b = (b); harness_check(___a == ___b, (name), "got %lld, expected %lld", ___a, ___b); })
#define ASSERT_OK_PTR(p, name) ({ const void *___p = (p); harness_check(___p != NULL && !libbpf_get_error(___p), (name), "got NULL (errno %lld)", errno, 0); })
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))

static inline pid_t sys_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}
#endif
