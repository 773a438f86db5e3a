// VM targets: the `bpfAssoc.vm.targets` setting (and the CLI's --targets-file), validated into
// plain data with defaults. Pure: no file or process access here.

export type AgentBuild = 'remote' | 'local-static';

export interface VmTarget {
  /** Unique name; the column title in results. */
  name: string;
  /** An ssh alias from the user's ssh config, `host`, or `user@host`. */
  host: string;
  port?: number;
  /** An ssh config file to use instead of ~/.ssh/config (`ssh -F`). */
  sshConfig?: string;
  identityFile?: string;
  /** Directory on the target for uploads and builds; each run uses its own subdirectory. */
  remoteDir: string;
  /** Run the agent through `sudo -n` (never prompts; needs NOPASSWD). */
  sudo: boolean;
  /** Build the agent on the target against its libbpf, or here as a static x86-64 binary. */
  agentBuild: AgentBuild;
  /** Attach struct_ops maps (registers them in the kernel: a sched_ext scheduler replaces the running one). */
  allowAttach: boolean;
  /** Let ssh add an unknown host key to known_hosts (StrictHostKeyChecking=accept-new). */
  acceptNewHostKey: boolean;
  /** Seconds to establish the ssh connection. */
  connectTimeout: number;
  /** Seconds for upload, build and the agent's run together. */
  runTimeout: number;
}

export const TARGET_DEFAULTS = {
  // In the user's home: shared between users /tmp would clash, and /tmp is often noexec.
  remoteDir: '~/.cache/bpf-assoc',
  sudo: false,
  agentBuild: 'remote' as AgentBuild,
  allowAttach: false,
  acceptNewHostKey: false,
  connectTimeout: 15,
  runTimeout: 120,
};

/** JSON schema of one target, for `contributes.configuration` (`bpfAssoc.vm.targets` items). */
export const TARGET_JSON_SCHEMA = {
  type: 'object',
  required: ['name', 'host'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', description: 'Name shown as the result column, e.g. "6.12 (vng)".' },
    host: { type: 'string', description: 'ssh alias, host or user@host.' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    sshConfig: { type: 'string', description: 'ssh config file (ssh -F), e.g. the one virtme-ng writes.' },
    identityFile: { type: 'string' },
    remoteDir: { type: 'string', default: TARGET_DEFAULTS.remoteDir },
    sudo: { type: 'boolean', default: false, description: 'Run the agent with sudo -n (needs NOPASSWD).' },
    agentBuild: { enum: ['remote', 'local-static'], default: 'remote', description: 'Build the agent on the target (needs cc and libbpf-dev there) or here as a static binary.' },
    allowAttach: { type: 'boolean', default: false, description: 'Attach struct_ops maps on this target (replaces a running sched_ext scheduler).' },
    acceptNewHostKey: { type: 'boolean', default: false, description: 'Add an unknown host key to known_hosts (StrictHostKeyChecking=accept-new).' },
    connectTimeout: { type: 'number', minimum: 1, default: TARGET_DEFAULTS.connectTimeout },
    runTimeout: { type: 'number', minimum: 1, default: TARGET_DEFAULTS.runTimeout },
  },
} as const;

export interface TargetProblem {
  /** Index in the list, or -1 for the list itself. */
  index: number;
  message: string;
}

const NAME = /^[^\n\r\0]{1,64}$/;
/** An ssh destination: no leading '-' (it would be read as an option), no whitespace or NUL. */
const HOST = /^(?!-)[^\s\0]{1,255}$/;

/** Validates a list of targets from settings or a file; bad entries are dropped with a problem. */
export function parseTargets(value: unknown): { targets: VmTarget[]; problems: TargetProblem[] } {
  const targets: VmTarget[] = [];
  const problems: TargetProblem[] = [];
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.targets) ? value.targets : null;
  if (!list) return { targets, problems: [{ index: -1, message: 'expected a list of targets (or { "targets": [...] })' }] };
  list.forEach((raw: unknown, index: number) => {
    const bad = (message: string): void => {
      problems.push({ index, message: `target ${index + 1}${isRecord(raw) && typeof raw.name === 'string' ? ` (${raw.name})` : ''}: ${message}` });
    };
    if (!isRecord(raw)) return bad('not an object');
    const t = parseTarget(raw, bad);
    if (!t) return;
    if (targets.some((o) => o.name === t.name)) return bad(`the name "${t.name}" is used twice`);
    targets.push(t);
  });
  return { targets, problems };
}

function parseTarget(raw: Record<string, unknown>, bad: (m: string) => void): VmTarget | null {
  const known = new Set(Object.keys(TARGET_JSON_SCHEMA.properties));
  for (const k of Object.keys(raw)) if (!known.has(k)) bad(`unknown setting "${k}" (ignored)`);
  const str = (k: string): string | undefined | null => {
    const v = raw[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v.length || v.includes('\0')) {
      bad(`"${k}" must be a non-empty string`);
      return null;
    }
    return v;
  };
  const bool = (k: string, d: boolean): boolean | null => {
    const v = raw[k];
    if (v === undefined) return d;
    if (typeof v !== 'boolean') {
      bad(`"${k}" must be true or false`);
      return null;
    }
    return v;
  };
  const num = (k: string, d: number | undefined, min: number, max: number): number | undefined | null => {
    const v = raw[k];
    if (v === undefined) return d;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      bad(`"${k}" must be a number from ${min} to ${max}`);
      return null;
    }
    return v;
  };
  const name = str('name');
  const host = str('host');
  if (name === undefined || host === undefined) {
    bad('"name" and "host" are required');
    return null;
  }
  if (name === null || host === null) return null;
  if (!NAME.test(name)) return bad('"name" must be one line of at most 64 characters'), null;
  if (!HOST.test(host)) return bad(`"host" must be an ssh alias, host or user@host without spaces and not starting with "-"`), null;
  const agentBuild = raw.agentBuild ?? TARGET_DEFAULTS.agentBuild;
  if (agentBuild !== 'remote' && agentBuild !== 'local-static') return bad('"agentBuild" must be "remote" or "local-static"'), null;
  const fields = {
    port: num('port', undefined, 1, 65535),
    sshConfig: str('sshConfig'),
    identityFile: str('identityFile'),
    remoteDir: str('remoteDir') ?? TARGET_DEFAULTS.remoteDir,
    sudo: bool('sudo', TARGET_DEFAULTS.sudo),
    allowAttach: bool('allowAttach', TARGET_DEFAULTS.allowAttach),
    acceptNewHostKey: bool('acceptNewHostKey', TARGET_DEFAULTS.acceptNewHostKey),
    connectTimeout: num('connectTimeout', TARGET_DEFAULTS.connectTimeout, 1, 3600),
    runTimeout: num('runTimeout', TARGET_DEFAULTS.runTimeout, 1, 86400),
  };
  if (Object.values(fields).some((v) => v === null)) return null;
  if (fields.port !== undefined && fields.port !== null && !Number.isInteger(fields.port)) return bad('"port" must be an integer'), null;
  return {
    name,
    host,
    ...(fields.port != null ? { port: fields.port } : {}),
    ...(fields.sshConfig ? { sshConfig: fields.sshConfig } : {}),
    ...(fields.identityFile ? { identityFile: fields.identityFile } : {}),
    remoteDir: fields.remoteDir as string,
    sudo: fields.sudo as boolean,
    agentBuild,
    allowAttach: fields.allowAttach as boolean,
    acceptNewHostKey: fields.acceptNewHostKey as boolean,
    connectTimeout: fields.connectTimeout as number,
    runTimeout: fields.runTimeout as number,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
