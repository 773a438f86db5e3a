// The notifications after a run: one per target that needs one. Failures show the API's
// classified message as it is (host unreachable, authentication failed, host key changed, no
// root, no compiler or libbpf, load failure, VM died, timeout), with "Show Transcript"; a kernel
// without BPF_PROG_ASSOC_STRUCT_OPS gets the API's own sentence; answers that differ from the
// prediction get a warning. Pure, so it is unit-tested.
import type { TargetResult, VmRunResults } from '../../../remote/src/index';

export type RunAction = 'Show Transcript' | 'Show Results' | 'Set Up Built-in VM' | 'Open Settings';

export interface RunMessage {
  severity: 'error' | 'warning' | 'info';
  target: string;
  text: string;
  actions: RunAction[];
}

/** Failures a settings change fixes. */
const SETTINGS_KINDS = new Set(['auth-failed', 'host-key-unknown', 'no-root', 'no-compiler', 'no-libbpf', 'arch-mismatch', 'ssh-config', 'upload-failed']);

function heading(t: TargetResult): string {
  return `${t.target}${t.kernel ? ` (${t.kernel})` : ''}`;
}

function failure(t: TargetResult): RunMessage {
  const kind = t.error?.kind;
  const actions: RunAction[] = kind === 'vm-setup-missing' ? ['Set Up Built-in VM', 'Show Transcript'] : SETTINGS_KINDS.has(kind ?? '') ? ['Show Transcript', 'Open Settings'] : ['Show Transcript'];
  return { severity: 'error', target: t.target, text: `${t.target}: ${t.message}`, actions };
}

export function runMessages(r: VmRunResults, kernelLacksCommand: string): RunMessage[] {
  const out: RunMessage[] = [];
  for (const t of r.targets) {
    if (t.status === 'cancelled') {
      out.push({ severity: 'info', target: t.target, text: `${t.target}: ${t.message}`, actions: ['Show Transcript'] });
      continue;
    }
    if (t.status === 'error' || t.status === 'load-failed') {
      out.push(failure(t));
      continue;
    }
    const differs = r.rows.filter((row) => row.observed[t.target]?.verdict === 'mismatch');
    if (differs.length) {
      out.push({
        severity: 'warning',
        target: t.target,
        text: `${heading(t)}: ${differs.length} answer${differs.length === 1 ? '' : 's'} differ${differs.length === 1 ? 's' : ''} from the prediction (${differs.map((d) => d.label).join(', ')}).`,
        actions: ['Show Results', 'Show Transcript'],
      });
    }
    if (t.notes.includes(kernelLacksCommand)) {
      out.push({ severity: 'info', target: t.target, text: `${heading(t)}: ${kernelLacksCommand}`, actions: ['Show Results'] });
    }
  }
  return out;
}

/** The one-line summary for the output channel and the status of the run. */
export function runSummary(r: VmRunResults): string {
  return r.targets.map((t) => `${heading(t)}: ${t.status}`).join('; ');
}
