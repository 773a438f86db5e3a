// Every input the fuzz campaign (npm run fuzz, docs/fuzz.md) ever saw fail, replayed through the
// same harness: a worker thread with the CPU-time and heap watchdog, the witness workspace around
// it. `fixed` ones must pass; `known-failing` ones (being fixed elsewhere) are reported pending while
// they fail and fail once they pass, so that their status is updated; `open` ones fail. A
// known-failing hang runs under a lower CPU budget (STILL_SLOW): one that takes 4-6 s against the
// 5 s budget would otherwise pass or fail with the machine's speed, while a fix takes it far below.
import { strict as assert } from 'node:assert';
import { loadRegressions } from '../../fuzz/regressions';
import { runPool, type Limits, type RunResult } from '../../fuzz/pool';
import type { Job } from '../../fuzz/worker';

const LIMITS: Limits = { cpuMs: 5000, wallMs: 60_000, heapMb: 1536 };
const STILL_SLOW: Limits = { ...LIMITS, cpuMs: 1500 };

describe('fuzz regressions (fuzz/regressions)', function () {
  this.timeout(600_000);
  const regressions = loadRegressions();
  const results = new Map<string, RunResult>();

  before(async function () {
    this.timeout(600_000);
    const slowKnown = (r: (typeof regressions)[number]): boolean => r.meta.status === 'known-failing' && r.meta.failure.kind === 'hang';
    for (const [limits, group] of [[LIMITS, regressions.filter((r) => !slowKnown(r))], [STILL_SLOW, regressions.filter(slowKnown)]] as const) {
      const jobs: Job[] = group.map((r) => ({ kind: 'given', input: r.input }));
      let i = 0;
      await runPool(1, limits, jobs, (_job, r) => {
        results.set((group[i++] as { name: string }).name, r);
      });
    }
  });

  it('has regressions to replay', () => assert.ok(regressions.length > 0));

  for (const r of regressions) {
    const label = `${r.name}: ${r.meta.what} (${r.meta.failure.kind} when found)${r.meta.status === 'known-failing' ? ` [KNOWN FAILING: ${r.meta.note ?? ''}]` : ''}`;
    it(label, function () {
      const got = results.get(r.name);
      assert.ok(got, 'replayed');
      if (r.meta.status === 'known-failing') {
        assert.notEqual(got.kind, 'ok', `${r.name} passes now: set its status to "fixed" in meta.json`);
        this.skip();
      }
      assert.equal(got.kind, 'ok', `${got.kind}: ${got.detail}`);
    });
  }
});
