// A structural attack on call-graph reachability (issue 12, defect 1): P programs, each calling one
// subprogram that makes K calls to association-dependent kfuncs. Every program reaches all K calls,
// so anything that copies a program's reachable calls costs P×K. Generated as C and compiled with
// the real clang -target bpf at test time, into a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** C source: `programs` tc programs, each calling `fan_out()`, which calls `kfuncs` distinct kfuncs. */
export function fanOutSource(programs: number, kfuncs: number): string {
  const lines = [
    '// generated: many programs x many kfunc calls through one shared subprogram',
    'struct bpf_prog_aux;',
    '#define SEC(name) __attribute__((section(name), used))',
    '#define __ksym __attribute__((section(".ksyms")))',
    '#define __noinline __attribute__((noinline))',
  ];
  // A `struct bpf_prog_aux *` parameter makes each kfunc association-dependent (in BTF and in C).
  for (let k = 0; k < kfuncs; k++) lines.push(`extern int fan_kfunc_${k}(int x, struct bpf_prog_aux *aux__prog) __ksym;`);
  lines.push('static __noinline int fan_out(int x)', '{', '\tint r = 0;');
  for (let k = 0; k < kfuncs; k++) lines.push(`\tr += fan_kfunc_${k}(x, 0);`);
  lines.push('\treturn r;', '}');
  for (let p = 0; p < programs; p++) lines.push(`SEC("tc") int fan_prog_${p}(void *ctx) { return fan_out(${p}); }`);
  lines.push('char LICENSE[] SEC("license") = "GPL";', '');
  return lines.join('\n');
}

/** Writes the source into a new temporary directory and compiles it; returns both paths. */
export function buildFanOut(programs: number, kfuncs: number): { dir: string; source: string; object: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-fanout-'));
  const source = join(dir, 'fanout.bpf.c');
  const object = join(dir, 'fanout.bpf.o');
  writeFileSync(source, fanOutSource(programs, kfuncs));
  execFileSync('nice', ['-n', '19', 'clang', '-target', 'bpf', '-g', '-O2', '-c', source, '-o', object]);
  return { dir, source, object };
}

/** The same shape from source only: `fan_out()` a `static inline` helper of an included header. */
export function writeFanOutWithHeader(programs: number, kfuncs: number): { dir: string; source: string; header: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-fanout-h-'));
  const header = join(dir, 'fan.h');
  const source = join(dir, 'fanh.bpf.c');
  const h = ['struct bpf_prog_aux;', '#define __ksym __attribute__((section(".ksyms")))'];
  for (let k = 0; k < kfuncs; k++) h.push(`extern int fan_kfunc_${k}(int x, struct bpf_prog_aux *aux__prog) __ksym;`);
  h.push('static inline int fan_out(int x)', '{', '\tint r = 0;');
  for (let k = 0; k < kfuncs; k++) h.push(`\tr += fan_kfunc_${k}(x, 0);`);
  h.push('\treturn r;', '}', '');
  writeFileSync(header, h.join('\n'));
  const c = ['#include "fan.h"', '#define SEC(name) __attribute__((section(name), used))'];
  for (let p = 0; p < programs; p++) c.push(`SEC("tc") int fan_prog_${p}(void *ctx) { return fan_out(${p}); }`);
  c.push('char LICENSE[] SEC("license") = "GPL";', '');
  writeFileSync(source, c.join('\n'));
  return { dir, source, header };
}
