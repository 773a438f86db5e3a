// The language client: starts dist/server.js over Node IPC for C documents (the `c` language,
// so clangd and cpptools keep serving the same files). After a crash the client library's own
// error handler restarts it (at most 4 times in 3 minutes, then it says so); a restart the user
// asks for starts a fresh count. The state the status item shows is one of four words.
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type Location,
  type Position,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** `stopped` only when the server will not come back by itself. */
export type ServerState = 'starting' | 'restarting' | 'running' | 'stopped';

export interface LanguageServer {
  readonly client: LanguageClient;
  /** Resolves once the server answered `initialize` (the first start only). */
  readonly ready: Promise<void>;
  /** Fires when the server is running again after a restart, or stops for good. */
  readonly onDidChangeRunning: vscode.Event<boolean>;
  readonly onDidChangeState: vscode.Event<ServerState>;
  restart(): Promise<void>;
}

const MAX_RESTARTS = 4;

export function activate(ctx: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageServer {
  const module = ctx.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  // The library's handler, made afresh when the user restarts the server.
  let errorHandler: ErrorHandler | undefined;
  const clientOptions: LanguageClientOptions = {
    // Rust: libbpf-rs loaders (go to definition from `skel.maps.M` to the C map, references).
    documentSelector: [{ scheme: 'file', language: 'c' }, { scheme: 'file', language: 'rust' }],
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // The server pulls `bpfAssoc` settings per resource and registers its own file watchers
    // (sources, loaders, skeletons, .bpf.o); this only tells it when the settings change.
    synchronize: { configurationSection: 'bpfAssoc' },
    // Commands this client implements, which the server's code lenses and quick fixes may run:
    // "Run on test VM", "Rebuild with make", a map's and a program's lens, showing the loader a
    // quick fix edited (revealEdit.ts).
    initializationOptions: { clientCommands: ['bpfAssoc.runOnVm', 'bpfAssoc.rebuild', 'bpfAssoc.revealMap', 'bpfAssoc.showLocations', 'bpfAssoc.revealEdit'] },
    errorHandler: {
      error: (error, message, count) => (errorHandler ??= client.createDefaultErrorHandler(MAX_RESTARTS)).error(error, message, count),
      closed: () => (errorHandler ??= client.createDefaultErrorHandler(MAX_RESTARTS)).closed(),
    },
  };
  const client = new LanguageClient('bpfAssoc', 'bpf-assoc', serverOptions, clientOptions);
  const running = new vscode.EventEmitter<boolean>();
  const stateChanged = new vscode.EventEmitter<ServerState>();
  let userRestart = false;
  let everRunning = false;
  ctx.subscriptions.push(
    running,
    stateChanged,
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        everRunning = true;
        userRestart = false;
        running.fire(true);
        stateChanged.fire('running');
      } else if (e.newState === State.Starting) stateChanged.fire(everRunning ? 'restarting' : 'starting');
      else if (e.newState === State.Stopped) {
        running.fire(false);
        if (userRestart) stateChanged.fire('restarting');
        // After a crash the library starts the server again right away: "stopped" only if it did not.
        else setTimeout(() => client.state === State.Stopped && !userRestart && stateChanged.fire('stopped'), 0);
      }
    }),
    { dispose: () => void client.stop() },
    // A program's code lens: its slots and association calls in the references peek. The server
    // sends LSP types; editor.action.showReferences takes VS Code's.
    vscode.commands.registerCommand('bpfAssoc.showLocations', (uri: string, position: Position, locations: Location[]) => {
      const c = client.protocol2CodeConverter;
      return vscode.commands.executeCommand('editor.action.showReferences', c.asUri(uri), c.asPosition(position), locations.map((l) => c.asLocation(l)));
    }),
  );
  const ready = client.start().catch((err: unknown) => {
    output.error(`The bpf-assoc language server did not start: ${String(err)}`);
    throw err;
  });
  return {
    client,
    ready,
    onDidChangeRunning: running.event,
    onDidChangeState: stateChanged.event,
    async restart() {
      errorHandler = undefined;
      userRestart = true;
      output.info(`Restarting the bpf-assoc language server.`);
      try {
        if (client.state === State.Running) await client.restart();
        else await client.start();
      } finally {
        userRestart = false;
      }
    },
  };
}
