/* SPDX-License-Identifier: MIT */
/* bpf_testmod.h includes <linux/types.h>; in a BPF program vmlinux.h already has the kernel's types,
 * and the host's uapi header would define them a second time, differently. */
