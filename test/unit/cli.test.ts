// The CLI as users run it: `node dist/cli.js check ...`, its formats and exit status.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const CASES = join(ROOT, 'test', 'fixtures', 'cases');

function run(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli', () => {
  before(function () {
    this.timeout(120_000);
    if (!existsSync(CLI)) {
      const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr);
    }
  });

  it('text: compiler-style lines, exit 0 with warnings only', () => {
    const r = run(['check', 'test/fixtures/cases/poisoned-shared', 'test/fixtures/include']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^test\/fixtures\/cases\/poisoned-shared\/shared\.bpf\.c:14:14: warning: .* \[poisoned-association\]$/m);
    assert.match(r.stdout, /^bpf-assoc: 1 object\(s\), 3 program\(s\)/m);
  });

  it('exit 1 with error-level findings', () => {
    const r = run(['check', join(CASES, 'explicit-calls'), 'test/fixtures/include']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /error: .*EBUSY.*\[assoc-conflict\]/);
  });

  it('json: programs and maps as documented in docs/model.md', () => {
    const r = run(['check', 'test/fixtures/cases/poisoned-shared', 'test/fixtures/include', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    const p = m.programs.find((x: { name: string }) => x.name === 'test_1');
    assert.deepEqual(
      { file: p.file, line: p.line, kind: p.kind, association: { state: p.association.state, maps: p.association.maps } },
      { file: 'test/fixtures/cases/poisoned-shared/shared.bpf.c', line: 14, kind: 'struct_ops', association: { state: 'poisoned', maps: ['st_ops_map_a', 'st_ops_map_b'] } },
    );
    const map = m.maps.find((x: { name: string }) => x.name === 'st_ops_map_b');
    assert.equal(map.type, 'bpf_testmod_ops');
    assert.deepEqual(map.slots.map((s: { member: string; program: string }) => [s.member, s.program]), [['test_1', 'test_1'], ['test_2', 'test_2_b']]);
  });

  it('sarif: 2.1.0 results with rule ids, levels, locations and the catalogue', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bpf-assoc-')), 'report.sarif');
    const r = run(['check', join(CASES, 'explicit-calls'), 'test/fixtures/include', '--format=sarif', '-o', out]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const run0 = sarif.runs[0];
    const ids = run0.tool.driver.rules.map((x: { id: string }) => x.id);
    assert.ok(ids.includes('poisoned-association') && ids.includes('stale-skeleton'));
    const conflict = run0.results.find((x: { ruleId: string }) => x.ruleId === 'assoc-conflict');
    assert.equal(conflict.level, 'error');
    assert.match(conflict.message.text, /EBUSY/);
    const loc = conflict.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uri, 'test/fixtures/cases/explicit-calls/runner.c');
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.equal(loc.region.startLine, 24);
    assert.equal(loc.region.startColumn, 8);
    assert.equal(conflict.relatedLocations.length, 2);
    assert.equal(run0.tool.driver.rules[conflict.ruleIndex].id, 'assoc-conflict');
  });

  it('exit 2 on usage and I/O errors, with a message', () => {
    assert.equal(run(['check', '--format', 'xml']).status, 2);
    assert.equal(run(['frobnicate']).status, 2);
    const missing = run(['check', '/nonexistent/dir']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^bpf-assoc: \/nonexistent\/dir: no such file or directory$/m);
    const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-'));
    writeFileSync(join(dir, 'a.bpf.c'), 'SEC("struct_ops") int x;');
    const unwritable = run(['check', dir, '-o', '/nonexistent/out.txt']);
    assert.equal(unwritable.status, 2);
    assert.match(unwritable.stderr, /cannot write/);
  });
});
