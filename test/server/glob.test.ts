// The `bpfAssoc.files.exclude` globs, matched against workspace-relative paths.
import { strict as assert } from 'node:assert';
import { excludeMatcher, globToRegExp } from '../../server/src/lsp/glob';

describe('exclude globs', () => {
  const cases: [string, string, boolean][] = [
    ['**/node_modules/**', 'node_modules', true],
    ['**/node_modules/**', 'a/node_modules/x.c', true],
    ['**/vendor/**', 'src/vendor', true],
    ['**/vendor/**', 'src/vendored.c', false],
    ['build', 'x/build/a.bpf.o', true],
    ['*.o', 'a/b.o', true],
    ['*.o', 'a/b.c', false],
    ['src/*.c', 'src/a.c', true],
    ['src/*.c', 'src/x/a.c', false],
    ['**/*.{o,h}', 'a/b.h', true],
    ['**/*.{o,h}', 'a/b.c', false],
    ['a?.c', 'ab.c', true],
    ['a?.c', 'a/.c', false],
  ];
  for (const [glob, path, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(globToRegExp(glob).test(path), expected));
  }

  it('takes a list, or a files.exclude-style object, and ignores anything else', () => {
    assert.equal(excludeMatcher(['build', 'out'])('out/x.c'), true);
    assert.equal(excludeMatcher({ build: true, out: false })('out/x.c'), false);
    assert.equal(excludeMatcher({ build: true })('build/x.c'), true);
    assert.equal(excludeMatcher('build')('build/x.c'), false);
    assert.equal(excludeMatcher([42, null, ''])('x.c'), false);
  });
});
