// SPDX-License-Identifier: MIT
/* The object's programs and maps as the report lists them, with each program's association as read back. */
#include "steps.h"

#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "observe.h"

/* The name of the object's map with this id, or NULL (a map of another object). */
static const char *map_name_by_id(struct bpf_object *obj, unsigned int id)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_map__fd(map);

		if (fd >= 0 && !bpf_map_get_info_by_fd(fd, &info, &len) && info.id == id)
			return bpf_map__name(map);
	}
	return NULL;
}

static void write_association(struct json *j, struct bpf_object *obj, const struct assoc_seen *seen)
{
	json_object(j, "association");
	if (strcmp(seen->state, "map")) {
		json_str(j, "state", seen->state);
	} else {
		json_str(j, "state", "associated");
		json_int(j, "mapId", seen->map_id);
		json_str(j, "map", map_name_by_id(obj, seen->map_id));
	}
	json_end_object(j);
}

void list_programs(struct json *j, struct bpf_object *obj, const struct assoc_observation *obs)
{
	struct bpf_program *prog;

	json_array(j, "programs");
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		json_object(j, NULL);
		json_str(j, "name", bpf_program__name(prog));
		json_str(j, "section", bpf_program__section_name(prog));
		json_str(j, "type", libbpf_bpf_prog_type_str(bpf_program__type(prog)));
		json_bool(j, "autoload", bpf_program__autoload(prog));
		json_bool(j, "loaded", fd >= 0);
		if (fd >= 0 && !bpf_prog_get_info_by_fd(fd, &info, &len)) {
			const struct assoc_seen *seen = observed_prog(obs, info.id);

			json_int(j, "id", info.id);
			if (seen)
				write_association(j, obj, seen);
		}
		json_end_object(j);
	}
	json_end_array(j);
}

void list_maps(struct json *j, struct bpf_object *obj)
{
	struct bpf_map *map;

	json_array(j, "maps");
	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_map__fd(map);

		json_object(j, NULL);
		json_str(j, "name", bpf_map__name(map));
		json_str(j, "type", libbpf_bpf_map_type_str(bpf_map__type(map)));
		json_bool(j, "autocreate", bpf_map__autocreate(map));
		if (fd >= 0 && !bpf_map_get_info_by_fd(fd, &info, &len) && info.id) {
			json_bool(j, "created", true);
			json_int(j, "id", info.id);
		} else {
			json_bool(j, "created", false);
		}
		json_end_object(j);
	}
	json_end_array(j);
}
