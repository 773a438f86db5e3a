/* SPDX-License-Identifier: MIT */
/* The user-space side of the sched_ext loader conventions that sched/fifo.c uses: open the
 * skeleton, load it and associate every program that is not a struct_ops program with the
 * scheduler's ops map (so that kfuncs called from them find their scheduler), attach the map.
 * Written for this example after the behaviour of sched_ext's own <scx/common.h> (compat.h),
 * which a real scheduler includes instead. Needs libbpf >= 1.7 (bpf_program__assoc_struct_ops). */
#ifndef EXAMPLES_SCX_COMMON_USER_H
#define EXAMPLES_SCX_COMMON_USER_H
#include <stdio.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define SCX_FAIL(...)                                 \
	do {                                          \
		fprintf(stderr, "scx: " __VA_ARGS__); \
		fputc('\n', stderr);                  \
		exit(1);                              \
	} while (0)

/* Opens the skeleton NAME; exits when it cannot. */
#define SCX_OPS_OPEN(ops, name) ({                                  \
	struct name *__skel = name##__open();                       \
	if (!__skel)                                                \
		SCX_FAIL("cannot open the skeleton " #name);        \
	__skel;                                                     \
})

/* Associates each non-struct_ops program of obj with the map ops; a failure is reported, not fatal
 * (a kernel without BPF_PROG_ASSOC_STRUCT_OPS answers EINVAL and the scheduler still runs). */
static inline void scx_associate_programs(struct bpf_object *obj, struct bpf_map *ops, const char *ops_name)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS)
			continue;
		err = bpf_program__assoc_struct_ops(prog, ops, NULL);
		if (err)
			fprintf(stderr, "scx: associating %s with %s failed: %d\n", bpf_program__name(prog), ops_name, err);
	}
}

/* Loads the skeleton, then associates its other programs with the ops map. The user-exit-info
 * argument of sched_ext's macro is accepted and unused: this example has none. */
#define SCX_OPS_LOAD(skel, ops, name, uei) ({                                   \
	if (name##__load(skel))                                                 \
		SCX_FAIL("cannot load the skeleton " #name);                    \
	scx_associate_programs((skel)->obj, (skel)->maps.ops, #ops);            \
})

/* Registers the scheduler; returns its link. */
#define SCX_OPS_ATTACH(skel, ops, name) ({                                      \
	struct bpf_link *__link = bpf_map__attach_struct_ops((skel)->maps.ops); \
	if (!__link)                                                            \
		SCX_FAIL("cannot attach " #ops);                                \
	__link;                                                                 \
})
#endif
