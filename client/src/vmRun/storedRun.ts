// The last run, kept as JSON in the workspace's storage (vm-last-run.json) so "Show Last VM
// Report" reopens it after a restart. The file holds the API's VmRunResults (plan, every target's
// report and transcript) and when the run happened. Pure: text in, run out (or null).
import type { VmRunResults } from '../../../remote/src/index';

export const STORED_RUN_FILE = 'vm-last-run.json';

export interface StoredRun {
  schema: 'bpf-assoc-editor-vm-run';
  version: 1;
  /** ISO time the run finished. */
  finished: string;
  /** Command to results, in the editor. */
  durationMs: number;
  results: VmRunResults;
}

export function storedRun(results: VmRunResults, finished: Date, durationMs: number): StoredRun {
  return { schema: 'bpf-assoc-editor-vm-run', version: 1, finished: finished.toISOString(), durationMs, results };
}

/** The stored run, or null when the file is from another version or not a run at all. */
export function parseStoredRun(text: string): StoredRun | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Partial<StoredRun>;
  const r = s.results as Partial<VmRunResults> | undefined;
  if (s.schema !== 'bpf-assoc-editor-vm-run' || s.version !== 1 || typeof s.finished !== 'string' || typeof s.durationMs !== 'number') return null;
  if (!r || r.schema !== 'bpf-assoc-vm-run' || r.version !== 1 || !Array.isArray(r.targets) || !Array.isArray(r.rows) || typeof r.plan !== 'object') return null;
  return s as StoredRun;
}
