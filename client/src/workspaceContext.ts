// Context keys for package.json's `when` clauses, so bpf-assoc shows where it has something to say:
//   bpfAssoc.active        the extension runs (palette: restart, logs, status menu)
//   bpfAssoc.bpfWorkspace  the workspace has BPF sources, skeletons or objects (the view, the graph,
//                          the VM commands); from a quick file search at activation, then the model
//   bpfAssoc.state         starting | indexing | stopped | empty | ready (the view's welcome texts)
// and `bpfAssoc.openExamples`: the walkthrough's first step, a copy of the bundled examples/.
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LanguageServer, ServerState } from './languageServer';
import type { ModelSnapshot, ModelStore } from './modelStore';

export type WorkspaceState = 'starting' | 'indexing' | 'stopped' | 'empty' | 'ready';

export function workspaceState(snapshot: ModelSnapshot | undefined, server: ServerState): WorkspaceState {
  if (server === 'stopped') return 'stopped';
  if (server !== 'running' || !snapshot) return 'starting';
  if (snapshot.indexing) return 'indexing';
  return snapshot.model.objects.length ? 'ready' : 'empty';
}

function hasBpfFiles(snapshot: ModelSnapshot): boolean {
  const { stats, objects } = snapshot.model;
  return objects.length > 0 || stats.sources + stats.skeletons + stats.objectFiles > 0;
}

const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);

export function activate(ctx: vscode.ExtensionContext, models: ModelStore, server: LanguageServer): void {
  let serverState: ServerState = 'starting';
  let bpfWorkspace = false;
  const update = (): void => {
    const snapshot = models.current;
    setContext('bpfAssoc.state', workspaceState(snapshot, serverState));
    if (snapshot && !snapshot.indexing) bpfWorkspace = hasBpfFiles(snapshot);
    setContext('bpfAssoc.bpfWorkspace', bpfWorkspace);
  };
  setContext('bpfAssoc.active', true);
  update();
  // Before the first model: the files the activation events name.
  void vscode.workspace.findFiles('**/*.{bpf.c,skel.h,bpf.o}', '**/node_modules/**', 1).then((found) => {
    if (found.length && !bpfWorkspace) {
      bpfWorkspace = true;
      setContext('bpfAssoc.bpfWorkspace', true);
    }
  });
  ctx.subscriptions.push(
    models.onDidChange(update),
    server.onDidChangeState((s) => {
      serverState = s;
      update();
    }),
    vscode.commands.registerCommand('bpfAssoc.openExamples', () => openExamples(ctx)),
  );
}

/** Copies the extension's examples/ into a folder the user picks and opens the copy. */
async function openExamples(ctx: vscode.ExtensionContext): Promise<void> {
  const source = ctx.asAbsolutePath('examples');
  if (!existsSync(source)) {
    void vscode.window.showErrorMessage(`This installation of bpf-assoc has no examples (${source} is missing).`);
    return;
  }
  const parent = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Copy the Examples Here',
    title: 'bpf-assoc: where to put a copy of the examples',
    ...(vscode.workspace.workspaceFolders?.[0] ? {} : { defaultUri: vscode.Uri.file(process.env.HOME ?? '/') }),
  });
  const dir = parent?.[0];
  if (!dir) return;
  let target = join(dir.fsPath, 'bpf-assoc-examples');
  for (let n = 2; existsSync(target); n++) target = join(dir.fsPath, `bpf-assoc-examples-${n}`);
  try {
    cpSync(source, target, { recursive: true });
  } catch (e) {
    void vscode.window.showErrorMessage(`bpf-assoc: cannot copy the examples to ${target}: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target), { forceNewWindow: false });
}
