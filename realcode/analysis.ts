// bpf-assoc's answer for a tree: `node dist/cli.js check PATHS --format json` (docs/model.md), run
// from the unpacked kernel's top directory so that files are named relative to it.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc';

export interface ModelProgram { object: string; name: string; section: string; file: string; line: number }
export interface ModelSlot { member: string; program: string; origin?: string; file?: string; line?: number }
export interface ModelMap { object: string; name: string; type: string; slots: ModelSlot[] }
export interface ModelFinding {
  ruleId: string;
  level: 'error' | 'warning' | 'info';
  message: string;
  file: string;
  line: number;
  column: number;
  object?: string;
}
export interface Model {
  objects: { id: string; sources: string[]; objectFiles: string[]; truth: string }[];
  programs: ModelProgram[];
  maps: ModelMap[];
  findings: ModelFinding[];
  stats: Record<string, number>;
}

export interface AnalysisRun {
  model: Model | null;
  /** Why there is no model (the CLI's exit status 2, unreadable JSON). */
  failure: string | null;
  seconds: number;
}

const repo = join(__dirname, '..');

export async function analyse(cwd: string, paths: string[], scratch: string): Promise<AnalysisRun> {
  const out = `${scratch}.json`;
  rmSync(out, { force: true });
  const t0 = Date.now();
  const r = await run(['node', join(repo, 'dist/cli.js'), 'check', ...paths, '--format', 'json', '--output', out], { cwd, nice: true });
  const seconds = (Date.now() - t0) / 1000;
  if (r.code !== 0 && r.code !== 1) return { model: null, failure: `bpf-assoc check exited ${r.code}: ${r.stderr.trim().slice(0, 500)}`, seconds };
  try {
    return { model: JSON.parse(readFileSync(out, 'utf8')) as Model, failure: null, seconds };
  } catch (e) {
    return { model: null, failure: `bpf-assoc check wrote no readable JSON: ${(e as Error).message}`, seconds };
  }
}

/** The program a finding is about: the first `name` in its message that is a program of its object. */
export function findingProgram(model: Model, f: ModelFinding): string {
  const names = new Set(model.programs.filter((p) => p.object === f.object).map((p) => p.name));
  for (const m of f.message.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) if (names.has(m[1] as string)) return m[1] as string;
  return '-';
}
