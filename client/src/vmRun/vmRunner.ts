// `bpfAssoc.runOnVm`: the server said what there is (the model: objects, programs, association
// calls); this decides how to run it. It picks the object and the targets, runs the API's
// runAssociationOnTargets in the extension host (ssh and qemu are spawned from argv arrays) under
// a cancellable progress notification, then shows the transcript, the diagnostics, the
// predicted-vs-observed view and one message per target that needs one.
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { VmRunResults } from '../../../remote/src/index';
import type { ModelStore } from '../modelStore';
import { holdFromEnv } from './debugHold';
import { diagnosticEntries, VM_DIAGNOSTIC_SOURCE } from './diagnosticEntries';
import { loadEngine } from './engine';
import { notRunnableReason, objectIdFromArgument } from './objectChoice';
import { pickObject, pickTargets } from './pickers';
import type { VmReportPanel } from './reportPanel';
import { reportView } from './reportView';
import { runMessages, runSummary, type RunAction } from './runMessages';
import { RunProgress } from './runProgress';
import { storedRun, type StoredRun } from './storedRun';
import { choiceName, choicesByName, splitChoices, targetPickEntries, type TargetChoice } from './targetChoice';
import { builtinTargets, readVmSettings, reportSettingsProblems } from './vmSettings';
import { waitForModel } from './waitForModel';

const LAST_TARGETS = 'bpfAssoc.vm.lastTargets';

/** Options after the object in `executeCommand('bpfAssoc.runOnVm', objectId, { targets })`. */
export interface RunOnVmOptions {
  targets?: string[];
}

function runOptions(arg: unknown): RunOnVmOptions {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || !('targets' in arg) || !Array.isArray(arg.targets)) return {};
  return { targets: arg.targets.filter((t): t is string => typeof t === 'string') };
}

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information };

export class VmRunner implements vscode.Disposable {
  readonly transcript = vscode.window.createOutputChannel('bpf-assoc VM');
  readonly diagnostics = vscode.languages.createDiagnosticCollection(VM_DIAGNOSTIC_SOURCE);
  private active: { objectId: string; abort: AbortController } | undefined;
  private readonly finished = new vscode.EventEmitter<StoredRun>();
  /** Fires after every run that produced results (failed ones too, not cancelled ones). */
  readonly onDidFinish = this.finished.event;

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly models: ModelStore,
    private readonly panel: VmReportPanel,
    private readonly save: (run: StoredRun) => Promise<void>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Set once a run started in this session (the transcript channel then holds it). */
  ranThisSession = false;

  /** The progress notification's text while a run goes on ("" otherwise). */
  progressText = '';

  get running(): boolean {
    return this.active !== undefined;
  }

  /** What the notification's Cancel does. */
  cancel(): void {
    this.active?.abort.abort();
  }

  /** Fills the transcript channel from a kept run (after a restart). */
  restoreTranscript(run: StoredRun): void {
    this.transcript.clear();
    this.transcript.appendLine(`bpf-assoc: ${run.results.object} — kept from ${run.finished}`);
    for (const t of run.results.targets) for (const line of t.transcript) this.transcript.appendLine(`[${t.target}] ${line}`);
  }

  async run(arg?: unknown, options?: unknown): Promise<StoredRun | undefined> {
    if (!vscode.workspace.isTrusted) {
      const choice = await vscode.window.showWarningMessage('bpf-assoc does not run programs on test VMs in Restricted Mode: trust this workspace first (its settings name the hosts and files a run uses).', 'Manage Workspace Trust');
      if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    if (this.active) {
      const choice = await vscode.window.showInformationMessage(`A VM run of ${this.active.objectId} is in progress.`, 'Cancel It');
      if (choice) this.active?.abort.abort();
      return undefined;
    }
    const snapshot = await waitForModel(this.models);
    if (!snapshot) {
      void vscode.window.showErrorMessage('The bpf-assoc language server has no workspace model yet, so there is nothing to run. See "bpf-assoc: Show Output".');
      return undefined;
    }
    const model = snapshot.model;
    const objectId = objectIdFromArgument(arg) ?? (await pickObject(model));
    if (!objectId) {
      if (!model.objects.some((o) => o.skeletons.length || o.objectFiles.length)) void vscode.window.showErrorMessage('No compiled BPF object in the workspace: build a .bpf.o (clang -target bpf) or its skeleton first.');
      return undefined;
    }
    const notRunnable = notRunnableReason(model, objectId);
    if (notRunnable) {
      void vscode.window.showErrorMessage(notRunnable);
      return undefined;
    }
    const engine = loadEngine(this.ctx);
    const settings = readVmSettings(engine);
    void reportSettingsProblems(settings.problems);
    const builtin = builtinTargets(engine, settings.localKernel);
    let choices: TargetChoice[] | undefined;
    const named = runOptions(options).targets;
    if (named) {
      const found = choicesByName(named, builtin, settings.targets);
      if (found.unknown.length) {
        void vscode.window.showErrorMessage(`No VM target named ${found.unknown.map((n) => `"${n}"`).join(', ')} (built-in: ${builtin.map((b) => b.name).join(', ')}; configured: ${settings.targets.map((t) => t.name).join(', ') || 'none'}).`);
        return undefined;
      }
      choices = found.choices;
    } else {
      choices = await pickTargets(objectId, targetPickEntries(builtin, settings.targets, this.ctx.workspaceState.get<string[]>(LAST_TARGETS) ?? []));
    }
    if (!choices?.length) return undefined;
    const names = choices.map(choiceName);
    await this.ctx.workspaceState.update(LAST_TARGETS, names);

    const abort = new AbortController();
    this.active = { objectId, abort };
    this.ranThisSession = true;
    this.diagnostics.clear();
    this.transcript.clear();
    const started = Date.now();
    this.transcript.appendLine(`bpf-assoc: ${objectId} on ${names.join(', ')} — ${new Date(started).toISOString()}`);
    let results: VmRunResults | undefined;
    try {
      const title = `bpf-assoc: ${objectId} on ${names.join(', ')}`;
      results = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const steps = new RunProgress(names);
          const report = (p: { message: string; increment?: number }): void => {
            this.progressText = `${title}: ${p.message}`;
            progress.report(p);
          };
          const cancelled = (): void => {
            report({ message: 'cancelling: the agent detaches and frees what it loaded…' });
            this.transcript.appendLine('cancel requested');
          };
          token.onCancellationRequested(() => abort.abort());
          abort.signal.addEventListener('abort', cancelled, { once: true });
          const hold = holdFromEnv(process.env.BPF_ASSOC_VM_HOLD, names);
          return engine.runAssociationOnTargets({
            model,
            objectId,
            readFile: (path) => {
              try {
                return new Uint8Array(readFileSync(path));
              } catch {
                return null;
              }
            },
            ...splitChoices(choices),
            ...(settings.localKernel ? { localKernel: settings.localKernel } : {}),
            ...(hold ? { hold } : {}),
            signal: abort.signal,
            onProgress: (target, step) => {
              if (!abort.signal.aborted) report(steps.update(target, step));
            },
            onTranscript: (target, line) => this.transcript.appendLine(`[${target}] ${line}`),
          });
        },
      );
    } catch (e) {
      // PlanError and the like: nothing ran on any target.
      const message = e instanceof Error ? e.message : String(e);
      this.transcript.appendLine(`error: ${message}`);
      void vscode.window.showErrorMessage(`bpf-assoc: cannot run ${objectId}: ${message}`, 'Show Transcript').then((c) => c && this.transcript.show(true));
      return undefined;
    } finally {
      this.active = undefined;
      this.progressText = '';
    }
    const durationMs = Date.now() - started;
    const run = storedRun(results, new Date(), durationMs);
    this.record(run, engine.formatTable(results.plan, results.targets));
    if (abort.signal.aborted) {
      // A cancel just stops: no results view, no diagnostics, no message. The transcript says
      // how each target was cleaned up; the last run kept is still the previous one.
      for (const t of results.targets) this.transcript.appendLine(`[${t.target}] ${t.status}: ${t.message}`);
      this.transcript.appendLine(`cancelled after ${durationMs} ms`);
      this.log.info(`VM run of ${objectId} cancelled after ${durationMs} ms`);
      return undefined;
    }
    this.publishDiagnostics(results, engine.vmDiagnostics(results.rows, results.targets));
    this.showView(run);
    this.notify(results, engine.KERNEL_LACKS_COMMAND, run);
    await this.save(run).catch((e: unknown) => this.log.warn(`cannot keep the VM run: ${String(e)}`));
    this.finished.fire(run);
    return run;
  }

  showView(run: StoredRun, preserveFocus = true): void {
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    this.panel.show(reportView(run.results, { finished: new Date(run.finished).toLocaleString(), durationMs: run.durationMs, roots }), preserveFocus);
  }

  private record(run: StoredRun, table: string): void {
    for (const t of run.results.targets) {
      if (t.error && !t.transcript.length) this.transcript.appendLine(`[${t.target}] error (${t.error.kind}): ${t.error.message}${t.error.detail ? `\n${t.error.detail}` : ''}`);
      const log = t.report?.object?.libbpfLog.trim();
      if (t.status === 'load-failed' && log) this.transcript.appendLine(`[${t.target}] libbpf's log:\n${log}`);
    }
    this.transcript.appendLine('');
    this.transcript.append(table);
    const timings = run.results.targets.map((t) => `${t.target}: ${Object.entries(t.timings).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v} ms`).join(', ')}`).join('; ');
    this.transcript.appendLine(`command to results: ${run.durationMs} ms (${timings})`);
    this.log.info(`VM run of ${run.results.object}: ${runSummary(run.results)}; ${run.durationMs} ms from the command to the results (${timings})`);
  }

  private publishDiagnostics(results: VmRunResults, list: Parameters<typeof diagnosticEntries>[1]): void {
    for (const [file, entries] of diagnosticEntries(results, list)) {
      this.diagnostics.set(
        vscode.Uri.file(file),
        entries.map((e) => {
          const d = new vscode.Diagnostic(new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.message, SEVERITY[e.severity]);
          d.source = VM_DIAGNOSTIC_SOURCE;
          d.code = e.code;
          return d;
        }),
      );
    }
  }

  private notify(results: VmRunResults, kernelLacksCommand: string, run: StoredRun): void {
    for (const m of runMessages(results, kernelLacksCommand)) {
      const shown =
        m.severity === 'error' ? vscode.window.showErrorMessage(m.text, ...m.actions)
        : m.severity === 'warning' ? vscode.window.showWarningMessage(m.text, ...m.actions)
        : vscode.window.showInformationMessage(m.text, ...m.actions);
      void shown.then((choice) => choice && this.act(choice, run));
    }
  }

  private act(action: RunAction, run: StoredRun): void {
    if (action === 'Show Transcript') this.transcript.show(true);
    else if (action === 'Show Results') this.showView(run, false);
    else if (action === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'bpfAssoc.vm');
    else if (action === 'Set Up Built-in VM') this.setUpBuiltinVm();
  }

  /** `bpfAssoc.setUpVm`: the built-in VM's setup script (shipped with the extension) from argv,
   *  in a terminal the user watches (it may install packages). */
  setUpBuiltinVm(): vscode.Terminal {
    const terminal = vscode.window.createTerminal({ name: 'bpf-assoc: VM setup', shellPath: 'bash', shellArgs: [this.ctx.asAbsolutePath('remote/vm/setup.sh')] });
    terminal.show();
    return terminal;
  }

  dispose(): void {
    this.active?.abort.abort();
    this.finished.dispose();
    this.transcript.dispose();
    this.diagnostics.dispose();
  }
}
