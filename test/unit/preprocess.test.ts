// #if evaluation and the build's defines, on the real directive scanner and evaluator.
import { strict as assert } from 'node:assert';
import { BuildDefines } from '../../server/src/analysis/c/buildDefines';
import { scanDirectives } from '../../server/src/analysis/c/directives';
import { standaloneDecisions } from '../../server/src/analysis/c/preprocess';
import { readCompileCommands, readMakefileDefines } from '../../server/src/analysis/buildFlags';

function values(src: string): (boolean | null)[] {
  const d = standaloneDecisions(src, '/w/x.bpf.c');
  return [...d].sort((a, b) => a[0] - b[0]).map(([, v]) => v.value);
}

describe('#if as C evaluates it', () => {
  it('macro values, function-like macros, arithmetic, char constants, ternary, #undef', () => {
    const src = ['#define A 3', '#define TWICE(x) ((x) * 2)', '#if TWICE(A) == 6 && (A << 2) == 12 && \'a\' == 97 && (A > 2 ? 1 : 0)', '#endif', '#undef A', '#if A', '#endif', '#if -1 < 0u', '#endif', '#if 0x10 / 4 % 3 == 1', '#endif'].join('\n');
    assert.deepEqual(values(src), [true, false, false, true]);
  });

  it('clang -target bpf defines neither __x86_64__ nor __aarch64__; __TARGET_ARCH_x86 by default', () => {
    assert.deepEqual(values('#if defined(__x86_64__) || defined __aarch64__\n#endif\n#ifdef __TARGET_ARCH_x86\n#endif\n#if __bpf__ && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__\n#endif\n'), [false, true, true]);
  });

  it('a name a header outside the workspace may define is unknown, and says why; 0 && it is still false', () => {
    const d = standaloneDecisions('#include <linux/version.h>\n#if LINUX_VERSION_CODE > 5\n#endif\n#if 0 && LINUX_VERSION_CODE\n#endif\n', '/w/x.bpf.c');
    assert.equal(d.get(1)?.value, null);
    assert.match(d.get(1)?.reason ?? '', /LINUX_VERSION_CODE may be defined by linux\/version\.h/);
    assert.equal(d.get(3)?.value, false);
  });

  it('a project name after libbpf headers is known, a clang-version test is not', () => {
    assert.deepEqual(values('#include <bpf/bpf_helpers.h>\n#if MY_FEATURE\n#endif\n#if __clang_major__ >= 18\n#endif\n'), [false, null]);
  });

  it('directives in comments are not directives; continuations are joined', () => {
    const dirs = scanDirectives('/*\n#define X 1\n*/\n#define Y \\\n  2\n// #define Z\n', '/w/x.h');
    assert.deepEqual(dirs.map((d) => (d.kind === 'define' ? `${d.def.name}@${d.line}` : d.kind)), ['Y@3']);
  });
});

describe('the build\'s defines', () => {
  it('compile_commands.json: -D/-U per file, arguments or command', () => {
    const db = readCompileCommands('/b/compile_commands.json', JSON.stringify([{ directory: '/b', file: 'p.bpf.c', command: 'clang -target bpf -DDEBUG=2 -U FOO -c p.bpf.c' }]));
    assert.deepEqual(db?.get('/b/p.bpf.c'), [{ name: 'DEBUG', value: '2' }, { name: 'FOO', value: null }]);
  });

  it('Makefile: BPF_CFLAGS -D, make variables left out except __TARGET_ARCH_$(SRCARCH)', () => {
    assert.deepEqual(readMakefileDefines('BPF_CFLAGS := -g -D__TARGET_ARCH_$(SRCARCH) -DX=1 -D$(Y) \\\n\t-DZ\n'), [{ name: '__TARGET_ARCH_x86', value: '1' }, { name: 'X', value: '1' }, { name: 'Z', value: '1' }]);
    assert.equal(readMakefileDefines('all:\n\tcc -o x x.c\n'), null);
    // The host's CFLAGS do not count where BPF_CFLAGS exist; nor does a flag under a make conditional.
    assert.deepEqual(readMakefileDefines('CFLAGS += -DHOST\nBPF_CFLAGS = -DBPF\nifneq ($(X),)\nBPF_CFLAGS += -DMAYBE\nendif\n'), [{ name: 'BPF', value: '1' }]);
  });

  it('a given -U wins over the compiler', () => {
    assert.equal(new BuildDefines([{ name: '__bpf__', value: null }]).initial('__bpf__', new Set(), []).kind, 'undefined');
  });
});
