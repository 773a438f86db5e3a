// Custom LSP methods of bpf-assoc and the model types they carry: the one server file the client
// imports (eslint.config.mjs enforces it). Documented in docs/lsp-extensions.md; keep the two in step.
import type { WorkspaceModel } from './analysis/model';

/** The wire types of `bpfAssoc/model`: the workspace model (model.ts is types only) and what it refers to. */
export type * from './analysis/model';
export type { FactOrigin, KfuncCall, Location, Position, ProgramKind, Range } from './analysis/facts';
export type { RuleId, Severity } from './analysis/rules';

export namespace ModelRequest {
  /** The whole workspace model (file fields are absolute paths), for the tree view and the graph. */
  export const method = 'bpfAssoc/model';
  export type Params = Record<string, never>;
  export interface Result {
    /** Increases every time the model is rebuilt. */
    version: number;
    /** True while the initial indexing has not finished (the model may be partial). */
    indexing: boolean;
    model: WorkspaceModel;
  }
}

export namespace ModelChangedNotification {
  /** Sent by the server after every rebuild of the model. */
  export const method = 'bpfAssoc/modelChanged';
  export interface Params {
    version: number;
    indexing: boolean;
    counts: { objects: number; programs: number; maps: number; poisoned: number; errors: number; warnings: number };
  }
}
