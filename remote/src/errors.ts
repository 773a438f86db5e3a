// Why a VM run failed, in words a user can act on. Pure: classifies what ssh, the target's shell
// and the agent printed; the IO edge (run.ts) decides when each classification applies.

export type VmErrorKind =
  | 'ssh-missing'
  | 'ssh-config'
  | 'unreachable'
  | 'connect-timeout'
  | 'auth-failed'
  | 'host-key-changed'
  | 'host-key-unknown'
  | 'no-root'
  | 'no-compiler'
  | 'no-libbpf'
  | 'agent-build-failed'
  | 'arch-mismatch'
  | 'upload-failed'
  | 'vm-died'
  | 'run-timeout'
  | 'agent-failed'
  | 'bad-report'
  | 'cancelled'
  | 'vm-setup-missing'
  | 'vm-boot-failed';

export class VmError extends Error {
  constructor(
    readonly kind: VmErrorKind,
    message: string,
    /** Raw output that explains it (ssh's stderr, the compiler's errors). */
    readonly detail = '',
  ) {
    super(message);
    this.name = 'VmError';
  }
}

/**
 * Throws the run's cancellation when Cancel was pressed: every step of a run calls it before it
 * starts, so a Cancel that arrived while another step was finishing is not lost.
 */
export function throwIfCancelled(signal: AbortSignal | undefined, step: string): void {
  if (signal?.aborted) throw new VmError('cancelled', `Cancelled before ${step}.`);
}

/** The message shown when the kernel does not know BPF_PROG_ASSOC_STRUCT_OPS. */
export const KERNEL_LACKS_COMMAND = 'The kernel lacks BPF_PROG_ASSOC_STRUCT_OPS (bpf command 38): it needs Linux 7.0 or later; the static analysis still applies.';

function lastLines(text: string, n = 6): string {
  return text.trim().split('\n').filter((l) => l.trim()).slice(-n).join('\n');
}

/**
 * Classifies an ssh failure (exit status 255, or a connection that could not be made) from its
 * stderr. `established` says whether the connection had been up: a drop after that is the VM
 * dying (or the network to it), not a refusal.
 */
export function classifySshFailure(target: string, stderr: string, established: boolean): VmError {
  const s = stderr;
  const detail = lastLines(s, 12);
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(s)) {
    return new VmError('host-key-changed', `The host key of ${target} has changed since it was recorded in known_hosts. If the VM was rebuilt, remove the old key (ssh-keygen -R HOST); otherwise someone may be intercepting the connection. bpf-assoc never replaces a known key.`, detail);
  }
  if (/No \S+ host key is known for|Host key verification failed/i.test(s)) {
    return new VmError('host-key-unknown', `The host key of ${target} is not in known_hosts and ssh runs without prompts. Connect once with ssh to check and record it, or set "acceptNewHostKey": true for this target.`, detail);
  }
  if (/Permission denied \(|Too many authentication failures|no mutual signature|Authentication failed/i.test(s)) {
    return new VmError('auth-failed', `Authentication to ${target} failed: ssh found no key the target accepts (password prompts are disabled). Set "identityFile", load the key into ssh-agent, or check the user name.`, detail);
  }
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(s)) {
    return new VmError('unreachable', `${target} is unreachable: its host name does not resolve.`, detail);
  }
  if (/Connection refused/i.test(s)) {
    return new VmError('unreachable', `${target} is unreachable: the connection was refused (is the VM running and is sshd listening on that port?).`, detail);
  }
  if (/Connection timed out|Operation timed out|No route to host|Network is unreachable|Connection timed out during banner exchange/i.test(s)) {
    return new VmError('unreachable', `${target} is unreachable: the connection timed out.`, detail);
  }
  if (/Bad configuration option|Unsupported option|line \d+: |Can't open user config file|no argument after keyword/i.test(s) && !established) {
    return new VmError('ssh-config', `ssh cannot use the configuration for ${target}.`, detail);
  }
  if (!established && /kex_exchange_identification|Connection closed by .* port/i.test(s)) {
    return new VmError('unreachable', `${target} is unreachable: the connection was closed before ssh could talk to the server (is sshd up yet?).`, detail);
  }
  if (established || /closed by remote host|Connection reset|Broken pipe|Timeout, server .* not responding|client_loop|mux_client|Control socket connect/i.test(s)) {
    return new VmError('vm-died', `The connection to ${target} was lost during the run: the VM stopped or its network went away. Nothing the agent loaded survives a VM that died; on a VM that is still up, the agent cleans up when it finishes.`, detail);
  }
  return new VmError('unreachable', `ssh to ${target} failed${detail ? `: ${lastLines(s, 1)}` : ''}.`, detail);
}

/** What the preflight script prints, one `key=value` per line (see run.ts). */
export interface Preflight {
  uid: number;
  sudo: 'ok' | 'fail' | 'unused';
  arch: string;
  cc: string;
  libbpf: 'yes' | 'no' | 'unchecked';
  release: string;
  /**
   * The agent of this variant on the target: `cached` when its content is the one built for it
   * (then cc and libbpf are not probed: nothing is built), `stale` when a file is there with other
   * content, `absent` when there is none.
   */
  agent: 'cached' | 'stale' | 'absent';
}

export function parsePreflight(text: string): Preflight | null {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const uid = Number(kv.get('uid'));
  if (!kv.has('uid') || !Number.isInteger(uid)) return null;
  const sudo = kv.get('sudo');
  const libbpf = kv.get('libbpf');
  const agent = kv.get('agent');
  return {
    uid,
    sudo: sudo === 'ok' || sudo === 'fail' ? sudo : 'unused',
    arch: kv.get('arch') ?? '',
    cc: kv.get('cc') ?? '',
    libbpf: libbpf === 'yes' || libbpf === 'no' ? libbpf : 'unchecked',
    release: kv.get('release') ?? '',
    agent: agent === 'cached' || agent === 'stale' ? agent : 'absent',
  };
}

/** Problems the preflight shows before anything is uploaded, or null when the run can go on. */
export function preflightProblem(target: string, p: Preflight, o: { sudo: boolean; agentBuild: 'remote' | 'local-static'; localArch: string }, detail: string): VmError | null {
  if (o.sudo && p.sudo !== 'ok') {
    return new VmError('no-root', `${target}: "sudo": true, but sudo -n does not work there (no sudo, or it wants a password). Allow NOPASSWD for the agent, or log in as root.`, detail);
  }
  if (!o.sudo && p.uid !== 0) {
    return new VmError('no-root', `${target}: the user (uid ${p.uid}) is not root, and loading BPF programs needs root (CAP_BPF and CAP_SYS_ADMIN). Log in as root or set "sudo": true.`, detail);
  }
  if (o.agentBuild === 'local-static' && p.arch && p.arch !== o.localArch) {
    return new VmError('arch-mismatch', `${target} is ${p.arch}, but the locally built static agent is ${o.localArch}. Set "agentBuild": "remote".`, detail);
  }
  // A cached agent is run as it is: the target needs a compiler and libbpf's headers only to build one.
  if (p.agent === 'cached') return null;
  if (o.agentBuild === 'remote' && !p.cc) {
    return new VmError('no-compiler', `${target} has no C compiler (cc, gcc or clang) to build the agent. Install one with libbpf's headers (Debian: gcc libbpf-dev), or set "agentBuild": "local-static".`, detail);
  }
  if (o.agentBuild === 'remote' && p.libbpf === 'no') {
    return new VmError('no-libbpf', `${target} has no libbpf development files (bpf/libbpf.h and libbpf.so). Install libbpf-dev (or libbpf-devel), or set "agentBuild": "local-static".`, detail);
  }
  return null;
}

/** A failed remote build of the agent: a missing libbpf header or library, or something else. */
export function classifyBuildFailure(target: string, output: string): VmError {
  const detail = lastLines(output, 20);
  if (/bpf\/(libbpf|bpf)\.h: No such file|cannot find -lbpf|libbpf\.so.*not found/i.test(output)) {
    return new VmError('no-libbpf', `${target} has no usable libbpf development files; the agent cannot be built there. Install libbpf-dev, or set "agentBuild": "local-static".`, detail);
  }
  return new VmError('agent-build-failed', `The agent did not build on ${target}.`, detail);
}
