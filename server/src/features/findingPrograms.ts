// The program a finding is about (targets.ts programOfFinding), looked up in an index made once
// per model: the diagnostics publisher asks it for every finding it converts, and a finding about
// a file (a parse-limit) would otherwise scan every program and kfunc call of the workspace each time.
import type { Location } from '../analysis/facts';
import type { Finding, ModelProgram, WorkspaceModel } from '../analysis/model';

/** The first program (in the model's order) of each name, definition site and kfunc call site, within one object or all of them. */
interface Scope {
  byName: Map<string, ModelProgram>;
  byLocation: Map<string, ModelProgram>;
  byCall: Map<string, ModelProgram>;
}

const siteKey = (l: Location): string => `${l.file}\0${l.range.start.line}\0${l.range.start.character}`;

function scopeOf(programs: readonly ModelProgram[]): Scope {
  const scope: Scope = { byName: new Map(), byLocation: new Map(), byCall: new Map() };
  const first = <K>(m: Map<K, ModelProgram>, k: K, p: ModelProgram): void => {
    if (!m.has(k)) m.set(k, p);
  };
  for (const p of programs) {
    first(scope.byName, p.name, p);
    first(scope.byLocation, siteKey(p.location), p);
    for (const k of p.kfuncCalls) first(scope.byCall, siteKey(k.location), p);
  }
  return scope;
}

export class FindingPrograms {
  private model: WorkspaceModel | null = null;
  /** Per object id; '' for the whole workspace (a finding without an object). */
  private readonly scopes = new Map<string, Scope>();

  /** What programOfFinding(model, f) gives. */
  programOf(model: WorkspaceModel, f: Finding): ModelProgram | undefined {
    if (model !== this.model) {
      this.model = model;
      this.scopes.clear();
    }
    const id = f.object ?? '';
    let scope = this.scopes.get(id);
    if (!scope) this.scopes.set(id, (scope = scopeOf(f.object === undefined ? model.programs : model.programs.filter((p) => p.object === f.object))));
    const key = siteKey(f.location);
    return (f.program ? scope.byName.get(f.program) : undefined) ?? scope.byLocation.get(key) ?? scope.byCall.get(key);
  }
}
