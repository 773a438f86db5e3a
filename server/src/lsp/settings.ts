// The `bpfAssoc` settings, read per resource through `workspace/configuration` (cached until the
// client says the configuration changed). Clients without that request can push the section with
// `workspace/didChangeConfiguration` or pass it as `initializationOptions.settings`.
import type { Connection } from 'vscode-languageserver/node';

export type SeverityOverride = 'error' | 'warning' | 'information' | 'hint' | 'off';

export interface ResourceSettings {
  /** Extra association-dependent kfuncs. */
  kfuncs: string[];
  /** -D/-U for BPF sources where the workspace's build does not say (`NAME`, `NAME=VALUE`, `-UNAME`). */
  defines: string[];
  /** Rule ID -> severity override. */
  severity: Record<string, SeverityOverride>;
  /** Globs (relative to the workspace folder) of files not to index. */
  exclude: (path: string) => boolean;
  excludeKey: string;
}

const OVERRIDES = new Set<string>(['error', 'warning', 'information', 'hint', 'off']);

/** Turns whatever the client sent into settings, dropping malformed entries. */
export function sanitize(raw: unknown, matcher: (globs: unknown) => (p: string) => boolean): ResourceSettings {
  const section = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const kfuncs = Array.isArray(section.kfuncs) ? section.kfuncs.filter((k): k is string => typeof k === 'string' && /^\w+$/.test(k)) : [];
  const severity: Record<string, SeverityOverride> = {};
  if (section.severity && typeof section.severity === 'object') {
    for (const [rule, value] of Object.entries(section.severity as Record<string, unknown>)) {
      if (typeof value === 'string' && OVERRIDES.has(value)) severity[rule] = value as SeverityOverride;
    }
  }
  const files = (section.files && typeof section.files === 'object' ? section.files : {}) as Record<string, unknown>;
  const defines = Array.isArray(section.defines) ? section.defines.filter((d): d is string => typeof d === 'string' && /^(?:-[DU]\s*)?[A-Za-z_]\w*(?:=.*)?$/s.test(d.trim())) : [];
  return { kfuncs, defines, severity, exclude: matcher(files.exclude), excludeKey: JSON.stringify(files.exclude ?? null) };
}

export class SettingsReader {
  private readonly cache = new Map<string, Promise<ResourceSettings>>();
  private pushed: unknown;

  constructor(
    private readonly connection: Connection,
    private readonly pull: boolean,
    initial: unknown,
    private readonly matcher: (globs: unknown) => (p: string) => boolean,
  ) {
    this.pushed = initial;
  }

  /** Settings for each resource URI (a file or a workspace folder); null = global scope. */
  async forResources(uris: (string | null)[]): Promise<ResourceSettings[]> {
    if (!this.pull) return uris.map(() => sanitize(this.pushed, this.matcher));
    const missing = [...new Set(uris.map((u) => u ?? ''))].filter((u) => !this.cache.has(u));
    if (missing.length) {
      const request = this.connection.workspace
        .getConfiguration(missing.map((u) => (u ? { scopeUri: u, section: 'bpfAssoc' } : { section: 'bpfAssoc' })))
        .then(
          (values: unknown[]) => values,
          (e: unknown) => {
            this.connection.console.warn(`bpf-assoc: reading settings failed: ${String(e)}; using defaults`);
            return missing.map(() => null);
          },
        );
      missing.forEach((u, i) => this.cache.set(u, request.then((values) => sanitize(values[i], this.matcher))));
    }
    return Promise.all(uris.map((u) => this.cache.get(u ?? '') as Promise<ResourceSettings>));
  }

  /** After `workspace/didChangeConfiguration`: forget cached values (and take pushed ones). */
  changed(pushedSettings: unknown): void {
    this.cache.clear();
    const section = pushedSettings && typeof pushedSettings === 'object' ? (pushedSettings as Record<string, unknown>).bpfAssoc : undefined;
    if (section !== undefined) this.pushed = section;
  }
}
