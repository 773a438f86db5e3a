// The CLI's argument handling as a user meets it (node:util parseArgs): --version anywhere a
// command takes options, usage on standard error with status 2 when no command is given, and
// parseArgs's errors turned into usage errors.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli arguments', () => {
  before(function () {
    this.timeout(120_000);
    if (!existsSync(CLI)) {
      const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr);
    }
  });

  for (const args of [['--version'], ['check', '--version'], ['run', '--version']]) {
    it(`${args.join(' ')} prints package.json's version`, () => {
      const r = run(args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `bpf-assoc ${VERSION}\n`);
    });
  }

  it('no command: usage on standard error, exit 2', () => {
    const r = run([]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^usage: bpf-assoc check/);
  });

  it('--help: usage on standard output, exit 0', () => {
    for (const args of [['--help'], ['check', '-h'], ['run', '--help']]) {
      const r = run(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /^usage: bpf-assoc (check|run)/);
    }
  });

  it('unknown options, missing values and bad values are usage errors (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['check', '--bogus'], /Unknown option '--bogus'/],
      [['check', '--format'], /--format <value>' argument missing/],
      [['check', '--format', 'xml'], /unknown format 'xml'/],
      [['check', '--define', '-UFOO'], /use '--define=-XYZ'/],
      [['check', '--define=1BAD'], /--define needs NAME/],
      [['run', 'examples'], /--target is required/],
      [['run', '--target', 'local', '--loader-budget', '0'], /--loader-budget needs a number/],
      [['--frob'], /unknown option '--frob'/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it('--define=-UNAME, -o and repeated --kfunc parse as before', () => {
    const r = run(['check', 'test/fixtures/cases/poisoned-shared', 'test/fixtures/include', '--define=-UFOO', '--kfunc', 'a', '--kfunc=b', '--format=json', '-o', '/dev/null']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
  });
});
