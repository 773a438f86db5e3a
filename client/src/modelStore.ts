// The latest workspace model from the server, fetched with the custom `bpfAssoc/model` request
// whenever the server sends `bpfAssoc/modelChanged` (and after every (re)start). The tree view,
// the graph and the status bar read it from here.
import * as vscode from 'vscode';
import type { LanguageServer } from './languageServer';
import { ModelChangedNotification, ModelRequest } from '../../server/src/protocol';

export type ModelSnapshot = ModelRequest.Result;

export class ModelStore implements vscode.Disposable {
  private latest: ModelSnapshot | undefined;
  private readonly changed = new vscode.EventEmitter<ModelSnapshot | undefined>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private pending: Promise<void> | undefined;
  /** Bumped when the server stops or starts, so answers of a previous server are dropped. */
  private generation = 0;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly server: LanguageServer,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      server.client.onNotification(ModelChangedNotification.method, (p: ModelChangedNotification.Params) => {
        if (!this.latest || p.version !== this.latest.version || p.indexing !== this.latest.indexing) void this.refresh();
      }),
      server.onDidChangeRunning((isRunning) => {
        // A (re)started server is a new process: what was asked of the old one is void.
        this.generation++;
        this.pending = undefined;
        if (isRunning) void this.refresh();
        else {
          this.latest = undefined;
          this.changed.fire(undefined);
        }
      }),
    );
    void server.ready.then(() => this.refresh(), () => undefined);
  }

  get current(): ModelSnapshot | undefined {
    return this.latest;
  }

  /** Asks the server for the model; concurrent calls share one request. */
  refresh(): Promise<void> {
    if (!this.pending) {
      const p: Promise<void> = this.fetch().finally(() => {
        if (this.pending === p) this.pending = undefined;
      });
      this.pending = p;
    }
    return this.pending;
  }

  private async fetch(): Promise<void> {
    const generation = this.generation;
    try {
      const result = await this.server.client.sendRequest<ModelSnapshot>(ModelRequest.method, {});
      if (generation !== this.generation) return;
      if (this.latest && result.version < this.latest.version) return;
      this.latest = result;
      this.changed.fire(result);
    } catch (err) {
      this.output.warn(`bpfAssoc/model failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
