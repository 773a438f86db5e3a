// Issue 12, defect 8: a file the CLI cannot read is an I/O error: exit status 2 (as the README
// promises), and the file is in every report (an unreadable-file finding in text, JSON and SARIF),
// not only on stderr. chmod 000 means nothing to root, so that case runs the CLI as the user nobody.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = process.env.BPF_ASSOC_CLI_JS ?? join(ROOT, 'dist', 'cli.js');
const INCLUDE = join(ROOT, 'test/fixtures/include');
const NOBODY = 65534;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function check(dir: string, format: string, asNobody: boolean): Run {
  const argv = [CLI, 'check', dir, INCLUDE, '--format', format];
  const r = asNobody
    ? spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, ...argv], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync(process.execPath, argv, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function canRunAsNobody(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'true']);
    return true;
  } catch {
    return false;
  }
}

/** The unreadable file in each format: text line, JSON finding, SARIF result. */
function assertReported(dir: string, file: string, why: RegExp, asNobody: boolean): void {
  const text = check(dir, 'text', asNobody);
  assert.equal(text.status, 2, text.stderr);
  assert.match(text.stdout, new RegExp(`${file}:1:1: warning: .*\\[unreadable-file\\]`));
  const json = check(dir, 'json', asNobody);
  assert.equal(json.status, 2, json.stderr);
  const model = JSON.parse(json.stdout) as { findings: { ruleId: string; file: string; message: string }[] };
  const found = model.findings.filter((f) => f.ruleId === 'unreadable-file');
  assert.equal(found.length, 1, JSON.stringify(model.findings));
  assert.match(found[0]?.message ?? '', why);
  // The other files are still analysed.
  assert.ok(model.findings.some((f) => f.ruleId === 'poisoned-association'));
  const sarif = check(dir, 'sarif', asNobody);
  assert.equal(sarif.status, 2, sarif.stderr);
  const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  const results = log.runs[0]?.results.filter((r) => r.ruleId === 'unreadable-file') ?? [];
  assert.equal(results.length, 1);
  assert.match(results[0]?.locations[0]?.physicalLocation.artifactLocation.uri ?? '', new RegExp(`${file}$`));
}

describe('cli: unreadable files (issue 12, defect 8)', function () {
  this.timeout(120_000);
  let dir = '';
  before(function () {
    if (!existsSync(CLI)) this.skip(); // built by npm run build (cli.test.ts builds it too)
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-unreadable-'));
    chmodSync(dir, 0o755);
    cpSync(join(ROOT, 'test/fixtures/cases/poisoned-shared'), dir, { recursive: true });
    execFileSync('chmod', ['-R', 'a+rX', dir]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a file with mode 000 (run as nobody): exit 2, an unreadable-file finding in text, JSON and SARIF', function () {
    if (!canRunAsNobody()) this.skip(); // needs root and setpriv to become nobody
    const secret = join(dir, 'secret.bpf.c');
    writeFileSync(secret, 'int x;\n');
    chmodSync(secret, 0o000);
    assertReported(dir, 'secret.bpf.c', /permission denied/, true);
  });

  it('a FIFO named x.bpf.c: exit 2 and a finding, never a hang', () => {
    execFileSync('mkfifo', [join(dir, 'pipe.bpf.c')]);
    assertReported(dir, 'pipe.bpf.c', /FIFO/, false);
  });
});
