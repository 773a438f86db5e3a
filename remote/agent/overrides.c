// SPDX-License-Identifier: MIT
/*
 * What a loader changes between open and load: autoload, autocreate, and struct_ops slots
 * re-pointed through the skeleton (skel->struct_ops.M->slot = skel->progs.P, or NULL).
 */
#include "steps.h"

#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/*
 * A skeleton's struct_ops shadow is bpf_map__initial_value() of the map: the map's struct as
 * compiled, with each function-pointer member holding a struct bpf_program *. Writing a
 * member is what `skel->struct_ops.M->slot = P` does; libbpf reads it back at load.
 */
static int repoint_slot(struct bpf_object *obj, const struct slot_assign *s)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, s->map);
	struct bpf_program *prog = NULL;
	const struct btf_member *m;
	const struct btf_type *t;
	const struct btf *btf;
	size_t size = 0;
	char *data;
	int id;

	if (!map || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return ENOENT;
	if (s->prog && !(prog = bpf_object__find_program_by_name(obj, s->prog)))
		return ENOENT;
	btf = bpf_object__btf(obj);
	data = bpf_map__initial_value(map, &size);
	if (!btf || !data)
		return EINVAL;
	id = btf__resolve_type(btf, bpf_map__btf_value_type_id(map));
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!t || !btf_is_composite(t))
		return EINVAL;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		unsigned int off = btf_member_bit_offset(t, i) / 8;

		if (!name || strcmp(name, s->member))
			continue;
		if (off + sizeof(prog) > size)
			return EINVAL;
		memcpy(data + off, &prog, sizeof(prog));
		return 0;
	}
	return ENOENT;
}

void apply_overrides(struct bpf_object *obj, const struct agent_plan *plan, int *slot_err)
{
	for (int i = 0; i < plan->n_autoload; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, plan->autoload[i].name);
		if (p)
			bpf_program__set_autoload(p, plan->autoload[i].value);
	}
	for (int i = 0; i < plan->n_autocreate; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, plan->autocreate[i].name);
		if (m)
			bpf_map__set_autocreate(m, plan->autocreate[i].value);
	}
	for (int i = 0; i < plan->n_slots; i++)
		slot_err[i] = repoint_slot(obj, &plan->slots[i]);
}

void write_slots(struct json *j, const struct agent_plan *plan, const int *slot_err, bool applied)
{
	json_array(j, "slots");
	for (int i = 0; i < plan->n_slots; i++) {
		json_object(j, NULL);
		json_str(j, "map", plan->slots[i].map);
		json_str(j, "member", plan->slots[i].member);
		json_str(j, "program", plan->slots[i].prog);
		json_bool(j, "performed", applied);
		if (applied) {
			json_bool(j, "ok", !slot_err[i]);
			json_errno(j, "errno", slot_err[i]);
		}
		json_end_object(j);
	}
	json_end_array(j);
}
