// SPDX-License-Identifier: MIT
// Opens and loads one BPF object with libbpf, prints libbpf's messages on stderr and closes it
// again: nothing is pinned or attached, and everything is freed when the object is closed.
//   libbpf-load OBJECT      exit 0 loaded, 1 refused by libbpf or the kernel, 2 usage
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
		return 2;
	}
	libbpf_set_print(print);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "open failed\n");
		return 1;
	}
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
