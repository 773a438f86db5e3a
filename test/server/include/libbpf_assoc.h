/* The libbpf 1.7 association API (bpf.h and libbpf.h of libbpf v1.7.0), declared for compiling
 * loaders in tests against an older system libbpf (Debian 12 ships 1.4). Included with -include. */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#ifndef bpf_prog_assoc_struct_ops_opts__last_field
struct bpf_prog_assoc_struct_ops_opts {
	size_t sz;
	__u32 flags;
	size_t :0;
};
#define bpf_prog_assoc_struct_ops_opts__last_field flags

LIBBPF_API int bpf_prog_assoc_struct_ops(int prog_fd, int map_fd, struct bpf_prog_assoc_struct_ops_opts *opts);
LIBBPF_API int bpf_program__assoc_struct_ops(struct bpf_program *prog, struct bpf_map *map,
					     struct bpf_prog_assoc_struct_ops_opts *opts);
#endif
