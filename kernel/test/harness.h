/* SPDX-License-Identifier: MIT */
/* Checks, raw BPF_PROG_ASSOC_STRUCT_OPS calls and read-backs shared by the test kernel's
 * self-test scenarios. */
#ifndef BPF_ASSOC_HARNESS_H
#define BPF_ASSOC_HARNESS_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "progs/assoc_obs.h"

#define BPF_PROG_ASSOC_STRUCT_OPS_CMD 38

/* One check: prints "ok - ..." or "not ok - ...", counts failures. */
void expect_long(const char *what, long got, long want);
void expect_str(const char *what, const char *got, const char *want);
int harness_summary(void);

/* bpf(BPF_PROG_ASSOC_STRUCT_OPS) with attr {map_fd, prog_fd, flags}: 0 or -errno. */
int assoc_raw(int map_fd, int prog_fd, unsigned int flags);
/* The same command with an attr of @size bytes taken from @attr: 0 or -errno. */
int bpf_cmd_raw(int cmd, const void *attr, unsigned int size);

/* A loaded object from DIR/NAME.bpf.o and its `obs` (.bss, mmapped). */
struct loaded {
	struct bpf_object *obj;
	volatile struct assoc_obs *obs;
};
int load_object(const char *dir, const char *name, struct loaded *out);
int prog_fd(const struct loaded *l, const char *name);
int map_fd(const struct loaded *l, const char *name);
struct bpf_map *map_of(const struct loaded *l, const char *name);
unsigned int prog_id_of(int fd);
unsigned int map_id_of(int fd);
int run_syscall_prog(const struct loaded *l, const char *name);
/* Drop this process's reference behind @fd, keeping the number taken (libbpf closes it later). */
void drop_fd(int fd);

/* The program's line in /sys/kernel/debug/bpf_struct_ops_assoc: "none", "poisoned", "freed",
 * a map id, or "absent". */
const char *debugfs_assoc(unsigned int prog_id, char *buf, size_t len);
const char *id_str(unsigned int id, char *buf, size_t len);
bool map_id_exists(unsigned int map_id);

/* Polls @cond(arg) every 10 ms until it holds or @timeout_ms passes. */
bool wait_for(bool (*cond)(const void *arg), const void *arg, int timeout_ms);

#endif
