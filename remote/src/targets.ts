// VM targets: the `bpfAssoc.vm.targets` setting (and the CLI's --targets-file), validated into
// plain data with defaults. Pure: no file or process access here.
import Ajv, { type ValidateFunction } from 'ajv';
import { contributes } from '../../package.json';

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

/**
 * One schema for a target: the items of `bpfAssoc.vm.targets` in package.json's
 * `contributes.configuration`, which VS Code checks in the settings editor and settings.json, and
 * which ajv checks here for the extension's runs and the CLI's --targets-file.
 */
const TARGET_SCHEMA: TargetSchema = contributes.configuration.properties['bpfAssoc.vm.targets'].items;

interface PropertySchema {
  type?: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  patternErrorMessage?: string;
}
interface TargetSchema {
  required: readonly string[];
  properties: Record<string, PropertySchema>;
}

/** The schema's defaults, as a target gets them when the setting leaves them out. */
export const TARGET_DEFAULTS = Object.fromEntries(
  Object.entries(TARGET_SCHEMA.properties).flatMap(([k, p]) => (p.default === undefined ? [] : [[k, p.default]])),
) as Pick<VmTarget, 'remoteDir' | 'sudo' | 'agentBuild' | 'allowAttach' | 'acceptNewHostKey' | 'connectTimeout' | 'runTimeout'>;

let validator: ValidateFunction | undefined;

/** The JSON schema keywords VS Code adds for settings: annotations for ajv (in strict mode it rejects unknown ones). */
const VSCODE_KEYWORDS = [
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'enumItemLabels',
  'defaultSnippets',
  'patternErrorMessage',
  'errorMessage',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'doNotSuggest',
  'suggestSortText',
  'editPresentation',
  'order',
  'scope',
];

/** Compiled once, on first use. */
function validateTarget(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, useDefaults: true }).addVocabulary(VSCODE_KEYWORDS).compile(TARGET_SCHEMA);
  return validator;
}

export interface TargetProblem {
  /** Index in the list, or -1 for the list itself. */
  index: number;
  message: string;
}

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
  // An unknown setting (a typo) is reported and left out; the target still runs.
  const known: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k in TARGET_SCHEMA.properties) known[k] = v;
    else bad(`unknown setting "${k}" (ignored)`);
  }
  const validate = validateTarget();
  if (validate(known)) return known as unknown as VmTarget;
  // One message per setting, in the schema's words.
  const said = new Set<string>();
  for (const e of validate.errors ?? []) {
    const key = e.keyword === 'required' ? String(e.params.missingProperty) : e.instancePath.slice(1).split('/')[0] ?? '';
    if (said.has(key)) continue;
    said.add(key);
    bad(e.keyword === 'required' ? `"${key}" is required` : problemOf(key, TARGET_SCHEMA.properties[key]));
  }
  return null;
}

/** What a setting must be, from its schema. */
function problemOf(key: string, p: PropertySchema | undefined): string {
  if (!p) return `"${key}" is not valid`;
  if (p.enum) return `"${key}" must be ${p.enum.map((v) => `"${v}"`).join(' or ')}`;
  if (p.type === 'boolean') return `"${key}" must be true or false`;
  if (p.type === 'number' || p.type === 'integer') return `"${key}" must be ${p.type === 'integer' ? 'an integer' : 'a number'} from ${p.minimum ?? '-∞'} to ${p.maximum ?? '∞'}`;
  return `"${key}" must be ${p.patternErrorMessage ?? 'a non-empty string'}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
