// Which declared kfuncs the model counts as reading the caller's struct_ops association.
import { strict as assert } from 'node:assert';
import { Workspace } from '../../server/src/analysis/workspace';

const DECLS = `
extern int bpf_kfunc_multi_st_ops_test_1_impl(struct st_ops_args *args, void *aux__prog) __ksym;
extern s32 scx_bpf_thing(u64 flags, struct bpf_prog_aux *aux) __ksym __weak;
extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args, __u32 len__sz, void *aux__prog) __ksym;
extern int bpf_task_work_schedule_signal_impl(struct task_struct *task, struct bpf_task_work *tw, void *map__map, bpf_task_work_callback_t callback, void *aux__prog) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags, void *aux__prog) __ksym;
extern int bpf_plain(int a) __ksym;
`;

function dependent(options: { extraKfuncs?: string[] } = {}): string[] {
  const ws = new Workspace();
  ws.setFile('/w/vmlinux.h', DECLS);
  const names = ws.model(options).kfuncs.map((k) => k.name);
  ws.dispose();
  return names;
}

describe('association-dependent kfuncs from declarations', () => {
  it('a __prog or struct bpf_prog_aux * parameter counts, with the _impl twin giving its base name', () => {
    const names = dependent();
    for (const k of ['bpf_kfunc_multi_st_ops_test_1', 'bpf_kfunc_multi_st_ops_test_1_impl', 'scx_bpf_thing']) assert.ok(names.includes(k), k);
    assert.ok(!names.includes('bpf_plain'));
  });

  it('kfuncs known to take the aux for their stream or a callback do not, unless the setting lists them', () => {
    const names = dependent();
    for (const other of ['bpf_stream_vprintk_impl', 'bpf_stream_vprintk', 'bpf_task_work_schedule_signal_impl', 'bpf_wq_set_callback_impl']) {
      assert.ok(!names.includes(other), other);
    }
    assert.ok(dependent({ extraKfuncs: ['bpf_stream_vprintk'] }).includes('bpf_stream_vprintk'));
  });
});
