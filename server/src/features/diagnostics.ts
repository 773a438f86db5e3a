// Findings -> LSP diagnostics: code = rule ID, codeDescription = the rule in docs/rules.md,
// relatedInformation for every slot and call involved, source `bpf-assoc`, severity from the
// finding unless the resource's `bpfAssoc.severity` overrides it. Publishes only what changed and
// an empty list for files that no longer have findings (deleted, renamed or fixed).
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../analysis/model';
import type { Severity } from '../analysis/rules';
import type { AnalysisView } from '../lsp/session';
import type { ResourceSettings, SeverityOverride, SettingsReader } from '../lsp/settings';
import { programOfFinding } from './targets';

export const SOURCE = 'bpf-assoc';

const DEFAULT_SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

const OVERRIDE_SEVERITY: Record<Exclude<SeverityOverride, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface DiagnosticData {
  rule: string;
  object?: string;
  program?: string;
}

/** One finding as a diagnostic, or null when the settings turn its rule off. */
export function toDiagnostic(
  f: Finding,
  severity: Record<string, SeverityOverride>,
  ruleHref: (rule: string) => string | undefined,
  uriOf: (path: string) => string,
  program?: string,
): Diagnostic | null {
  const override = severity[f.rule];
  if (override === 'off') return null;
  const data: DiagnosticData = { rule: f.rule, object: f.object, program: f.program ?? program };
  const href = ruleHref(f.rule);
  return {
    range: f.location.range,
    severity: override ? OVERRIDE_SEVERITY[override] : DEFAULT_SEVERITY[f.severity],
    code: f.rule,
    ...(href ? { codeDescription: { href } } : {}),
    source: SOURCE,
    message: f.message,
    relatedInformation: f.related.map((r) => ({ location: { uri: uriOf(r.location.file), range: r.location.range }, message: r.message })),
    data,
  };
}

/** A file that exists but could not be read at all (permissions, I/O error). */
export function readErrorDiagnostic(path: string, reason: string, ruleHref: (rule: string) => string | undefined): Diagnostic {
  const href = ruleHref('unreadable-file');
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Warning,
    code: 'unreadable-file',
    ...(href ? { codeDescription: { href } } : {}),
    source: SOURCE,
    message: `bpf-assoc could not read ${path.split('/').pop()} (${reason}); it was left out of the analysis.`,
  };
}

export class DiagnosticsPublisher {
  private readonly published = new Map<string, string>();
  /** The diagnostics last published per URI: a list of the same objects is the same list. */
  private readonly lists = new Map<string, Diagnostic[]>();
  /**
   * A finding's diagnostic under the settings it was made with. An object's findings are the same
   * objects while its part of the model is kept (engine/build.ts), and so are its programs: an
   * edit converts only the findings of what it changed.
   */
  private readonly converted = new WeakMap<Finding, { severityKey: string; diagnostic: Diagnostic | null }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: Connection,
    private readonly settings: SettingsReader,
    private readonly ruleHref: (rule: string) => string | undefined,
    private readonly uriOf: (path: string) => string,
  ) {}

  /** Queued, so two rebuilds never interleave their publications. */
  publish(view: AnalysisView): Promise<void> {
    this.queue = this.queue.then(() => this.publishNow(view)).catch((e: unknown) => {
      this.connection.console.error(`bpf-assoc: publishing diagnostics failed: ${(e as Error).stack ?? String(e)}`);
    });
    return this.queue;
  }

  private async publishNow(view: AnalysisView): Promise<void> {
    const byFile = new Map<string, Finding[]>();
    for (const f of view.model.findings) {
      const list = byFile.get(f.location.file) ?? [];
      list.push(f);
      byFile.set(f.location.file, list);
    }
    const paths = [...new Set([...byFile.keys(), ...view.readErrors.keys()])];
    const uris = paths.map((p) => this.uriOf(p));
    const settings: ResourceSettings[] = await this.settings.forResources(uris);
    const next = new Map<string, Diagnostic[]>();
    paths.forEach((path, i) => {
      const severity = settings[i]?.severity ?? {};
      const severityKey = JSON.stringify(severity);
      const diagnostics = (byFile.get(path) ?? []).map((f) => this.diagnosticOf(view, f, severity, severityKey)).filter((d): d is Diagnostic => d !== null);
      const unreadable = view.readErrors.get(path);
      if (unreadable !== undefined) diagnostics.push(readErrorDiagnostic(path, unreadable, this.ruleHref));
      next.set(uris[i] as string, diagnostics);
    });
    for (const uri of this.published.keys()) if (!next.has(uri)) next.set(uri, []);
    for (const [uri, diagnostics] of next) {
      const last = this.lists.get(uri);
      if (last && last.length === diagnostics.length && last.every((d, i) => d === diagnostics[i])) continue;
      const key = JSON.stringify(diagnostics);
      if (this.published.get(uri) !== key) await this.connection.sendDiagnostics({ uri, diagnostics });
      if (diagnostics.length) {
        this.published.set(uri, key);
        this.lists.set(uri, diagnostics);
      } else {
        this.published.delete(uri);
        this.lists.delete(uri);
      }
    }
  }

  private diagnosticOf(view: AnalysisView, f: Finding, severity: Record<string, SeverityOverride>, severityKey: string): Diagnostic | null {
    const known = this.converted.get(f);
    if (known && known.severityKey === severityKey) return known.diagnostic;
    const diagnostic = toDiagnostic(f, severity, this.ruleHref, this.uriOf, programOfFinding(view.model, f)?.name);
    // Only an object's findings: a workspace-wide one is a new object each build anyway.
    if (f.object !== undefined) this.converted.set(f, { severityKey, diagnostic });
    return diagnostic;
  }
}
