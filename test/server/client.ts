// A small LSP client for the server tests, over a real JSON-RPC connection: either in-process
// (the server's createConnection on in-memory streams) or to a spawned `node dist/server.js --stdio`.
// It answers the server's requests (configuration, registration, progress) like an editor and
// lets tests wait for published diagnostics and notifications, each wait with a timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { serve } from '../../server/src/server';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, WorkDoneProgress,
  type Diagnostic, type InitializeResult, type ProtocolConnection, type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const uri = (path: string): string => pathToFileURL(path).href;

/** A diagnostic's message as text (LSP 3.18 allows markup; this server sends plain strings). */
export const messageOf = (d: Diagnostic | undefined): string => (d === undefined ? '' : typeof d.message === 'string' ? d.message : d.message.value);

export interface Trace {
  method: string;
  params: unknown;
}

export class TestClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly received: Trace[] = [];
  settings: Record<string, unknown> = {};
  private readonly events = new EventEmitter();
  private versions = new Map<string, number>();

  constructor(
    readonly connection: ProtocolConnection,
    readonly child?: ChildProcess,
  ) {
    const record = (method: string, params: unknown): void => {
      this.received.push({ method, params });
      this.events.emit('message');
    };
    connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      record('textDocument/publishDiagnostics', p);
    });
    connection.onUnhandledNotification((n) => record(n.method, n.params));
    connection.onRequest('workspace/configuration', (p: { items: { scopeUri?: string; section?: string }[] }) => {
      record('workspace/configuration', p);
      return p.items.map(() => this.settings);
    });
    connection.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      record('window/workDoneProgress/create', p);
      connection.onProgress(WorkDoneProgress.type, p.token, (value) => record('$/progress', { token: p.token, value }));
      return null;
    });
    for (const method of ['client/registerCapability', 'window/showMessageRequest']) {
      connection.onRequest(method, (p: unknown) => {
        record(method, p);
        return null;
      });
    }
    connection.listen();
  }

  /** Resolves once `check()` returns a value (re-checked on every message), or fails after `ms`. */
  waitFor<T>(what: string, check: () => T | undefined | null | false, ms = 20000): Promise<T> {
    return new Promise((resolve, reject) => {
      const test = (): boolean => {
        const v = check();
        if (v === undefined || v === null || v === false) return false;
        cleanup();
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('message', test);
      };
      if (!test()) this.events.on('message', test);
    });
  }

  /** Diagnostics published for a file after `since` messages, once they satisfy `check`. */
  waitForDiagnostics(path: string, check: (d: Diagnostic[]) => boolean, what = 'diagnostics', ms?: number): Promise<Diagnostic[]> {
    return this.waitFor(`${what} for ${path}`, () => {
      const d = this.diagnostics.get(uri(path));
      return d && check(d) ? d : undefined;
    }, ms);
  }

  async initialize(folders: string[], initializationOptions?: unknown): Promise<InitializeResult> {
    const result = (await this.connection.sendRequest('initialize', {
      processId: null,
      rootUri: folders[0] ? uri(folders[0]) : null,
      workspaceFolders: folders.map((f) => ({ uri: uri(f), name: f.split('/').pop() })),
      initializationOptions,
      capabilities: {
        window: { workDoneProgress: true },
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeWatchedFiles: { dynamicRegistration: true },
          didChangeConfiguration: { dynamicRegistration: true },
        },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
        },
      },
    })) as InitializeResult;
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(path: string, text = readFileSync(path, 'utf8')): Promise<void> {
    this.versions.set(path, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(path), languageId: 'c', version: 1, text } });
  }

  change(path: string, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    const version = (this.versions.get(path) ?? 1) + 1;
    this.versions.set(path, version);
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(path), version }, contentChanges: changes });
  }

  close(path: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri(path) } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  count(method: string): number {
    return this.received.filter((m) => m.method === method).length;
  }

  async shutdown(): Promise<void> {
    await this.connection.sendRequest('shutdown');
  }

  dispose(): void {
    this.connection.dispose();
  }
}

/** The server of server/src/server.ts in this process, on in-memory streams. */
export function inProcess(): TestClient {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  serve(createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  return new TestClient(createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer)));
}

/** `node [nodeArgs] dist/server.js --stdio` as a child process; stderr is kept for the test to inspect. */
export function spawned(serverJs: string, nodeArgs: readonly string[] = []): { client: TestClient; stderr: () => string } {
  const child = spawn(process.execPath, [...nodeArgs, serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const client = new TestClient(createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin)), child);
  return { client, stderr: () => err };
}
