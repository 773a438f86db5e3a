// A status bar item with the workspace's counts: programs, struct_ops maps and poisoned
// associations; a spinner while indexing; a clear word when the server is not running.
import * as vscode from 'vscode';
import type { LanguageServer } from './languageServer';
import type { ModelStore } from './modelStore';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function activate(ctx: vscode.ExtensionContext, models: ModelStore, server: LanguageServer): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('bpfAssoc.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'bpf-assoc';
  item.command = 'bpfAssoc.associations.focus';
  const update = () => {
    const snapshot = models.current;
    item.backgroundColor = undefined;
    if (!snapshot) {
      item.text = '$(loading~spin) bpf-assoc';
      item.tooltip = 'Starting the bpf-assoc language server…';
      return;
    }
    const { programs, maps, findings } = snapshot.model;
    const poisoned = programs.filter((p) => p.association.state === 'poisoned').length;
    const errors = findings.filter((f) => f.severity === 'error').length;
    const icon = snapshot.indexing ? '$(sync~spin)' : poisoned || errors ? '$(warning)' : '$(type-hierarchy)';
    item.text = `${icon} ${plural(programs.length, 'program')} · ${plural(maps.length, 'map')}${poisoned ? ` · ${poisoned} poisoned` : ''}`;
    item.tooltip = new vscode.MarkdownString(
      `**bpf-assoc** — struct_ops associations${snapshot.indexing ? ' (indexing…)' : ''}\n\n` +
        `${plural(snapshot.model.objects.length, 'BPF object')}, ${plural(programs.length, 'program')}, ` +
        `${plural(maps.length, 'struct_ops map')}, ${poisoned} poisoned, ${plural(errors, 'error')}.\n\nClick to show the associations.`,
    );
    if (poisoned || errors) item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  };
  update();
  item.show();
  ctx.subscriptions.push(
    item,
    models.onDidChange(update),
    server.onDidChangeRunning((isRunning) => {
      if (isRunning) return;
      item.text = '$(error) bpf-assoc stopped';
      item.tooltip = 'The bpf-assoc language server is not running. Click to restart it.';
      item.command = 'bpfAssoc.restartServer';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    }),
    models.onDidChange(() => (item.command = 'bpfAssoc.associations.focus')),
  );
  return item;
}
