// A run needs a complete model: while the server is still indexing, wait for it (in the status
// bar, at most a minute) rather than plan from a partial one.
import * as vscode from 'vscode';
import type { ModelSnapshot, ModelStore } from '../modelStore';

export function waitForModel(models: ModelStore, timeoutMs = 60_000): Promise<ModelSnapshot | undefined> {
  const now = models.current;
  if (now && !now.indexing) return Promise.resolve(now);
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'bpf-assoc: waiting for the analysis' }, () =>
      new Promise<ModelSnapshot | undefined>((resolve) => {
        const timer = setTimeout(() => {
          sub.dispose();
          resolve(models.current && !models.current.indexing ? models.current : undefined);
        }, timeoutMs);
        const sub = models.onDidChange((snapshot) => {
          if (!snapshot || snapshot.indexing) return;
          clearTimeout(timer);
          sub.dispose();
          resolve(snapshot);
        });
      }),
    ),
  );
}
