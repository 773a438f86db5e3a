// SPDX-License-Identifier: MIT
/* Self-test of the bpf-assoc test kernel, run as the init program's child inside the VM:
 * every explicit-association errno and the order of the checks, then the association
 * scenarios of the kernel's own selftests (scenarios.c). Usage: assoc-selftest DIR
 * (DIR holds the compiled *.bpf.o). Prints TAP-like "ok"/"not ok" lines; exits 1 on any
 * failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "harness.h"
#include "scenarios.h"

/* Every answer of BPF_PROG_ASSOC_STRUCT_OPS, and which check wins when several fail. */
static void errno_cases(const char *dir)
{
	unsigned int attr16[4], zero[3] = { 0, 0, 0 };
	static unsigned char big[1024];
	struct loaded l;
	int P, S, A, B, M, devnull;
	char buf[32], want[32];

	expect_long("probe: prog_fd -1 -> EBADF (the kernel knows command 38)", assoc_raw(0, -1, 0), -EBADF);
	expect_long("command 37 (reserved here) -> EINVAL", bpf_cmd_raw(37, zero, sizeof(zero)), -EINVAL);
	expect_long("command 39 (unknown) -> EINVAL", bpf_cmd_raw(39, zero, sizeof(zero)), -EINVAL);
	if (load_object(dir, "assoc_basic", &l)) {
		expect_long("load assoc_basic.bpf.o", -1, 0);
		return;
	}
	P = prog_fd(&l, "errno_prog");
	S = prog_fd(&l, "test_1_a");
	A = map_fd(&l, "st_ops_map_a");
	B = map_fd(&l, "st_ops_map_b");
	M = map_fd(&l, "plain_array");
	devnull = open("/dev/null", O_RDONLY);

	/* 1-2. flags (and anything after prog_fd) first */
	expect_long("flags=1 with bad fds -> EINVAL (flags before fds)", assoc_raw(-1, -1, 1), -EINVAL);
	expect_long("flags=1 with a good prog and map -> EINVAL", assoc_raw(A, P, 1), -EINVAL);
	attr16[0] = A, attr16[1] = P, attr16[2] = 0, attr16[3] = 1;
	expect_long("non-zero attr byte after flags -> EINVAL", bpf_cmd_raw(38, attr16, sizeof(attr16)), -EINVAL);
	memcpy(big, attr16, 12);
	big[sizeof(big) - 1] = 1;
	expect_long("non-zero byte past union bpf_attr -> E2BIG", bpf_cmd_raw(38, big, sizeof(big)), -E2BIG);
	/* 3-4. the program */
	expect_long("bad prog fd, non-struct_ops map -> EBADF (prog before map)", assoc_raw(M, -1, 0), -EBADF);
	expect_long("closed prog fd 1000 -> EBADF", assoc_raw(A, 1000, 0), -EBADF);
	expect_long("prog fd that is a map -> EINVAL", assoc_raw(A, A, 0), -EINVAL);
	expect_long("prog fd that is /dev/null -> EINVAL", assoc_raw(A, devnull, 0), -EINVAL);
	expect_long("struct_ops prog, bad map fd -> EINVAL (prog type before map fd)", assoc_raw(-1, S, 0), -EINVAL);
	expect_long("struct_ops prog, struct_ops map -> EINVAL", assoc_raw(A, S, 0), -EINVAL);
	/* 5-6. the map */
	expect_long("bad map fd -> EBADF", assoc_raw(-1, P, 0), -EBADF);
	expect_long("map fd that is a program -> EINVAL", assoc_raw(P, P, 0), -EINVAL);
	expect_long("map fd that is /dev/null -> EINVAL", assoc_raw(devnull, P, 0), -EINVAL);
	expect_long("non-struct_ops map -> EINVAL", assoc_raw(M, P, 0), -EINVAL);
	expect_str("debugfs: errno_prog before any success", debugfs_assoc(prog_id_of(P), buf, sizeof(buf)), "none");
	/* 7. the association itself */
	expect_long("unassociated prog, struct_ops map -> 0", assoc_raw(A, P, 0), 0);
	expect_long("same map again -> 0", assoc_raw(A, P, 0), 0);
	expect_long("a different map -> EBUSY", assoc_raw(B, P, 0), -EBUSY);
	expect_long("already associated, non-struct_ops map -> EINVAL (map type before EBUSY)", assoc_raw(M, P, 0), -EINVAL);
	expect_long("already associated, bad map fd -> EBADF", assoc_raw(-1, P, 0), -EBADF);
	expect_long("already associated, flags=1 -> EINVAL (flags before EBUSY)", assoc_raw(B, P, 1), -EINVAL);
	expect_str("debugfs: errno_prog associated with map a", debugfs_assoc(prog_id_of(P), buf, sizeof(buf)),
		   id_str(map_id_of(A), want, sizeof(want)));
	close(devnull);
	bpf_object__close(l.obj);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# errno cases\n");
	errno_cases(dir);
	printf("# scenario: two maps, explicit syscall and tracing programs\n");
	scenario_two_maps(dir);
	printf("# scenario: one struct_ops program in two maps\n");
	scenario_reuse(dir);
	printf("# scenario: timer armed by a struct_ops program\n");
	scenario_timer(dir);
	printf("# scenario: timer fires after the map is gone\n");
	scenario_timer_map_gone(dir);
	printf("# scenario: explicit association keeps the map alive\n");
	scenario_keepalive(dir);
	return harness_summary();
}
