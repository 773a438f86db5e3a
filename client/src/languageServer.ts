// The language client: starts dist/server.js over Node IPC for C documents (the `c` language,
// so clangd and cpptools keep serving the same files), restarts it after a crash a bounded
// number of times, and says so clearly when it gives up.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { RestartPolicy } from './restartPolicy';

export interface LanguageServer {
  readonly client: LanguageClient;
  /** Resolves once the server answered `initialize` (the first start only). */
  readonly ready: Promise<void>;
  /** Fires when the server is running again after a restart, or stops for good. */
  readonly onDidChangeRunning: vscode.Event<boolean>;
  restart(): Promise<void>;
}

export function activate(ctx: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageServer {
  const module = ctx.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const policy = new RestartPolicy();
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'c' }],
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // The server pulls `bpfAssoc` settings per resource and registers its own file watchers
    // (sources, loaders, skeletons, .bpf.o); this only tells it when the settings change.
    synchronize: { configurationSection: 'bpfAssoc' },
    // Commands this client implements: the server adds a "Run on test VM" lens and a
    // "Rebuild with make" quick fix for them.
    initializationOptions: { clientCommands: ['bpfAssoc.runOnVm', 'bpfAssoc.rebuild'] },
    errorHandler: {
      error: (_error, _message, count) => ({ action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
      closed: () => {
        const decision = policy.crashed();
        (decision.restart ? output.warn : output.error).call(output, decision.message);
        if (decision.restart) return { action: CloseAction.Restart, handled: true };
        void vscode.window
          .showErrorMessage(decision.message, 'Show Output', 'Restart Language Server')
          .then((choice) => {
            if (choice === 'Show Output') output.show(true);
            if (choice === 'Restart Language Server') void vscode.commands.executeCommand('bpfAssoc.restartServer');
          });
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
  };
  const client = new LanguageClient('bpfAssoc', 'bpf-assoc', serverOptions, clientOptions);
  const running = new vscode.EventEmitter<boolean>();
  ctx.subscriptions.push(
    running,
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) running.fire(true);
      if (e.newState === State.Stopped) running.fire(false);
    }),
    { dispose: () => void client.stop() },
  );
  const ready = client.start().catch((err: unknown) => {
    output.error(`The bpf-assoc language server did not start: ${String(err)}`);
    throw err;
  });
  return {
    client,
    ready,
    onDidChangeRunning: running.event,
    async restart() {
      policy.reset();
      output.info(`Restarting the bpf-assoc language server.`);
      if (client.state === State.Running) await client.restart();
      else await client.start();
    },
  };
}
