// Synthetic but realistic libbpf workspaces for the benchmark: sched_ext-style BPF sources with
// maps, struct_ops programs, helpers and kfunc calls, and skeleton loaders.

const HEADER = `#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;
struct task_struct;
struct sched_ext_ops {
	s32 (*select_cpu)(struct task_struct *p, s32 prev_cpu, u64 wake_flags);
	void (*enqueue)(struct task_struct *p, u64 enq_flags);
	void (*dispatch)(s32 cpu, struct task_struct *prev);
	void (*running)(struct task_struct *p);
	void (*stopping)(struct task_struct *p, bool runnable);
	s32 (*init)(void);
	void (*exit)(void *ei);
	char name[128];
};
#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/"#name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/"#name) BPF_PROG(name, ##args)
#define SCX_OPS_DEFINE(__name, ...) SEC(".struct_ops.link") struct sched_ext_ops __name = { __VA_ARGS__, };
void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_to_local(u64 dsq_id) __ksym __weak;
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym __weak;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym __weak;
#endif
`;

function programBlock(prefix: string, k: number): string {
  return `
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} ${prefix}_stats_${k} SEC(".maps");

static __always_inline u64 ${prefix}_weight_${k}(struct task_struct *p, u64 base)
{
	u64 w = base;
	int i;

	for (i = 0; i < 8; i++) {
		if (w > 1000)
			w = w / 2 + i;
		else
			w = w * 3 + 1;
	}
	return w;
}

static void ${prefix}_account_${k}(u32 key, u64 delta)
{
	u64 *v = bpf_map_lookup_elem(&${prefix}_stats_${k}, &key);

	if (v)
		__sync_fetch_and_add(v, delta);
}

void BPF_STRUCT_OPS(${prefix}_enqueue_${k}, struct task_struct *p, u64 enq_flags)
{
	u64 w = ${prefix}_weight_${k}(p, enq_flags);

	${prefix}_account_${k}(0, w);
	scx_bpf_dsq_insert(p, ${k}, 20000000ULL / (w + 1), enq_flags);
}

void BPF_STRUCT_OPS(${prefix}_dispatch_${k}, s32 cpu, struct task_struct *prev)
{
	if (!scx_bpf_dsq_move_to_local(${k}))
		${prefix}_account_${k}(1, 1);
}

void BPF_STRUCT_OPS(${prefix}_running_${k}, struct task_struct *p)
{
	${prefix}_account_${k}(2, 1);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(${prefix}_on_wakeup_${k}, struct task_struct *p)
{
	scx_bpf_kick_cpu(${k} % 4, 0);
	return 0;
}
`;
}

function bpfSource(name: string, blocks: number): string {
  const parts = [`// Generated for the benchmark: object ${name}.\n#include "bench_common.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n`];
  for (let k = 0; k < blocks; k++) parts.push(programBlock(name, k));
  parts.push(`
s32 BPF_STRUCT_OPS_SLEEPABLE(${name}_init)
{
	return scx_bpf_create_dsq(0, -1);
}

SEC("syscall")
int ${name}_kick(void *ctx)
{
	scx_bpf_kick_cpu(0, 0);
	return 0;
}

SCX_OPS_DEFINE(${name}_ops,
	       .enqueue = (void *)${name}_enqueue_0,
	       .dispatch = (void *)${name}_dispatch_0,
	       .running = (void *)${name}_running_0,
	       .init = (void *)${name}_init,
	       .name = "${name}");
`);
  for (let k = 1; k < blocks; k++) {
    parts.push(`
SEC("?.struct_ops.link")
struct sched_ext_ops ${name}_alt_${k} = {
	.enqueue = (void *)${name}_enqueue_${k},
	.dispatch = (void *)${name}_dispatch_${k},
	.running = (void *)${name}_running_${k},
	.name = "${name}_alt_${k}",
};
`);
  }
  parts.push('\nchar _license[] SEC("license") = "GPL";\n');
  return parts.join('');
}

function loaderSource(name: string): string {
  return `// Generated loader for ${name}.
#include <stdio.h>
#include <bpf/libbpf.h>
#include "${name}.skel.h"

static int configure(struct ${name} *skel)
{
	return bpf_map__set_autoattach(skel->maps.${name}_ops, true);
}

int main(int argc, char **argv)
{
	struct ${name} *skel;
	int err;

	skel = ${name}__open();
	if (!skel) {
		fprintf(stderr, "failed to open\\n");
		return 1;
	}
	err = configure(skel);
	if (err)
		goto out;
	err = ${name}__load(skel);
	if (err)
		goto out;
	err = bpf_program__assoc_struct_ops(skel->progs.${name}_kick, skel->maps.${name}_ops, NULL);
	if (err)
		fprintf(stderr, "assoc: %d\\n", err);
	err = ${name}__attach(skel);
out:
	${name}__destroy(skel);
	return err ? 1 : 0;
}
`;
}

/** `count` BPF objects: a source (about 300 lines) and a loader each, plus a shared header. */
export function generateWorkspace(count: number): Map<string, string> {
  const files = new Map<string, string>();
  files.set('/bench/include/bench_common.h', HEADER);
  for (let i = 0; i < count; i++) {
    const name = `sched${i}`;
    files.set(`/bench/${name}/${name}.bpf.c`, bpfSource(name, 4));
    files.set(`/bench/${name}/${name}.c`, loaderSource(name));
  }
  return files;
}

/** One BPF source of about `lines` lines. */
export function generateLargeSource(lines: number): string {
  const blocks = Math.max(1, Math.round(lines / 62));
  return bpfSource('large', blocks);
}
