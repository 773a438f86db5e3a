/* SPDX-License-Identifier: GPL-2.0 */
/* The struct_ops type of the language server's test workspace. These objects are compiled (the
 * code actions and skeleton tests build them with clang and bpftool) but never loaded into a
 * kernel, so the type only needs two program slots: Linux 7.3's bpf_testmod_multi_st_ops has one
 * (test/fixtures/include/st_ops.h, included first, has the real kernel types and st_ops_args). */
#ifndef EDITOR_TEST_ST_OPS_H
#define EDITOR_TEST_ST_OPS_H

struct editor_test_ops {
	int (*test_1)(struct st_ops_args *args);
	int (*test_2)(struct st_ops_args *args);
};

#endif
