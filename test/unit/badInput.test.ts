// Bad input gets a finding or a clear message; nothing escapes the core and nothing hangs.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';

const ROOT = resolve(__dirname, '..', '..');
const SHARED = join(ROOT, 'test/fixtures/cases/poisoned-shared/shared.bpf.c');
const HEADER = join(ROOT, 'test/fixtures/include/st_ops.h');

function analyse(files: Record<string, Uint8Array | string>): ReturnType<Workspace['model']> {
  const ws = new Workspace();
  ws.setFile(HEADER, readFileSync(HEADER));
  for (const [path, content] of Object.entries(files)) ws.setFile(path, content);
  const model = ws.model();
  ws.dispose();
  return model;
}

/** A header in vmlinux.h's shape, `bytes` long, with one association-dependent kfunc in it. */
function bigVmlinux(bytes: number): string {
  const parts: string[] = ['#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const s = `struct gen_type_${i} {\n\tint field_a;\n\tunsigned long long field_b[4];\n\tstruct gen_type_${i} *next;\n\tvoid (*callback)(struct gen_type_${i} *self, int how);\n};\n\n`;
    parts.push(s);
    size += s.length;
    if (i % 500 === 0) parts.push(`extern int gen_kfunc_${i}(int a, long b) __weak __ksym;\n`);
  }
  parts.push('extern int my_assoc_kfunc(int a, const struct bpf_prog_aux *aux) __weak __ksym;\n#endif\n');
  return parts.join('');
}

describe('bad input', () => {
  before(async () => {
    await loadGrammar();
  });

  it('half-typed C: what parses is analysed, the rest is not invented', () => {
    const full = readFileSync(SHARED, 'utf8');
    for (const cut of [0.2, 0.45, 0.6, 0.8, 0.95]) {
      const text = full.slice(0, Math.floor(full.length * cut));
      const model = analyse({ '/ws/half.bpf.c': text });
      for (const p of model.programs) assert.ok(full.includes(p.name), `invented program ${p.name}`);
    }
    // A cut inside the second map: the first map and its slots survive.
    const atSecondMap = full.indexOf('st_ops_map_b = {') + 'st_ops_map_b = {\n\t.test_1 = (void *)te'.length;
    const model = analyse({ '/ws/half.bpf.c': full.slice(0, atSecondMap) });
    const a = model.maps.find((m) => m.name === 'st_ops_map_a');
    assert.deepEqual(a?.slots.map((s) => `${s.member}=${s.program}`), ['test_1=test_1', 'test_2=test_2_a']);
  });

  it('a 3 MB vmlinux.h is scanned (kfuncs found), not parsed, and in bounded time', () => {
    const text = bigVmlinux(3 * 1024 * 1024);
    assert.ok(text.length > 3_000_000);
    const started = performance.now();
    const model = analyse({ '/ws/vmlinux.h': text, '/ws/prog.bpf.c': readFileSync(SHARED) });
    const ms = performance.now() - started;
    assert.ok(model.kfuncs.some((k) => k.name === 'my_assoc_kfunc'), 'aux-taking kfunc recognised');
    assert.equal(model.programs.length, 3);
    assert.ok(ms < 20_000, `took ${ms} ms`);
  });

  it("this machine's real vmlinux.h (bpftool on the kernel's BTF)", () => {
    assert.ok(existsSync('/sys/kernel/btf/vmlinux'), 'this test needs a kernel with BTF (/sys/kernel/btf/vmlinux), as BPF development does');
    // scripts/setup.sh installs bpftool; without it this throws and says so.
    const text = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 64 << 20 }).toString();
    const model = analyse({ '/ws/vmlinux.h': text, '/ws/prog.bpf.c': readFileSync(SHARED) });
    assert.equal(model.programs.length, 3);
    assert.equal(model.findings.filter((f) => f.location.file === '/ws/vmlinux.h').length, 0);
  });

  it('a binary file named .c gets a clear message', () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const model = analyse({ '/ws/blob.c': bytes });
    const f = model.findings.find((x) => x.location.file === '/ws/blob.c');
    assert.equal(f?.rule, 'unreadable-file');
    assert.match(f?.message ?? '', /binary, not C source/);
  });

  it('non-UTF-8 text is read as Latin-1, analysed, and says so', () => {
    const text = readFileSync(SHARED, 'latin1').replace('// One struct_ops', '// Caf\xe9: one struct_ops');
    const model = analyse({ '/ws/latin1.bpf.c': Buffer.from(text, 'latin1') });
    assert.ok(model.findings.some((f) => f.rule === 'unreadable-file' && /not valid UTF-8/.test(f.message)));
    assert.ok(model.findings.some((f) => f.rule === 'poisoned-association'));
  });

  it('a truncated or corrupted embedded object in a skeleton: a finding, no exception', function () {
    const skel = join(ROOT, '.build/test/fixtures/cases/poisoned-shared/shared.skel.h');
    assert.ok(existsSync(skel), `${skel} is missing: run npm run fixtures (test/fixtures/build.sh)`);
    const text = readFileSync(skel, 'utf8');
    const start = text.indexOf('\\x7f\\x45\\x4c\\x46');
    assert.ok(start > 0, 'embedded object found');
    const truncated = text.slice(0, start + 2000) + '";\n}\n';
    const corrupted = text.slice(0, start + 200) + '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff' + text.slice(start + 200 + 32);
    for (const [name, content] of [['truncated', truncated], ['corrupted', corrupted]] as const) {
      const model = analyse({ [`/ws/${name}.skel.h`]: content, '/ws/shared.bpf.c': readFileSync(SHARED) });
      const problems = model.findings.filter((f) => f.location.file === `/ws/${name}.skel.h`);
      assert.ok(problems.some((f) => f.rule === 'malformed-skeleton' || f.rule === 'malformed-object'), `${name}: ${problems.map((p) => p.rule)}`);
      // The source still stands in for the object.
      assert.ok(model.findings.some((f) => f.rule === 'poisoned-association'), name);
    }
  });

  it('runaway macros are cut off with a message', () => {
    const text = `#define A B B B B B B B B\n#define B C C C C C C C C\n#define C D D D D D D D D\n#define D E E E E E E E E\n#define E F F F F F F F F\n#define F SEC("x") G G G G G G G G\n#define G SEC("y") int\nA\n`;
    const model = analyse({ '/ws/bomb.bpf.c': text });
    assert.ok(model.findings.some((f) => f.rule === 'parse-limit' && /expansion/.test(f.message)));
  });
});
