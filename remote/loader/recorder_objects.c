// SPDX-License-Identifier: MIT
/* The skeleton objects the loader opened, and the names the log gives their programs and maps. */
#include <stdio.h>
#include <string.h>

#include "recorder.h"

struct recorded_object objects[MAX_OBJECTS];
int n_objects;

struct recorded_object *object_of_skeleton(const struct bpf_object_skeleton *s)
{
	for (int i = 0; i < n_objects; i++)
		if (objects[i].skel == s)
			return &objects[i];
	return NULL;
}

struct recorded_object *object_of_program(const struct bpf_program *prog, int prog_fd)
{
	for (int i = 0; i < n_objects; i++) {
		struct bpf_program *p;

		if (!objects[i].obj)
			continue;
		bpf_object__for_each_program(p, objects[i].obj)
			if (prog ? p == prog : prog_fd >= 0 && bpf_program__fd(p) == prog_fd)
				return &objects[i];
	}
	return NULL;
}

const char *program_name(struct recorded_object *o, int prog_fd, char *buf, size_t size)
{
	struct bpf_program *p;

	if (o)
		bpf_object__for_each_program(p, o->obj)
			if (bpf_program__fd(p) == prog_fd)
				return clean(bpf_program__name(p), buf, size);
	snprintf(buf, size, "fd:%d", prog_fd);
	return buf;
}

const char *map_name_by_fd(int map_fd, char *buf, size_t size)
{
	for (int i = 0; i < n_objects; i++) {
		struct bpf_map *m;

		if (!objects[i].obj)
			continue;
		bpf_object__for_each_map(m, objects[i].obj)
			if (map_fd >= 0 && bpf_map__fd(m) == map_fd)
				return clean(bpf_map__name(m), buf, size);
	}
	snprintf(buf, size, "fd:%d", map_fd);
	return buf;
}

const char *object_name_of_map(const struct bpf_map *map)
{
	for (int i = 0; i < n_objects; i++) {
		struct bpf_map *m;

		if (objects[i].obj)
			bpf_object__for_each_map(m, objects[i].obj)
				if (m == map)
					return objects[i].name;
	}
	return "-";
}

void list_object(struct recorded_object *o)
{
	struct bpf_program *p;
	struct bpf_map *m;
	char a[256], b[256];

	bpf_object__for_each_program(p, o->obj) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len))
			info.id = 0;
		emit("prog\t%s\t%s\t%s\t%s\t%d\t%d\t%u", o->name, clean(bpf_program__name(p), a, sizeof(a)),
		     clean(bpf_program__section_name(p), b, sizeof(b)), libbpf_bpf_prog_type_str(bpf_program__type(p)),
		     bpf_program__autoload(p), fd >= 0, info.id);
	}
	bpf_object__for_each_map(m, o->obj) {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_map__fd(m);

		/* A map that was not created has libbpf's placeholder fd: no info, id 0. */
		if (fd < 0 || bpf_map_get_info_by_fd(fd, &info, &len))
			info.id = 0;
		emit("map\t%s\t%s\t%s\t%d\t%u", o->name, clean(bpf_map__name(m), a, sizeof(a)),
		     libbpf_bpf_map_type_str(bpf_map__type(m)), bpf_map__autocreate(m), info.id);
	}
}

void at_exit(void)
{
	/* Objects the loader never destroyed are still alive here. */
	for (int i = 0; i < n_objects; i++) {
		if (objects[i].obj && strcmp(objects[i].phase, "opened")) {
			checkpoint("exit", NULL);
			return;
		}
	}
}
