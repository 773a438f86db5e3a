// The custom methods of protocol.ts: `bpfAssoc/model` answers with the whole model (for the tree
// view and the graph); `bpfAssoc/modelChanged` tells the client a new model exists, with counts
// for the status bar, after every rebuild.
import type { Connection } from 'vscode-languageserver/node';
import { ModelChangedNotification, ModelRequest } from '../protocol';
import type { AnalysisView } from '../lsp/session';

export function modelResult(view: AnalysisView): ModelRequest.Result {
  return { version: view.version, indexing: view.indexing, model: view.model };
}

export function modelCounts(view: AnalysisView): ModelChangedNotification.Params {
  const { model } = view;
  return {
    version: view.version,
    indexing: view.indexing,
    counts: {
      objects: model.objects.length,
      programs: model.programs.length,
      maps: model.maps.length,
      poisoned: model.programs.filter((p) => p.association.state === 'poisoned').length,
      errors: model.findings.filter((f) => f.severity === 'error').length,
      warnings: model.findings.filter((f) => f.severity === 'warning').length,
    },
  };
}

/** Sends `bpfAssoc/modelChanged` when the version or the indexing state moved on. */
export class ModelNotifier {
  private last = '';

  constructor(private readonly connection: Connection) {}

  notify(view: AnalysisView): void {
    const key = `${view.version}/${view.indexing}`;
    if (key === this.last) return;
    this.last = key;
    void this.connection.sendNotification(ModelChangedNotification.method, modelCounts(view));
  }
}
