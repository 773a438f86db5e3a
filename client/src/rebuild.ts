// Runs the make goal the server found for a build behind its sources (the "Rebuild with make"
// quick fix): `make -C DIRECTORY GOAL` in a terminal whose process is make itself (argv, no shell
// string; no task type to contribute). Only in a trusted workspace: a Makefile runs what it says.
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

function rebuild(goal: unknown): void {
  if (!isGoal(goal)) return;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('bpf-assoc: rebuilding runs make, which is disabled in an untrusted workspace.');
    return;
  }
  // make itself is the terminal's process (argv, no shell): its output stays until a key closes it.
  const args = ['-C', goal.directory, goal.goal];
  vscode.window.createTerminal({ name: `make ${goal.goal}`, cwd: goal.directory, shellPath: 'make', shellArgs: args }).show();
}

export function activate(ctx: vscode.ExtensionContext): void {
  ctx.subscriptions.push(vscode.commands.registerCommand(REBUILD_COMMAND, rebuild));
}
