// The bpf-assoc language server: capabilities and wiring only. Runs as `node dist/server.js
// --stdio` or over IPC (`--node-ipc`) for the VS Code client; tests create it on in-memory streams.
// Every handler is guarded: an exception in the analysis is logged and answered with an empty
// result (or an LSP error for the custom request), never a dead server.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CodeActionKind, createConnection, ErrorCodes, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification,
  LSPErrorCodes, ProposedFeatures, ResponseError, TextDocuments, TextDocumentSyncKind, WatchKind,
  type Connection, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { loadGrammar } from './analysis/c/parser';
import { TOOL_VERSION } from './output/json';
import { ModelRequest } from './protocol';
import { actionOptionsFrom, codeActions, type CodeActionOptions } from './features/codeActions';
import { codeLenses, lensOptionsFrom, type CodeLensOptions } from './features/codeLens';
import { definition } from './features/definition';
import { DiagnosticsPublisher } from './features/diagnostics';
import { hover } from './features/hover';
import { modelResult, ModelNotifier } from './features/modelRequest';
import { references } from './features/references';
import { documentSymbols, workspaceSymbols } from './features/symbols';
import { excludeMatcher } from './lsp/glob';
import { Indexer } from './lsp/indexer';
import { ChangeRanges } from './lsp/changeRanges';
import { AnalysisSession, type AnalysisView } from './lsp/session';
import { SettingsReader } from './lsp/settings';
import { pathOf, uriOf } from './lsp/uri';
import { WorkspaceSync } from './lsp/workspaceSync';

/** Where diagnostics' codeDescription links: the client's choice, else docs/rules.md beside the
 *  server (the .vsix and the npm package ship it); no link without either. */
function rulesDocBase(options: Record<string, unknown>): string | undefined {
  if (typeof options.rulesDocUrl === 'string') return options.rulesDocUrl;
  for (let dir = __dirname, i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'docs', 'rules.md');
    if (existsSync(candidate)) return uriOf(candidate);
  }
  return undefined;
}

function folderPaths(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  return uris.map(pathOf).filter((p): p is string => p !== null);
}

export function serve(connection: Connection): void {
  // The editor's change ranges are recorded as the documents apply them, for the analysis (lsp/changeRanges.ts).
  const ranges = new ChangeRanges();
  const documents = new TextDocuments<TextDocument>(ranges.configuration);
  const log = (m: string): void => connection.console.log(m);
  const session = new AnalysisSession((p) => documents.get(uriFor(p))?.getText(), log);
  const openUris = new Map<string, string>();
  const uriFor = (p: string): string => openUris.get(p) ?? uriOf(p);
  let sync: WorkspaceSync | undefined;
  let canRegisterWatchers = false;
  let canRegisterConfiguration = false;
  let folderChanges = false;
  const lensOptions: CodeLensOptions = {};
  const actionOptions: CodeActionOptions = {};

  /** Set by initialize: before it, requests are answered with ServerNotInitialized (-32002). */
  let initialized = false;
  const notInitialized = (): ResponseError<void> => new ResponseError(ErrorCodes.ServerNotInitialized, 'bpf-assoc: the server has not been initialized (send initialize first)');
  /** A request handler that logs failures and answers `fallback` instead of crashing. */
  const guard = <P, R>(name: string, fallback: R, handler: (view: AnalysisView, params: P) => R) => (params: P): R | ResponseError<void> => {
    if (!initialized) return notInitialized();
    try {
      return handler(session.view(), params);
    } catch (e) {
      connection.console.error(`bpf-assoc: ${name} failed: ${(e as Error).stack ?? String(e)}`);
      return fallback;
    }
  };
  const quietly = (name: string, f: () => void | Promise<void>): void => {
    Promise.resolve()
      .then(f)
      .catch((e: unknown) => connection.console.error(`bpf-assoc: ${name} failed: ${(e as Error).stack ?? String(e)}`));
  };

  connection.onInitialize((params): InitializeResult => {
    initialized = true;
    const caps = params.capabilities;
    canRegisterWatchers = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    canRegisterConfiguration = caps.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    folderChanges = caps.workspace?.workspaceFolders === true;
    const options = (params.initializationOptions ?? {}) as Record<string, unknown>;
    const base = rulesDocBase(options);
    // Commands the client implements (e.g. the VS Code extension's bpfAssoc.runOnVm).
    const clientCommands = Array.isArray(options.clientCommands) ? options.clientCommands : [];
    Object.assign(lensOptions, lensOptionsFrom(clientCommands));
    Object.assign(actionOptions, actionOptionsFrom(clientCommands));
    const settings = new SettingsReader(connection, caps.workspace?.configuration === true, options.settings, excludeMatcher);
    const publisher = new DiagnosticsPublisher(connection, settings, (rule) => (base ? `${base}#${rule}` : undefined), uriFor);
    const notifier = new ModelNotifier(connection);
    // Lenses of files not being edited change too (a loader's edit changes a program's state).
    const lensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
    session.onRebuilt((view) => {
      if (!view.indexing) void publisher.publish(view);
      notifier.notify(view);
      if (lensRefresh && !view.indexing) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    });
    const grammar = loadGrammar().then(
      () => void (session.ready = true),
      (e: unknown) => {
        void connection.window.showErrorMessage(`bpf-assoc cannot analyse C: the tree-sitter grammar did not load (${String(e)}).`);
        throw e;
      },
    );
    grammar.catch(() => undefined); // reported above; refresh() awaits it and logs its own failure
    sync = new WorkspaceSync(connection, documents, session, settings, new Indexer(session, log), folderPaths(params), grammar, ranges);
    connection.onDidChangeConfiguration((change) =>
      quietly('configuration change', async () => {
        settings.changed(change.settings);
        await sync?.refresh(false);
        if (!session.indexing) void publisher.publish(session.view());
      }),
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'bpf-assoc', version: TOOL_VERSION },
    };
  });

  connection.onInitialized(() => {
    quietly('registrations', async () => {
      if (canRegisterWatchers) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{c,h,o}' }, { globPattern: '**/{Makefile,GNUmakefile,makefile,compile_commands.json}' }, { globPattern: '**/{*.rs,Cargo.toml}' }, { globPattern: '**/*', kind: WatchKind.Delete }],
        });
      }
      if (canRegisterConfiguration) await connection.client.register(DidChangeConfigurationNotification.type, { section: 'bpfAssoc' });
    });
    if (folderChanges) {
      connection.workspace.onDidChangeWorkspaceFolders((e) =>
        quietly('workspace folders', async () => {
          const removed = e.removed.map((f) => pathOf(f.uri)).filter((p): p is string => p !== null);
          const added = e.added.map((f) => pathOf(f.uri)).filter((p): p is string => p !== null);
          sync?.setFolders([...(sync?.folderPaths() ?? []).filter((p) => !removed.includes(p)), ...added]);
          await sync?.refresh(true);
        }),
      );
    }
    quietly('indexing', () => sync?.refresh(true));
  });

  documents.onDidChangeContent((e) => quietly('document change', () => {
    const path = pathOf(e.document.uri);
    if (path) openUris.set(path, e.document.uri);
    sync?.documentChanged(e.document);
  }));
  // A save changes no text, but the buffer is now the saved file (builds are compared with it).
  documents.onDidSave((e) => quietly('document save', () => sync?.documentChanged(e.document)));
  documents.onDidClose((e) => quietly('document close', () => {
    const path = pathOf(e.document.uri);
    if (path) openUris.delete(path);
    sync?.documentClosed(e.document);
  }));
  connection.onDidChangeWatchedFiles((params) => quietly('watched files', () => sync?.watchedFilesChanged(params)));

  connection.onHover(guard('hover', null, hover));
  connection.onDefinition(guard('definition', [], (v, p) => definition(v, p, uriFor)));
  connection.onReferences(guard('references', [], (v, p) => references(v, p, uriFor)));
  connection.onCodeLens(guard('code lens', [], (v, p) => codeLenses(v, p, lensOptions)));
  connection.onCodeAction(guard('code action', [], (v, p) => codeActions(v, p, uriFor, actionOptions)));
  connection.onDocumentSymbol(guard('document symbols', [], documentSymbols));
  connection.onWorkspaceSymbol(guard('workspace symbols', [], (v, p) => workspaceSymbols(v, p, uriFor)));
  connection.onRequest(ModelRequest.method, () => {
    if (!initialized) return notInitialized();
    try {
      return modelResult(session.view());
    } catch (e) {
      connection.console.error(`bpf-assoc: ${ModelRequest.method} failed: ${(e as Error).stack ?? String(e)}`);
      return new ResponseError(LSPErrorCodes.RequestFailed, `bpf-assoc could not build the model: ${(e as Error).message}`);
    }
  });
  connection.onShutdown(() => session.dispose());

  documents.listen(connection);
  connection.listen();
}

if (require.main === module) {
  const connection = createConnection(ProposedFeatures.all);
  // Nothing but the protocol may reach stdout; a stray failure is logged, the server lives on.
  process.on('uncaughtException', (e) => connection.console.error(`bpf-assoc: uncaught: ${e.stack ?? String(e)}`));
  process.on('unhandledRejection', (e) => connection.console.error(`bpf-assoc: unhandled rejection: ${String(e)}`));
  serve(connection);
}
