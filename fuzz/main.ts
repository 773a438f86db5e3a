// `npm run fuzz`: the mutation campaign (docs/fuzz.md). Deterministic inputs from a seed, run
// in-process on worker threads with a CPU-time and heap watchdog; figures per category; every
// input that fails is confirmed alone and kept in fuzz/regressions/.
//
//   npm run fuzz                      the full run: 100,000 inputs
//   npm run fuzz -- --slice           the bounded slice CI runs (npm run test:fuzz)
//   npm run fuzz -- --inputs N --seed S --workers W --only CATEGORY --cpu-budget MS --no-save
import { cpus } from 'node:os';
import { ensureBuilt, loadCorpus } from './corpus';
import { CATEGORIES, makeInput, type Category } from './inputs';
import { runAlone, runPool, type Limits, type RunResult } from './pool';
import { saveRegression } from './regressions';
import { shapeObject, shapes } from './structural';
import type { Job } from './worker';

/** Shares of the full run per category. */
const WEIGHTS: Record<Category, number> = { 'c-source': 0.18, 'c-loader': 0.12, skeleton: 0.15, elf: 0.32, btf: 0.22, structural: 0.005, lsp: 0.005 };
/** The CI slice: fixed counts, small structural shapes (≤ 2 min on the development machine). */
const SLICE: Record<Category, number> = { 'c-source': 250, 'c-loader': 150, skeleton: 180, elf: 350, btf: 220, structural: 10, lsp: 20 };

interface Options {
  slice: boolean;
  inputs: number;
  seed: number;
  workers: number;
  only: Category | null;
  cpuMs: number;
  save: boolean;
}

function parse(argv: string[]): Options {
  const o: Options = { slice: false, inputs: 100_000, seed: 1, workers: Math.min(2, cpus().length), only: null, cpuMs: 5000, save: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => argv[++i] ?? '';
    if (a === '--slice') o.slice = true;
    else if (a === '--inputs') o.inputs = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--workers') o.workers = Number(v());
    else if (a === '--cpu-budget') o.cpuMs = Number(v());
    else if (a === '--no-save') o.save = false;
    else if (a === '--only') {
      const c = v() as Category;
      if (!CATEGORIES.includes(c)) throw new Error(`--only takes one of ${CATEGORIES.join(', ')}`);
      o.only = c;
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function counts(o: Options): Record<Category, number> {
  const out = {} as Record<Category, number>;
  for (const c of CATEGORIES) out[c] = o.only && o.only !== c ? 0 : o.slice ? SLICE[c] : Math.round(o.inputs * (o.only ? 1 : WEIGHTS[c]));
  // Rounding: the largest share takes the difference, so that --inputs N is N inputs.
  if (!o.slice && !o.only) out.elf += o.inputs - CATEGORIES.reduce((s, c) => s + out[c], 0);
  return out;
}

/** Jobs interleaved across categories, so that both workers always have a mix. */
function* jobs(o: Options, n: Record<Category, number>): Generator<Job> {
  const total = CATEGORIES.reduce((s, c) => s + n[c], 0);
  const issued = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (let k = 0; k < total; k++) {
    // The category furthest behind its share goes next.
    const c = CATEGORIES.filter((x) => issued[x] < n[x]).sort((a, b) => issued[a] / n[a] - issued[b] / n[b])[0] as Category;
    yield { kind: 'make', seed: o.seed, category: c, index: issued[c]++, full: !o.slice };
  }
}

interface Figures {
  inputs: number;
  cpuNs: number;
  heapPeak: number;
  crash: number;
  hang: number;
  blank: number;
}

function table(rows: [string, Figures][]): string {
  const head = ['category', 'inputs', 'CPU s', 'CPU ms/input', 'peak heap MB', 'crashes', 'hangs', 'blanks'];
  const body = rows.map(([c, f]) => [c, String(f.inputs), (f.cpuNs / 1e9).toFixed(1), f.inputs ? (f.cpuNs / 1e6 / f.inputs).toFixed(2) : '-', (f.heapPeak / 2 ** 20).toFixed(0), String(f.crash), String(f.hang), String(f.blank)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((x, i) => (i ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const o = parse(process.argv.slice(2));
  const n = counts(o);
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  ensureBuilt();
  loadCorpus();
  // The structural objects are compiled here, once, before the workers read them from the cache.
  if (n.structural) for (const s of shapes(!o.slice)) shapeObject(s);
  const limits: Limits = { cpuMs: o.cpuMs, wallMs: 30_000, heapMb: 1536 };
  const figures = Object.fromEntries(CATEGORIES.map((c) => [c, { inputs: 0, cpuNs: 0, heapPeak: 0, crash: 0, hang: 0, blank: 0 }])) as Record<Category, Figures>;
  const failures: { job: Extract<Job, { kind: 'make' }>; r: RunResult }[] = [];
  const total = CATEGORIES.reduce((s, c) => s + n[c], 0);
  let finished = 0;
  console.log(`fuzz: ${total} inputs, seed ${o.seed}, ${o.workers} workers, CPU budget ${o.cpuMs} ms per input${o.slice ? ' (slice)' : ''}`);
  await runPool(o.workers, limits, jobs(o, n), (job, r) => {
    if (job.kind !== 'make') return;
    const f = figures[job.category];
    f.inputs++;
    f.cpuNs += r.cpuNs;
    f.heapPeak = Math.max(f.heapPeak, r.heapBytes);
    if (r.kind !== 'ok') {
      f[r.kind]++;
      failures.push({ job, r });
      console.log(`fuzz: ${r.kind.toUpperCase()} ${job.category} #${job.index} (${r.what}): ${r.detail.split('\n')[0]}`);
    }
    if (++finished % 5000 === 0) console.log(`fuzz: ${finished}/${total} after ${Math.round((Date.now() - started) / 1000)} s`);
  });
  const wall = (Date.now() - started) / 1000;
  const used = process.cpuUsage(cpu0);
  console.log('');
  console.log(table(CATEGORIES.filter((c) => n[c]).map((c) => [c, figures[c]])));
  const all = CATEGORIES.reduce((s, c) => ({ inputs: s.inputs + figures[c].inputs, cpuNs: s.cpuNs + figures[c].cpuNs, heapPeak: Math.max(s.heapPeak, figures[c].heapPeak), crash: s.crash + figures[c].crash, hang: s.hang + figures[c].hang, blank: s.blank + figures[c].blank }), { inputs: 0, cpuNs: 0, heapPeak: 0, crash: 0, hang: 0, blank: 0 });
  console.log(table([['total', all]]).split('\n')[1]);
  console.log(`fuzz: ${wall.toFixed(0)} s wall, ${((used.user + used.system) / 1e6).toFixed(0)} s CPU for the whole process (workers, watchdog, set-up), max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  for (const { job, r } of failures) {
    const alone = await runAlone(limits, job);
    const input = makeInput(job.seed, job.category, job.index, job.full);
    if (o.save) {
      const at = saveRegression(input, { category: job.category, what: input.what, failure: { kind: r.kind, detail: r.detail.slice(0, 4000) }, reproducedAlone: alone.kind !== 'ok', found: new Date().toISOString().slice(0, 10), status: 'open' });
      console.log(`fuzz: kept ${at} (${alone.kind === 'ok' ? 'did not fail alone' : `fails alone: ${alone.kind}`})`);
    }
  }
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`fuzz: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  },
);
