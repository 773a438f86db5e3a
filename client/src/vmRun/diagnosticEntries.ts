// Per-call and per-program results as diagnostics (source `bpf-assoc VM`): the API's
// vmDiagnostics() says where and what; this groups them by file and gives each a code from the
// verdict of its cell, so Problems can be filtered. An answer the analysis predicted is no problem:
// it stays in the results view and out of Problems. Pure, so it is unit-tested.
import type { Location } from '../../../server/src/protocol';
import type { Verdict, VmDiagnostic, VmRunResults } from '../../../remote/src/index';

export const VM_DIAGNOSTIC_SOURCE = 'bpf-assoc VM';

export interface DiagnosticEntry {
  range: Location['range'];
  severity: VmDiagnostic['severity'];
  message: string;
  code: string;
  target: string;
}

const CODE: Partial<Record<Verdict, string>> = {
  mismatch: 'differs-from-prediction',
  'kernel-lacks-command': 'kernel-lacks-command',
  unpredicted: 'no-prediction',
};

export function diagnosticEntries(r: VmRunResults, diagnostics: VmDiagnostic[]): Map<string, DiagnosticEntry[]> {
  const byFile = new Map<string, DiagnosticEntry[]>();
  for (const d of diagnostics) {
    const verdict = r.rows.find((row) => row.key === d.row)?.observed[d.target]?.verdict;
    if (verdict === 'match') continue;
    const entry: DiagnosticEntry = { range: d.location.range, severity: d.severity, message: d.message, code: (verdict && CODE[verdict]) ?? 'vm-result', target: d.target };
    const list = byFile.get(d.location.file) ?? [];
    list.push(entry);
    byFile.set(d.location.file, list);
  }
  return byFile;
}
