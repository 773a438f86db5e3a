// `npm run realcode`: the real-code gate (docs/realcode.md). Fetches the pinned Debian sources,
// compiles their BPF objects, reads the truth from the objects, runs bpf-assoc on the sources alone
// and with the objects, and fails when a figure is worse than realcode/baseline.json.
//
//   npm run realcode                        measure, write docs/realcode.md, check the baseline
//   npm run realcode -- --update-baseline   ... and record the figures as the new baseline
//   npm run realcode -- --tree NAME         one tree only (no report, no baseline check)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBaseline, readBaseline, toBaseline } from './baseline';
import { readDisagreementReasons } from './explain';
import { readReviews } from './findings';
import { measureTree, unavailableTree, type TreeResult } from './measure';
import { writeLatest, writeReport } from './report';
import { cacheRoot, compilers, hostHeaders, includeDir } from './toolchain';
import { kernelTrees } from './trees';

const here = __dirname;
const repo = join(here, '..');

function fetchTrees(): Map<string, string> {
  const out = execFileSync('bash', [join(here, 'fetch.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const found = new Map<string, string>();
  for (const line of out.trim().split('\n')) {
    const [name, ...rest] = line.split(' ');
    if (name) found.set(name, rest.join(' '));
  }
  return found;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const only = args.includes('--tree') ? args[args.indexOf('--tree') + 1] : undefined;
  const update = args.includes('--update-baseline');
  const started = Date.now();
  const log = (s: string): void => console.log(s);
  log('realcode: fetching the pinned sources');
  const fetched = fetchTrees();
  const linux = fetched.get('linux') as string;
  const vmlinux = fetched.get('vmlinux')?.startsWith('/') ? (fetched.get('vmlinux') as string) : null;
  const { reviews, problems } = readReviews(join(here, 'reviewed.txt'));
  if (problems.length) {
    console.error(problems.join('\n'));
    return 1;
  }
  const reasons = readDisagreementReasons(join(here, 'disagreements.txt'));
  const ctx = { linux, include: (await includeDir(linux, vmlinux)).dir, compilers: await compilers(), hostHeaders: await hostHeaders(), reviews, reasons, log };
  const vmlinuxFrom = (await includeDir(linux, vmlinux)).vmlinuxFrom;
  if (!ctx.compilers.length) throw new Error('no clang found: run scripts/setup.sh');
  log(`realcode: compilers ${ctx.compilers.map((c) => c.version).join(', ')}; vmlinux.h from ${vmlinuxFrom}`);
  const results: TreeResult[] = [];
  for (const tree of kernelTrees(linux)) {
    if (only && tree.name !== only) continue;
    log(`realcode: ${tree.name}`);
    results.push(await measureTree(tree, ctx));
  }
  const udev = fetched.get('udev-hid-bpf') ?? 'unavailable: not fetched';
  if (!only) results.push(unavailableTree('udev-hid-bpf', udev.startsWith('/') ? 'its build (meson) is not modelled yet' : udev.replace(/^unavailable: /, '')));
  const seconds = (Date.now() - started) / 1000;
  mkdirSync(cacheRoot(), { recursive: true });
  writeFileSync(join(cacheRoot(), 'results.json'), JSON.stringify(results, null, 1));
  writeLatest(results, '/tmp/realcode-latest.md');
  if (only) return 0;
  const env = { compilers: ctx.compilers.map((c) => c.version), vmlinuxFrom, seconds };
  const baselinePath = join(here, 'baseline.json');
  const verdict = checkBaseline(results, readBaseline(baselinePath));
  if (update) writeFileSync(baselinePath, `${JSON.stringify(toBaseline(results), null, 1)}\n`);
  writeReport(results, env, join(repo, 'docs/realcode.md'));
  log(`realcode: done in ${seconds.toFixed(0)} s; docs/realcode.md written`);
  for (const line of verdict.notes) log(`realcode: ${line}`);
  if (verdict.failures.length && !update) {
    console.error(`realcode: FAILED against realcode/baseline.json:\n${verdict.failures.map((f) => `  - ${f}`).join('\n')}`);
    return 1;
  }
  log(update ? 'realcode: baseline updated (realcode/baseline.json)' : 'realcode: baseline held (realcode/baseline.json: no figure worse, no new false error or warning, nothing unjudged)');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`realcode: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  },
);
