// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "harness.h"

static int checks, failures;

void expect_long(const char *what, long got, long want)
{
	checks++;
	if (got == want) {
		printf("ok - %s: %ld\n", what, got);
	} else {
		failures++;
		printf("not ok - %s: got %ld, want %ld\n", what, got, want);
	}
	fflush(stdout);
}

void expect_str(const char *what, const char *got, const char *want)
{
	checks++;
	if (!strcmp(got, want)) {
		printf("ok - %s: %s\n", what, got);
	} else {
		failures++;
		printf("not ok - %s: got %s, want %s\n", what, got, want);
	}
	fflush(stdout);
}

int harness_summary(void)
{
	printf("# %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}

int bpf_cmd_raw(int cmd, const void *attr, unsigned int size)
{
	long r = syscall(__NR_bpf, cmd, attr, size);

	return r < 0 ? -errno : (int)r;
}

int assoc_raw(int map_fd, int prog_fd, unsigned int flags)
{
	unsigned int attr[3] = { (unsigned int)map_fd, (unsigned int)prog_fd, flags };

	return bpf_cmd_raw(BPF_PROG_ASSOC_STRUCT_OPS_CMD, attr, sizeof(attr));
}

int load_object(const char *dir, const char *name, struct loaded *out)
{
	char path[512];
	struct bpf_map *bss;
	size_t size;
	void *mem;
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, name);
	out->obj = bpf_object__open_file(path, NULL);
	if (!out->obj) {
		printf("# cannot open %s: %d\n", path, -errno);
		return -1;
	}
	err = bpf_object__load(out->obj);
	if (err) {
		printf("# cannot load %s: %d\n", path, err);
		return -1;
	}
	/* libbpf 1.4 leaves bpf_map__initial_value() on its private copy unless a skeleton
	 * remaps it, so map the kernel's .bss array directly. */
	bss = bpf_object__find_map_by_name(out->obj, ".bss");
	size = bss ? bpf_map__value_size(bss) : 0;
	if (size < sizeof(struct assoc_obs)) {
		printf("# %s: no .bss holding struct assoc_obs\n", path);
		return -1;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(bss), 0);
	if (mem == MAP_FAILED) {
		printf("# %s: cannot mmap .bss: %d\n", path, -errno);
		return -1;
	}
	out->obs = mem;
	return 0;
}

int prog_fd(const struct loaded *l, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(l->obj, name);

	return p ? bpf_program__fd(p) : -1;
}

struct bpf_map *map_of(const struct loaded *l, const char *name)
{
	return bpf_object__find_map_by_name(l->obj, name);
}

int map_fd(const struct loaded *l, const char *name)
{
	struct bpf_map *m = map_of(l, name);

	return m ? bpf_map__fd(m) : -1;
}

unsigned int prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_prog_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

unsigned int map_id_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_map_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int run_syscall_prog(const struct loaded *l, const char *name)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err = bpf_prog_test_run_opts(prog_fd(l, name), &opts);

	return err ? err : (int)opts.retval;
}

void drop_fd(int fd)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, fd) < 0)
		close(fd);
	if (null >= 0)
		close(null);
}

const char *debugfs_assoc(unsigned int prog_id, char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/debug/bpf_struct_ops_assoc", "r");
	char line[256], want[32], *assoc;

	snprintf(buf, len, "absent");
	if (!f)
		return buf;
	snprintf(want, sizeof(want), "id=%u ", prog_id);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)) || !(assoc = strstr(line, "assoc=")))
			continue;
		assoc += strlen("assoc=");
		snprintf(buf, len, "%.*s", (int)strcspn(assoc, " \n"), assoc);
		break;
	}
	fclose(f);
	return buf;
}

const char *id_str(unsigned int id, char *buf, size_t len)
{
	snprintf(buf, len, "%u", id);
	return buf;
}

bool map_id_exists(unsigned int map_id)
{
	int fd = bpf_map_get_fd_by_id(map_id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool wait_for(bool (*cond)(const void *arg), const void *arg, int timeout_ms)
{
	struct timespec start, now, tick = { 0, 10 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (cond(arg))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > timeout_ms)
			return false;
		nanosleep(&tick, NULL);
	}
}
