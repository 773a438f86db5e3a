// The committed baseline (realcode/baseline.json) and the gate: a figure worse than the baseline,
// a new false error or warning, or any finding nobody has judged fails the run.
import { existsSync, readFileSync } from 'node:fs';
import { agreement, type Tally } from './compare';
import type { ClassifiedFinding } from './findings';
import type { TreeResult } from './measure';

interface TreeBaseline {
  unavailable?: string;
  compiled: number;
  /** Agreement in percent, from sources alone and with the objects. */
  sourcesOnly: { programs: number; maps: number; slots: number };
  withObjects: { programs: number; maps: number; slots: number };
  /** False error and warning findings known at the baseline (tree | file | program | rule). */
  falseFindings: string[];
  staleObjects: number;
}

export type Baseline = Record<string, TreeBaseline>;

const key = (f: ClassifiedFinding): string => `${f.file} | ${f.program} | ${f.rule}`;
const pct = (t: Tally | undefined): number => (t ? Math.round(agreement(t) * 100) / 100 : 0);
const serious = (f: ClassifiedFinding): boolean => f.level === 'error' || f.level === 'warning';

export function toBaseline(results: TreeResult[]): Baseline {
  const b: Baseline = {};
  for (const r of results) {
    const s = r.sourcesOnly.comparison;
    const o = r.withObjects.comparison;
    b[r.name] = {
      ...(r.unavailable ? { unavailable: r.unavailable } : {}),
      compiled: r.compile.compiled,
      sourcesOnly: { programs: pct(s?.programs), maps: pct(s?.maps), slots: pct(s?.slots) },
      withObjects: { programs: pct(o?.programs), maps: pct(o?.maps), slots: pct(o?.slots) },
      falseFindings: [...new Set(r.findings.filter((f) => serious(f) && f.verdict === 'false').map(key))].sort(),
      staleObjects: r.stale.filter((f) => f.rule === 'stale-object').length,
    };
  }
  return b;
}

export function readBaseline(path: string): Baseline {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Baseline) : {};
}

export function checkBaseline(results: TreeResult[], baseline: Baseline): { failures: string[]; notes: string[] } {
  const failures: string[] = [];
  const notes: string[] = [];
  const now = toBaseline(results);
  for (const [name, was] of Object.entries(baseline)) {
    const is = now[name];
    if (!is) failures.push(`${name}: the baseline has this tree, this run did not measure it`);
    else if (is.unavailable && !was.unavailable) failures.push(`${name}: unavailable (${is.unavailable}); the baseline measured it`);
  }
  for (const r of results) {
    const is = now[r.name] as TreeBaseline;
    const was = baseline[r.name];
    if (r.unavailable) {
      notes.push(`${r.name}: not measured: ${r.unavailable}`);
      continue;
    }
    for (const run of ['sourcesOnly', 'withObjects'] as const) {
      if (r[run].failure) failures.push(`${r.name}: bpf-assoc failed (${run}): ${r[run].failure}`);
      for (const what of ['programs', 'maps', 'slots'] as const) {
        if (was && is[run][what] < was[run][what]) failures.push(`${r.name}: ${what} agreement (${run}) fell from ${was[run][what]}% to ${is[run][what]}%`);
      }
    }
    if (was && is.compiled < was.compiled) failures.push(`${r.name}: ${is.compiled} objects compiled, the baseline had ${was.compiled}`);
    if (was && is.staleObjects > was.staleObjects) failures.push(`${r.name}: ${is.staleObjects} stale-object findings on freshly built objects, the baseline had ${was.staleObjects}`);
    const known = new Set(was?.falseFindings ?? []);
    for (const f of r.findings.filter((x) => serious(x) && x.verdict === 'false' && !known.has(key(x)))) {
      failures.push(`${r.name}: new false ${f.level} ${f.file}:${f.line} [${f.rule}] on \`${f.program}\`: ${f.reason}`);
    }
    for (const f of [...r.findings, ...r.stale].filter((x) => x.verdict === 'unreviewed')) {
      failures.push(`${r.name}: unreviewed ${f.level} ${f.file}:${f.line} [${f.rule}] on \`${f.program}\` (${f.reason}): judge it in realcode/reviewed.txt`);
    }
    const falseNow = is.falseFindings.length;
    if (falseNow) notes.push(`${r.name}: ${falseNow} false error/warning finding(s) remain (target 0)`);
  }
  return { failures, notes };
}
