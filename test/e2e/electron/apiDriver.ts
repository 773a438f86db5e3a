// The EditorDriver inside VS Code's extension host (@vscode/test-electron): the same questions
// answered through the VS Code API and the extension's exported API. It cannot click inside a
// webview or take screenshots; where the browser clicks a graph node, it runs the command the
// click sends.
import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { BpfAssocApi } from '../../../client/src/extension';
import { waitFor, type EditorDriver, type Position, type Problem, type VmReport, type VmRunFrom } from '../driver';

const EXTENSION_ID = 'bpf-assoc.bpf-assoc';

export class ApiDriver implements EditorDriver {
  readonly name = 'VS Code API (test-electron)';
  private api: BpfAssocApi | undefined;

  constructor(
    private readonly workspace: string,
    private readonly started: number,
  ) {}

  private uri(file: string): vscode.Uri {
    return vscode.Uri.file(join(this.workspace, file));
  }

  private extension(): vscode.Extension<BpfAssocApi> {
    const ext = vscode.extensions.getExtension<BpfAssocApi>(EXTENSION_ID);
    if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this VS Code`);
    return ext;
  }

  async waitForActivation(): Promise<{ activationMs: number | null; firstDiagnosticsMs: number | null }> {
    this.api = await waitFor('bpf-assoc to activate', async () => (this.extension().isActive ? this.extension().exports : undefined), 60_000);
    await this.waitForProblem('poisoned-association');
    return { activationMs: this.api.activationMs, firstDiagnosticsMs: Date.now() - this.started };
  }

  private problems(): Problem[] {
    return vscode.languages.getDiagnostics().flatMap(([uri, diagnostics]) =>
      diagnostics
        .filter((d) => d.source === 'bpf-assoc' || d.source === 'bpf-assoc VM')
        .map((d) => ({
          source: d.source ?? '',
          file: basename(uri.fsPath),
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          code: String(typeof d.code === 'object' ? d.code.value : d.code),
          message: d.message,
        })),
    );
  }

  waitForProblem(code: string, present = true, _filter?: string): Promise<Problem[]> {
    return waitFor(`diagnostics to ${present ? 'include' : 'drop'} ${code}`, () => {
      const all = this.problems();
      return all.some((p) => p.code === code) === present ? all : undefined;
    }, 90_000);
  }

  async open(file: string, at?: Position): Promise<void> {
    const p = at ? new vscode.Position(at.line - 1, at.column - 1) : undefined;
    await vscode.window.showTextDocument(this.uri(file), { selection: p ? new vscode.Range(p, p) : undefined, viewColumn: vscode.ViewColumn.One });
  }

  async hover(file: string, at: Position): Promise<string> {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', this.uri(file), new vscode.Position(at.line - 1, at.column - 1));
    return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  }

  async codeLenses(file: string): Promise<string[]> {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', this.uri(file), 100);
    return lenses.map((l) => l.command?.title ?? '').filter(Boolean);
  }

  private cursor(): { file: string; line: number } {
    const editor = vscode.window.activeTextEditor;
    return { file: editor ? basename(editor.document.uri.fsPath) : '', line: (editor?.selection.active.line ?? -2) + 1 };
  }

  async goToDefinition(file: string, at: Position): Promise<{ file: string; line: number }> {
    await this.open(file, at);
    await vscode.commands.executeCommand('editor.action.revealDefinition');
    return waitFor('the cursor to move', () => (this.cursor().line !== at.line ? this.cursor() : undefined), 15_000);
  }

  async applyQuickFix(file: string, at: Position, title: RegExp): Promise<string> {
    const p = new vscode.Position(at.line - 1, at.column - 1);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', this.uri(file), new vscode.Range(p, p), vscode.CodeActionKind.QuickFix.value);
    const action = actions.find((a) => title.test(a.title));
    if (!action) throw new Error(`no quick fix matches ${title}: ${actions.map((a) => a.title).join(', ')}`);
    if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) throw new Error(`the edit of "${action.title}" was not applied`);
    if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    return action.title;
  }

  async saveAll(): Promise<void> {
    if (!(await vscode.workspace.saveAll(false))) throw new Error('saving failed');
  }

  async treeLabels(): Promise<string[]> {
    const tree = this.api?.tree;
    if (!tree) throw new Error('not activated');
    const walk = (nodes: ReturnType<typeof tree.getChildren>): string[] =>
      nodes.flatMap((n) => [`${n.label} ${n.description}`.trim(), ...walk(tree.getChildren(n))]);
    return waitFor('the tree to list maps', () => {
      const labels = walk(tree.getChildren());
      return labels.length > 3 ? labels : undefined;
    });
  }

  async showGraph(): Promise<string[]> {
    const graph = this.api?.graph;
    if (!graph) throw new Error('not activated');
    const rendered = new Promise<string[]>((resolve) => {
      const sub = graph.onDidRender((r) => {
        sub.dispose();
        resolve(r.nodes);
      });
    });
    await vscode.commands.executeCommand('bpfAssoc.showGraph');
    return waitFor('the graph to render', () => Promise.race([rendered, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]), 60_000);
  }

  async clickGraphNode(id: string): Promise<{ file: string; line: number }> {
    const model = this.api?.models.current?.model;
    const [kind, qualified] = id.split(':') as [string, string];
    const location = (kind === 'map' ? model?.maps : model?.programs)?.find((x) => x.id === qualified)?.location;
    if (!location) throw new Error(`no ${id} in the model`);
    await vscode.commands.executeCommand('bpfAssoc.reveal', location);
    return waitFor(`the editor to reveal ${id}`, () => (this.cursor().line === location.range.start.line + 1 ? this.cursor() : undefined), 15_000);
  }

  async paletteCommands(query: string): Promise<string[]> {
    const pkg = this.extension().packageJSON as {
      contributes: { commands: { command: string; title: string; category?: string }[]; menus: { commandPalette: { command: string; when: string }[] } };
    };
    const hidden = new Set(pkg.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
    const registered = new Set(await vscode.commands.getCommands(true));
    return pkg.contributes.commands
      .filter((c) => !hidden.has(c.command) && registered.has(c.command))
      .map((c) => (c.category ? `${c.category}: ${c.title}` : c.title))
      .filter((t) => t.toLowerCase().includes(query.toLowerCase()));
  }

  async statusBarText(): Promise<string> {
    return this.api?.status.current().text ?? '';
  }

  async crashServer(): Promise<void> {
    const server = join(this.extension().extensionPath, 'dist', 'server.js');
    const pids = () =>
      execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(server))
        .map((l) => Number(l.trim().split(/\s+/)[0]));
    const [pid] = pids();
    if (pid === undefined) throw new Error('no bpf-assoc language server process found');
    process.kill(pid, 'SIGKILL');
    await waitFor('a new language server process', () => (pids().some((p) => p !== pid) ? true : undefined));
    await waitFor('the model after the restart', () => (/\d+ programs? ·/.test(this.api?.status.current().text ?? '') ? true : undefined), 60_000);
  }

  /** The run the code lens or the tree would start, with the targets given as the command's option. */
  async runOnVm(from: VmRunFrom, targets: string[]): Promise<{ clickedAt: number }> {
    let objectId: unknown = 'treeObject' in from ? from.treeObject : undefined;
    if ('codeLens' in from) {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', this.uri(from.codeLens.file), 100);
      const run = lenses.find((l) => l.command?.command === 'bpfAssoc.runOnVm' && l.range.start.line === from.codeLens.line - 1);
      if (!run) throw new Error(`no Run on test VM lens on line ${from.codeLens.line}`);
      objectId = run.command?.arguments?.[0];
    }
    const clickedAt = Date.now();
    void vscode.commands.executeCommand('bpfAssoc.runOnVm', objectId, { targets });
    await waitFor('the run to start', () => (this.api?.vm.runner.running ? true : undefined), 15_000);
    return { clickedAt };
  }

  waitForVmProgress(pattern: RegExp, timeoutMs = 120_000): Promise<string> {
    return waitFor(`the run's progress to read ${pattern}`, () => {
      const text = this.api?.vm.runner.progressText ?? '';
      return pattern.test(text) ? text : undefined;
    }, timeoutMs);
  }

  async cancelVmRun(): Promise<void> {
    this.api?.vm.runner.cancel();
  }

  vmReport(ready: (r: VmReport) => boolean, timeoutMs = 240_000): Promise<VmReport> {
    return waitFor('the VM results view', () => {
      const view = this.api?.vm.panel.current;
      if (!view) return undefined;
      const report: VmReport = {
        plan: `Ships ${view.shipped}; ${view.plan}. Finished ${view.finished} in ${(view.durationMs / 1000).toFixed(1)} s.`,
        columns: view.columns.map((c) => `${c.target}${c.kernel ? ` ${c.kernel}` : ''}`),
        rows: view.sections.flatMap((s) => s.rows.map((r) => ({ key: r.key, label: r.label, predicted: r.predicted, observed: r.cells.map((c) => `${c.text}${c.note ? ` ${c.note}` : ''}`) }))),
        targets: view.columns.map((c) => [c.target, c.kernel, c.status, c.message, ...c.notes, c.timings].filter(Boolean).join(' ')),
      };
      return ready(report) ? report : undefined;
    }, timeoutMs);
  }

  async clickVmReportRow(label: string): Promise<{ file: string; line: number }> {
    const row = this.api?.vm.panel.current?.sections.flatMap((s) => s.rows).find((r) => r.label === label);
    if (!row?.location) throw new Error(`no row ${label} with a place in the results view`);
    const line = row.location.range.start.line + 1;
    await vscode.commands.executeCommand('bpfAssoc.vmReport.reveal', row.location);
    return waitFor(`the editor to reveal ${label}`, () => (this.cursor().line === line ? this.cursor() : undefined), 15_000);
  }

  /** The output channel cannot be read through the API: the kept run's transcript stands for it. */
  async vmReportOpen(): Promise<boolean> {
    return this.api?.vm.panel.current !== undefined;
  }

  async closeAllEditors(): Promise<void> {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }

  async vmTranscript(): Promise<string> {
    await vscode.commands.executeCommand('bpfAssoc.showVmTranscript');
    const run = await this.api?.vm.lastRun();
    return run ? [`bpf-assoc: ${run.results.object}`, ...run.results.targets.flatMap((t) => t.transcript.map((l) => `[${t.target}] ${l}`))].join('\n') : '';
  }

  async screenshot(): Promise<string | null> {
    return null;
  }
}
