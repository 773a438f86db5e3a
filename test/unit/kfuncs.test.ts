// Which declared kfuncs count as reading the caller's struct_ops association.
import { strict as assert } from 'node:assert';
import { scanKfuncDecls } from '../../server/src/analysis/kfuncs';

const DECLS = `
extern int bpf_kfunc_multi_st_ops_test_1_impl(struct st_ops_args *args, void *aux__prog) __ksym;
extern s32 scx_bpf_thing(u64 flags, struct bpf_prog_aux *aux) __ksym __weak;
extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args, __u32 len__sz, void *aux__prog) __ksym;
extern int bpf_task_work_schedule_signal_impl(struct task_struct *task, struct bpf_task_work *tw, void *map__map, bpf_task_work_callback_t callback, void *aux__prog) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags, void *aux__prog) __ksym;
extern int bpf_plain(int a) __ksym;
`;

describe('association-dependent kfuncs from declarations', () => {
  it('a __prog or struct bpf_prog_aux * parameter counts, with the _impl twin giving its base name', () => {
    const names = scanKfuncDecls(DECLS, '/w/vmlinux.h').map((d) => d.name).sort();
    assert.deepEqual(names, ['bpf_kfunc_multi_st_ops_test_1', 'bpf_kfunc_multi_st_ops_test_1_impl', 'scx_bpf_thing']);
  });

  it('kfuncs known to take the aux for their stream or a callback do not', () => {
    const names = scanKfuncDecls(DECLS, '/w/vmlinux.h').map((d) => d.name);
    for (const other of ['bpf_stream_vprintk_impl', 'bpf_stream_vprintk', 'bpf_task_work_schedule_signal_impl', 'bpf_wq_set_callback_impl', 'bpf_plain']) {
      assert.ok(!names.includes(other), other);
    }
  });
});
