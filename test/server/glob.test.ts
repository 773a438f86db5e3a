// The `bpfAssoc.files.exclude` globs (picomatch), matched against workspace-relative paths.
import { strict as assert } from 'node:assert';
import { excludeMatcher } from '../../server/src/lsp/glob';

describe('exclude globs', () => {
  const cases: [string, string, boolean][] = [
    ['**/node_modules/**', 'node_modules', true],
    ['**/node_modules/**', 'a/node_modules/x.c', true],
    ['**/vendor/**', 'src/vendor', true],
    ['**/vendor/**', 'src/vendored.c', false],
    ['build', 'x/build/a.bpf.o', true],
    ['build/', 'build/a.bpf.o', true],
    ['./build/**', 'build/sub/a.bpf.o', true],
    ['*.o', 'a/b.o', true],
    ['*.o', 'a/b.c', false],
    ['src/*.c', 'src/a.c', true],
    ['src/*.c', 'src/x/a.c', false],
    ['**/*.{o,h}', 'a/b.h', true],
    ['**/*.{o,h}', 'a/b.c', false],
    ['a?.c', 'ab.c', true],
    ['a?.c', 'a/.c', false],
    // What the hand-written dialect did not have: classes, extglobs, dot files.
    ['**/test_[0-9].bpf.c', 'progs/test_7.bpf.c', true],
    ['**/test_[0-9].bpf.c', 'progs/test_x.bpf.c', false],
    ['**/*.+(o|skel.h)', 'out/a.skel.h', true],
    ['**/.cache/**', 'x/.cache/a.c', true],
  ];
  for (const [glob, path, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(excludeMatcher([glob])(path), expected));
  }

  it('ignores ! patterns (picomatch would read one as everything else), as files.exclude has none', () => {
    assert.equal(excludeMatcher(['!x.c'])('y.c'), false);
    assert.equal(excludeMatcher(['build', '!build/keep.c'])('build/keep.c'), true);
  });

  it('takes a list, or a files.exclude-style object, and ignores anything else', () => {
    assert.equal(excludeMatcher(['build', 'out'])('out/x.c'), true);
    assert.equal(excludeMatcher({ build: true, out: false })('out/x.c'), false);
    assert.equal(excludeMatcher({ build: true })('build/x.c'), true);
    assert.equal(excludeMatcher('build')('build/x.c'), false);
    assert.equal(excludeMatcher([42, null, ''])('x.c'), false);
  });
});
