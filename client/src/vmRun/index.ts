// The VM run feature: `bpfAssoc.runOnVm` (palette, the tree view's objects, the code lens on
// struct_ops maps), `bpfAssoc.showLastVmReport`, `bpfAssoc.showVmTranscript` and `bpfAssoc.setUpVm`. The last run is
// kept in the workspace's storage and reopens after a restart.
import * as vscode from 'vscode';
import type { ModelStore } from '../modelStore';
import { VmReportPanel } from './reportPanel';
import { parseStoredRun, STORED_RUN_FILE, type StoredRun } from './storedRun';
import { VmRunner } from './vmRunner';

export interface VmRunFeature {
  runner: VmRunner;
  panel: VmReportPanel;
  /** The last run: this session's, else the one kept in the workspace's storage. */
  lastRun(): Promise<StoredRun | undefined>;
}

export function activate(ctx: vscode.ExtensionContext, models: ModelStore, log: vscode.LogOutputChannel): VmRunFeature {
  const storage = ctx.storageUri ?? ctx.globalStorageUri;
  const file = vscode.Uri.joinPath(storage, STORED_RUN_FILE);
  let last: StoredRun | undefined;
  const save = async (run: StoredRun): Promise<void> => {
    last = run;
    await vscode.workspace.fs.createDirectory(storage);
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(run)));
  };
  const lastRun = async (): Promise<StoredRun | undefined> => {
    if (last) return last;
    try {
      last = parseStoredRun(new TextDecoder().decode(await vscode.workspace.fs.readFile(file))) ?? undefined;
    } catch {
      // no run kept yet
    }
    return last;
  };
  const panel = new VmReportPanel(ctx.extensionUri);
  const runner = new VmRunner(ctx, models, panel, save, log);

  const showLast = async (): Promise<void> => {
    const run = await lastRun();
    if (!run) {
      const choice = await vscode.window.showInformationMessage('No VM run in this workspace yet.', 'Run Association on Test VM');
      if (choice) await vscode.commands.executeCommand('bpfAssoc.runOnVm');
      return;
    }
    if (!runner.running && !runner.ranThisSession) runner.restoreTranscript(run);
    runner.showView(run, false);
  };
  const showTranscript = async (): Promise<void> => {
    const run = await lastRun();
    if (run && !runner.running && !runner.ranThisSession) runner.restoreTranscript(run);
    runner.transcript.show(true);
  };
  ctx.subscriptions.push(
    panel,
    runner,
    vscode.commands.registerCommand('bpfAssoc.runOnVm', (arg?: unknown, options?: unknown) => runner.run(arg, options)),
    vscode.commands.registerCommand('bpfAssoc.showLastVmReport', showLast),
    vscode.commands.registerCommand('bpfAssoc.showVmTranscript', showTranscript),
    vscode.commands.registerCommand('bpfAssoc.setUpVm', () => void runner.setUpBuiltinVm()),
  );
  return { runner, panel, lastRun };
}
