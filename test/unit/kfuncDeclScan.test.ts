// kfunc declarations in headers (scanKfuncDecls): a declaration whose trailing attributes are one
// long word of `__a__a...` no longer backtracks exponentially (30 repeats used to take ~16 s),
// and ordinary declarations are found as before.
import { strict as assert } from 'node:assert';
import { scanKfuncDecls } from '../../server/src/analysis/kfuncs';

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

describe('kfunc declaration scan', () => {
  const ordinary = [
    'extern int bpf_a(struct bpf_prog_aux *aux) __weak __ksym;',
    'extern void *bpf_b(int (*cb)(int), void *aux__prog) __ksym;',
    'extern int bpf_c(int x) __ksym;',
  ].join('\n');

  it('finds the association-dependent declarations', () => {
    assert.deepEqual(scanKfuncDecls(ordinary, '/ws/k.h').map((k) => k.name).sort(), ['bpf_a', 'bpf_b']);
  });

  it('reads a declaration whose attributes are one long `__a__a...` word in linear time', () => {
    const hostile = `extern int bpf_d(struct bpf_prog_aux *aux) ${'__a'.repeat(30)} ( __ksym;\n${ordinary}\n`;
    let names: string[] = [];
    assert.ok(cpuMs(() => (names = scanKfuncDecls(hostile, '/ws/k.h').map((k) => k.name))) < 500);
    assert.deepEqual(names.sort(), ['bpf_a', 'bpf_b']);
  });
});
