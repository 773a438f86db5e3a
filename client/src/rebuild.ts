// Runs the make goal the server found for a build behind its sources (the "Rebuild with make"
// quick fix): `make -C DIRECTORY GOAL` as a VS Code task (argv, no shell string), in a terminal
// when the task cannot run. Only in a trusted workspace: a Makefile runs whatever it says.
import * as vscode from 'vscode';

export const REBUILD_COMMAND = 'bpfAssoc.rebuild';

interface MakeGoal {
  directory: string;
  goal: string;
}

function isGoal(x: unknown): x is MakeGoal {
  const g = x as Partial<MakeGoal> | undefined;
  return typeof g?.directory === 'string' && typeof g.goal === 'string';
}

async function rebuild(goal: unknown): Promise<void> {
  if (!isGoal(goal)) return;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('bpf-assoc: rebuilding runs make, which is disabled in an untrusted workspace.');
    return;
  }
  const args = ['-C', goal.directory, goal.goal];
  const name = `make ${goal.goal}`;
  const scope = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(goal.directory)) ?? vscode.TaskScope.Workspace;
  const task = new vscode.Task({ type: 'process', command: 'make', args }, scope, name, 'bpf-assoc', new vscode.ProcessExecution('make', args), ['$gcc']);
  try {
    await vscode.tasks.executeTask(task);
  } catch {
    vscode.window.createTerminal({ name, cwd: goal.directory, shellPath: 'make', shellArgs: args }).show();
  }
}

export function activate(ctx: vscode.ExtensionContext): void {
  ctx.subscriptions.push(vscode.commands.registerCommand(REBUILD_COMMAND, rebuild));
}
