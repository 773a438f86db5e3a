// Quick fix for `build-behind-sources` (and stale-object/stale-skeleton): "Rebuild with make", the
// goal the Makefile rule producing the object names (engine/makeRules.ts). The server says what to
// run; the client runs it (argv, never a shell string) when it has said it can (clientCommands).
import { CodeActionKind, type CodeAction } from 'vscode-languageserver/node';
import { rebuildGoal, type MakeGoal } from '../analysis/engine/makeRules';
import type { Finding } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';

/** The client command that runs `make -C DIRECTORY GOAL` (its one argument: a MakeGoal). */
export const REBUILD_COMMAND = 'bpfAssoc.rebuild';

export const REBUILD_RULES: ReadonlySet<string> = new Set(['build-behind-sources', 'stale-object', 'stale-skeleton']);

export function rebuildActions(view: AnalysisView, f: Finding): CodeAction[] {
  const object = view.model.objects.find((o) => o.id === f.object);
  const source = object?.sources[0];
  if (!object || !source) return [];
  const goal: MakeGoal | null = rebuildGoal({ source, objectFile: object.objectFiles[0], skeleton: object.skeletons[0] }, (p) => view.text(p));
  if (!goal) return [];
  const title = `Rebuild with make: make -C ${goal.directory.split('/').pop()} ${goal.goal}`;
  return [{ title, kind: CodeActionKind.QuickFix, isPreferred: f.rule === 'build-behind-sources', command: { title, command: REBUILD_COMMAND, arguments: [goal] } }];
}
