// Issue 12, defect 1: P programs × K kfunc calls through one shared subprogram must cost work in
// P + K (reachability computed once per subprogram, shared between programs), and past a budget per
// object the rest is reported as a finding on the object, never a crash or an out-of-memory death.
// Bounds are in CPU time and counts measured in this process (not wall-clock).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { readBpfObject } from '../../server/src/analysis/elf/bpfObject';
import { KFUNC_CALL_BUDGET } from '../../server/src/analysis/elf/calls';
import { Workspace } from '../../server/src/analysis/workspace';
import { cpuStopwatch } from '../support/cpuTime';
import { buildFanOut, writeFanOutWithHeader } from './kfuncFanOut';

const PROGRAMS = 300;
const KFUNCS = 400; // 120,000 (program, kfunc call) pairs

function heapMiB(): number {
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

describe('many programs × many kfunc calls (issue 12, defect 1)', () => {
  let built: ReturnType<typeof buildFanOut>;
  before(async function () {
    this.timeout(120_000);
    await loadGrammar();
    built = buildFanOut(PROGRAMS, KFUNCS);
  });

  it('the object reader shares reachability and stops at its budget with a finding', () => {
    const cpu = cpuStopwatch();
    const facts = readBpfObject(new Uint8Array(readFileSync(built.object)), built.object, 'object');
    const ms = cpu();
    const pairs = facts.programs.reduce((n, p) => n + p.kfuncCalls.length, 0);
    process.stdout.write(`      readBpfObject: ${facts.programs.length} programs, ${pairs} kfunc-call entries, ${ms.toFixed(0)} ms CPU\n`);
    assert.equal(facts.programs.length, PROGRAMS);
    assert.ok(pairs <= KFUNC_CALL_BUDGET, `${pairs} entries, budget ${KFUNC_CALL_BUDGET}`);
    // Programs before the budget ran out keep all of their calls.
    assert.equal(facts.programs[0]?.kfuncCalls.length, KFUNCS);
    assert.deepEqual(facts.programs[0]?.kfuncCalls[0], { name: 'fan_kfunc_0', via: 'fan_out', location: facts.programs[0]?.location });
    const limit = facts.problems.filter((p) => p.rule === 'parse-limit');
    assert.equal(limit.length, 1, JSON.stringify(facts.problems));
    assert.match(limit[0]?.message ?? '', /kfunc calls/);
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms CPU`);
  });

  for (const which of ['object', 'source'] as const) {
    it(`the whole model of the ${which} stays bounded in CPU time and findings`, function () {
      this.timeout(300_000);
      const ws = new Workspace();
      const path = which === 'object' ? built.object : built.source;
      const before = heapMiB();
      const cpu = cpuStopwatch();
      ws.setFile(path, readFileSync(path), 1);
      const model = ws.model();
      const ms = cpu();
      const kfuncFindings = model.findings.filter((f) => f.rule === 'unassociated-kfunc-caller').length;
      process.stdout.write(`      ${which}: ${model.programs.length} programs, ${kfuncFindings} kfunc findings, ${ms.toFixed(0)} ms CPU, heap ${before} -> ${heapMiB()} MiB\n`);
      assert.equal(model.programs.length, PROGRAMS);
      assert.ok(kfuncFindings > 0 && kfuncFindings <= KFUNC_CALL_BUDGET, String(kfuncFindings));
      assert.ok(model.findings.some((f) => f.rule === 'parse-limit' && /kfunc calls/.test(f.message)), 'a finding says the budget ran out');
      assert.ok(ms < 8000, `${ms.toFixed(0)} ms CPU`);
      ws.dispose();
    });
  }

  it('the helper in an included header: followed within the same budget', function () {
    this.timeout(300_000);
    const { source, header } = writeFanOutWithHeader(PROGRAMS, KFUNCS);
    const ws = new Workspace();
    ws.setFile(header, readFileSync(header), 1);
    ws.setFile(source, readFileSync(source), 1);
    const cpu = cpuStopwatch();
    const model = ws.model();
    const ms = cpu();
    const kfuncFindings = model.findings.filter((f) => f.rule === 'unassociated-kfunc-caller').length;
    process.stdout.write(`      source + header: ${model.programs.length} programs, ${kfuncFindings} kfunc findings, ${ms.toFixed(0)} ms CPU\n`);
    assert.equal(model.programs.length, PROGRAMS);
    assert.ok(kfuncFindings > 0 && kfuncFindings <= KFUNC_CALL_BUDGET, String(kfuncFindings));
    assert.ok(model.findings.some((f) => f.rule === 'parse-limit' && /header helpers/.test(f.message)), 'a finding says the budget ran out');
    ws.dispose();
  });
});
