// OpenSSH argv building. Pure: every ssh invocation of a run is an argv array made here, and
// every command the target's shell sees is built from an argv with POSIX quoting, so file
// names with spaces, quotes, newlines or `$(...)` reach the remote program as one argument.
import type { VmTarget } from './targets';

/** One word for a POSIX shell: single-quoted unless it is made only of safe characters. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument for the remote shell contains a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line ssh hands to the remote user's shell (`$SHELL -c LINE`) for this argv. */
export function remoteCommand(argv: readonly string[]): string {
  if (!argv.length) throw new Error('empty remote command');
  return argv.map(shellQuote).join(' ');
}

/**
 * A fixed POSIX script run with `sh -c SCRIPT sh ARG...`: user data travels only as positional
 * parameters ("$1", "$2", ...), never inside the script text.
 */
export function remoteScript(script: string, args: readonly string[] = []): string {
  return remoteCommand(['sh', '-c', script, 'sh', ...args]);
}

export interface SshOptions {
  /** Unix socket of the run's master connection. */
  controlPath: string;
  /** Seconds for ssh's own TCP connect. */
  connectTimeout: number;
}

/** Options every ssh invocation of a run shares: the target's settings and the safety options. */
export function sshCommonArgs(t: VmTarget, o: Pick<SshOptions, 'connectTimeout'>): string[] {
  const args: string[] = [];
  if (t.sshConfig) args.push('-F', t.sshConfig);
  if (t.port !== undefined) args.push('-p', String(t.port));
  if (t.identityFile) args.push('-i', t.identityFile);
  args.push(
    '-o', 'BatchMode=yes', // no password, passphrase or host-key prompt can hang a run
    '-o', `ConnectTimeout=${Math.max(1, Math.ceil(o.connectTimeout))}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
  );
  // The user's known_hosts decides; a new key is accepted only when the target says so.
  if (t.acceptNewHostKey) args.push('-o', 'StrictHostKeyChecking=accept-new');
  return args;
}

/**
 * The master connection: runs `echo ready`, then waits on its stdin so that it ends when this
 * process goes away. Sessions of the run multiplex over it (ControlMaster=no, same ControlPath).
 */
export function masterArgs(t: VmTarget, o: SshOptions): string[] {
  return [
    ...sshCommonArgs(t, o),
    '-o', 'ControlMaster=yes',
    '-o', `ControlPath=${o.controlPath}`,
    '-o', 'ControlPersist=no',
    '-T',
    '--', t.host,
    remoteScript('echo bpf-assoc-ready; exec cat >/dev/null'),
  ];
}

export const MASTER_READY = 'bpf-assoc-ready';

/** One command over the master connection. */
export function sessionArgs(t: VmTarget, o: SshOptions, argv: readonly string[]): string[] {
  return [
    ...sshCommonArgs(t, o),
    '-o', 'ControlMaster=no',
    '-o', `ControlPath=${o.controlPath}`,
    '-T',
    '--', t.host,
    remoteCommand(argv),
  ];
}

/** `ssh -G`: the settings ssh would use for this target, without connecting. */
export function resolveArgs(t: VmTarget): string[] {
  return [...sshCommonArgs(t, { connectTimeout: 1 }), '-G', '--', t.host];
}

export interface ResolvedSsh {
  user: string;
  hostname: string;
  port: number;
  /** Options that change what a run sees (ProxyJump, ControlMaster the user set, ...). */
  options: Record<string, string>;
}

/** Parses `ssh -G` output (one `key value` per line, keys in lower case). */
export function parseResolved(text: string): ResolvedSsh {
  const options: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined && !(m[1] in options)) options[m[1].toLowerCase()] = m[2];
  }
  return {
    user: options.user ?? '',
    hostname: options.hostname ?? '',
    port: Number(options.port ?? 22),
    options,
  };
}

/** `user@hostname:port`, for the transcript and the results' column header. */
export function describeResolved(r: ResolvedSsh): string {
  return `${r.user ? r.user + '@' : ''}${r.hostname}${r.port !== 22 ? ':' + r.port : ''}`;
}
