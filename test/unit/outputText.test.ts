// Text output and user-controlled strings (issue 12, defect 5): a section name or a file name with
// control characters cannot print a line of its own that a CI problem matcher reads as an error.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { formatText } from '../../server/src/output/text';
import { buildPlan } from '../../remote/src/plan';
import { formatTable, type TargetResult } from '../../remote/src/results';
import { builtPath, ensureFixturesBuilt, REPO, sourcePath } from './builtFixtures';
import { analyse, BASE, INJECTED, source } from './hostileNames';

// eslint-disable-next-line no-control-regex -- what must not reach a terminal or a CI log
const UNESCAPED = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What a CI problem matcher (`file:line:col: severity: message`) picks up from a report. */
function matchedDiagnostics(report: string): string[] {
  return report.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/).filter((l) => /^[^\s:]+:\d+:\d+: (error|warning)/.test(l));
}

describe('text output escapes control characters', () => {
  it('a section name with newlines prints no line of its own', async () => {
    const { model } = await analyse({ 'x.bpf.c': source(INJECTED) });
    const report = formatText(model, BASE);
    assert.ok(model.findings.some((f) => f.rule === 'slot-not-struct-ops-program'));
    assert.deepEqual(matchedDiagnostics(report).map((l) => l.replace(/: .*\[/, ' [')), ['x.bpf.c:6:35 [slot-not-struct-ops-program]']);
    assert.ok(!report.includes('injected [fake]\n'), report);
    assert.match(report, /SEC\("x\\nsrc\/main\.c:1:1: error: injected \[fake\]\\n"\)/);
  });

  it('file names with newlines, ANSI escapes, C1, line separators and bidi controls are escaped', async () => {
    const name = 'a\nsrc/b.c:1:1: error: forged\x1b[31m\u0085\u2028\u202e\u2066\x7f.bpf.c';
    const { model } = await analyse({ [name]: source('tc') });
    const report = formatText(model, BASE);
    assert.equal(report.split('\n').filter((l) => l).length, 3, report);
    assert.doesNotMatch(report, UNESCAPED);
    assert.ok(report.includes('a\\nsrc/b.c:1:1: error: forged\\x1b[31m\\u0085\\u2028\\u202e\\u2066\\x7f.bpf.c:6:35: error:'), report);
    assert.ok(!/^src\/b\.c/m.test(report), 'the forged file name starts no line');
  });
});

describe('bpf-assoc run --format text escapes control characters', () => {
  it('target names, messages and notes stay on their line', async () => {
    ensureFixturesBuilt();
    await loadGrammar();
    const ws = new Workspace();
    for (const f of [sourcePath('poisoned-shared', 'shared.bpf.c'), join(REPO, 'test/fixtures/include/st_ops.h'), builtPath('poisoned-shared', 'shared.bpf.o')]) ws.setFile(f, readFileSync(f));
    const plan = buildPlan(ws.model(), 'shared');
    const failed: TargetResult = {
      target: 'vm\nx.bpf.c:1:1: error: forged', destination: 'me@vm', status: 'error', message: 'ssh: \x1b[2Jgone\r\u2028', notes: ['note\u202eevil'],
      error: { kind: 'unreachable', message: 'x', detail: '' }, timings: { totalMs: 1 }, transcript: [],
    };
    const table = formatTable(plan, [failed]);
    assert.doesNotMatch(table, UNESCAPED);
    assert.ok(!/^x\.bpf\.c:1:1/m.test(table), table);
    assert.match(table, /^vm\\nx\.bpf\.c:1:1: error: forged: ssh: \\x1b\[2Jgone\\r\\u2028$/m);
    assert.match(table, /^ {2}note\\u202eevil$/m);
  });
});

