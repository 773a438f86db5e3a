// The two quick picks of a run: the object (when the command got none and there is a choice),
// and the targets (several may be picked; they run in parallel). The gear button opens the
// bpfAssoc.vm settings.
import * as vscode from 'vscode';
import type { WorkspaceModel } from '../../../server/src/protocol';
import { objectItems } from './objectChoice';
import type { TargetChoice, TargetPickEntry } from './targetChoice';

type TargetQuickPickItem = vscode.QuickPickItem & { choice?: TargetChoice };

export async function pickObject(model: WorkspaceModel): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const items = objectItems(model, active?.scheme === 'file' ? active.fsPath : undefined);
  if (items.length <= 1) return items[0]?.objectId;
  const picked = await vscode.window.showQuickPick(items, { title: 'Run association on test VM: which BPF object?', matchOnDescription: true, matchOnDetail: true });
  return picked?.objectId;
}

export function pickTargets(objectId: string, entries: TargetPickEntry[]): Promise<TargetChoice[] | undefined> {
  const qp = vscode.window.createQuickPick<TargetQuickPickItem>();
  qp.title = `Run ${objectId} on test VMs`;
  qp.placeholder = 'Targets to run on (they run in parallel; the gear opens bpfAssoc.vm.targets)';
  qp.canSelectMany = true;
  qp.matchOnDescription = true;
  qp.items = entries.map((e): TargetQuickPickItem => (e.kind === 'separator' ? { label: e.label, kind: vscode.QuickPickItemKind.Separator } : { label: e.label, description: e.description, detail: e.detail, choice: e.choice }));
  qp.selectedItems = qp.items.filter((_, i) => {
    const e = entries[i];
    return e?.kind === 'target' && e.picked;
  });
  const settings: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('gear'), tooltip: 'Configure VM targets (bpfAssoc.vm.targets)' };
  qp.buttons = [settings];
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: TargetChoice[] | undefined): void => {
      if (done) return;
      done = true;
      resolve(value);
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => {
      if (b !== settings) return;
      finish(undefined);
      void vscode.commands.executeCommand('workbench.action.openSettings', 'bpfAssoc.vm');
    });
    qp.onDidAccept(() => {
      // Enter with nothing ticked runs on the highlighted target.
      const chosen = qp.selectedItems.length ? qp.selectedItems : qp.activeItems;
      finish(chosen.flatMap((i) => (i.choice ? [i.choice] : [])));
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}
