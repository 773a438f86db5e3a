// The bpf-assoc VS Code extension: a thin client over the language server. Each feature is a
// module with activate(); this file composes them and returns a small API (used by the
// end-to-end tests under @vscode/test-electron and for measuring activation).
import * as vscode from 'vscode';
import * as associationTree from './associationTree';
import * as graphPanel from './graph/graphPanel';
import * as languageServer from './languageServer';
import * as languageStatus from './languageStatus';
import { ModelStore } from './modelStore';
import * as rebuild from './rebuild';
import * as revealEdit from './revealEdit';
import * as vmRun from './vmRun/index';
import * as workspaceContext from './workspaceContext';

export interface BpfAssocApi {
  /** Milliseconds activate() took. */
  activationMs: number;
  models: ModelStore;
  tree: associationTree.AssociationTreeProvider;
  graph: graphPanel.GraphPanel;
  status: languageStatus.LanguageStatus;
  vm: vmRun.VmRunFeature;
}

export function activate(ctx: vscode.ExtensionContext): BpfAssocApi {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('bpf-assoc', { log: true });
  ctx.subscriptions.push(output);
  const server = languageServer.activate(ctx, output);
  const models = new ModelStore(server, output);
  ctx.subscriptions.push(models);
  const tree = associationTree.activate(ctx, models);
  const graph = graphPanel.activate(ctx, models, output);
  const status = languageStatus.activate(ctx, models, server);
  workspaceContext.activate(ctx, models, server);
  const vm = vmRun.activate(ctx, models, output);
  rebuild.activate(ctx);
  revealEdit.activate(ctx, server.client);
  ctx.subscriptions.push(
    vscode.commands.registerCommand('bpfAssoc.refresh', () => models.refresh()),
    vscode.commands.registerCommand('bpfAssoc.restartServer', () => server.restart()),
    vscode.commands.registerCommand('bpfAssoc.showOutput', () => output.show(true)),
  );
  const activationMs = performance.now() - started;
  output.info(`bpf-assoc activated in ${activationMs.toFixed(1)} ms`);
  void server.ready.then(
    () => output.info(`bpf-assoc language server ready ${(performance.now() - started).toFixed(0)} ms after activation`),
    () => undefined,
  );
  const firstModel = models.onDidChange((snapshot) => {
    if (!snapshot || snapshot.indexing) return;
    output.info(`bpf-assoc first complete model ${(performance.now() - started).toFixed(0)} ms after activation (${snapshot.model.findings.length} findings)`);
    firstModel.dispose();
  });
  ctx.subscriptions.push(firstModel);
  return { activationMs, models, tree, graph, status, vm };
}

export function deactivate(): void {
  // Subscriptions (the language client among them) are disposed by VS Code.
}
