/* SPDX-License-Identifier: GPL-2.0 */
/* The test kernel's kfuncs (patch 0002), as BPF programs declare them. */
#ifndef BPF_ASSOC_KFUNCS_H
#define BPF_ASSOC_KFUNCS_H

/* Linux 7.0 shape: the calling program's aux is an implicit argument. */
extern __u32 bpf_kfunc_assoc_map_id(void) __ksym;
extern int bpf_kfunc_multi_st_ops_test_1_assoc(struct st_ops_args *args) __ksym;
/* Pre-7.0 shape: a "__prog" argument that the verifier fills in; BPF passes NULL. */
extern __u32 bpf_kfunc_assoc_map_id_impl(void *aux__prog) __ksym;
extern int bpf_kfunc_multi_st_ops_test_1_impl(struct st_ops_args *args, void *aux__prog) __ksym;

#endif
