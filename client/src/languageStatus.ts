// bpf-assoc's language status item (the `{}` entry next to the language in the status bar, as
// clangd and rust-analyzer have): busy while the server starts or indexes, the counts when the
// model is complete, a warning when a program is poisoned or a finding is an error, an error only
// when the server stopped on its own. Its link opens a menu: associations, graph, restart, logs
// and the test VM targets.
import * as vscode from 'vscode';
import type { LanguageServer } from './languageServer';
import type { ModelSnapshot, ModelStore } from './modelStore';
import { loadEngine } from './vmRun/engine';
import { builtinTargets, readVmSettings } from './vmRun/vmSettings';

export const MENU_COMMAND = 'bpfAssoc.statusMenu';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What the item says, without codicons: also what tests and screen readers read. */
export interface StatusView {
  text: string;
  detail: string;
  busy: boolean;
  severity: vscode.LanguageStatusSeverity;
}

export function statusView(snapshot: ModelSnapshot | undefined, server: 'starting' | 'restarting' | 'running' | 'stopped'): StatusView {
  const { Information, Warning, Error } = vscode.LanguageStatusSeverity;
  if (server === 'stopped') return { text: 'bpf-assoc: stopped', detail: 'the language server is not running', busy: false, severity: Error };
  if (server !== 'running' || !snapshot) return { text: `bpf-assoc: ${server === 'restarting' ? 'restarting' : 'starting'}`, detail: '', busy: true, severity: Information };
  if (snapshot.indexing) return { text: 'bpf-assoc: indexing', detail: 'reading sources, loaders, skeletons and objects', busy: true, severity: Information };
  const { programs, maps, objects, findings } = snapshot.model;
  const poisoned = programs.filter((p) => p.association.state === 'poisoned').length;
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    text: `${plural(programs.length, 'program')} · ${plural(maps.length, 'map')}${poisoned ? ` · ${poisoned} poisoned` : ''}`,
    detail: `${plural(objects.length, 'BPF object')}, ${plural(errors, 'error')}`,
    busy: false,
    severity: poisoned || errors ? Warning : Information,
  };
}

export interface LanguageStatus {
  readonly item: vscode.LanguageStatusItem;
  /** The item's text and detail as read (no codicons). */
  current(): StatusView;
}

export function activate(ctx: vscode.ExtensionContext, models: ModelStore, server: LanguageServer): LanguageStatus {
  const item = vscode.languages.createLanguageStatusItem('bpfAssoc.status', [{ language: 'c' }]);
  item.name = 'bpf-assoc';
  let state: 'starting' | 'restarting' | 'running' | 'stopped' = 'starting';
  let view = statusView(undefined, state);
  const update = (): void => {
    view = statusView(models.current, state);
    item.text = view.text;
    item.detail = view.detail;
    item.busy = view.busy;
    item.severity = view.severity;
    item.command =
      state === 'stopped'
        ? { title: 'Restart', command: 'bpfAssoc.restartServer', tooltip: 'Restart the bpf-assoc language server' }
        : { title: 'Menu…', command: MENU_COMMAND, tooltip: 'Associations, graph, restart, logs and test VMs' };
    item.accessibilityInformation = { label: `bpf-assoc: ${view.text}${view.detail ? `, ${view.detail}` : ''}` };
  };
  update();
  ctx.subscriptions.push(
    item,
    models.onDidChange(update),
    server.onDidChangeState((s) => {
      state = s;
      update();
    }),
    vscode.commands.registerCommand(MENU_COMMAND, () => showMenu(ctx)),
  );
  return { item, current: () => view };
}

interface MenuEntry extends vscode.QuickPickItem {
  run?: () => Thenable<unknown>;
}

const command = (id: string, ...args: unknown[]) => () => vscode.commands.executeCommand(id, ...args);

/** The status item's menu: what clangd's and rust-analyzer's status menus offer, for bpf-assoc. */
async function showMenu(ctx: vscode.ExtensionContext): Promise<void> {
  const entries: MenuEntry[] = [
    { label: '$(list-tree) Show Associations', run: command('bpfAssoc.associations.focus') },
    { label: '$(type-hierarchy) Show Association Graph', run: command('bpfAssoc.showGraph') },
    { label: '$(debug-restart) Restart Language Server', run: command('bpfAssoc.restartServer') },
    { label: '$(output) Show Logs', description: 'the bpf-assoc output', run: command('bpfAssoc.showOutput') },
    { label: 'Test VMs', kind: vscode.QuickPickItemKind.Separator },
    ...vmEntries(ctx),
    { label: '$(gear) Configure VM Targets…', description: 'bpfAssoc.vm.targets', run: command('workbench.action.openSettings', 'bpfAssoc.vm') },
  ];
  const picked = await vscode.window.showQuickPick(entries, { title: 'bpf-assoc', placeHolder: 'bpf-assoc: choose an action' });
  await picked?.run?.();
}

function vmEntries(ctx: vscode.ExtensionContext): MenuEntry[] {
  if (!vscode.workspace.isTrusted) return [{ label: '$(shield) Trust the workspace to run on test VMs', run: command('workbench.trust.manage') }];
  let engine;
  try {
    engine = loadEngine(ctx);
  } catch {
    return [];
  }
  const settings = readVmSettings(engine);
  const builtin = builtinTargets(engine, settings.localKernel);
  return [
    ...builtin.map((b): MenuEntry =>
      b.ready
        ? { label: `$(vm) Run on ${b.name}`, description: b.description, run: command('bpfAssoc.runOnVm', undefined, { targets: [b.name] }) }
        : { label: `$(tools) Set Up ${b.name}`, description: `${b.description} · not set up yet`, run: command('bpfAssoc.setUpVm') },
    ),
    ...settings.targets.map((t): MenuEntry => ({ label: `$(remote) Run on ${t.name}`, description: t.host, run: command('bpfAssoc.runOnVm', undefined, { targets: [t.name] }) })),
  ];
}
