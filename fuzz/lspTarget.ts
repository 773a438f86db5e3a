// Runs LSP message sequences against the real language server (server/src/server.ts serve(), on
// in-memory streams in this thread), kept between inputs as an editor keeps it. Its folder is a
// temporary copy of the fixture cases, their built objects and the witness. After each sequence
// every document it opened is closed; then the witness's findings must all be in the model. A
// handler that logs "failed" or answers with an error is a crash.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { WorkspaceModel } from '../server/src/analysis/model';
import { serve } from '../server/src/server';
import { ROOT } from './corpus';
import type { FuzzInput } from './inputs';
import type { Outcome } from './target';
import { missing } from './target';

interface ModelResult {
  indexing: boolean;
  model: WorkspaceModel;
}

const WITNESS_DIR = 'fuzz/witness/';

export class LspTarget {
  private readonly errors: string[] = [];
  private baseline = new Set<string>();
  private constructor(
    private readonly folder: string,
    private readonly client: ProtocolConnection,
  ) {}

  static async create(): Promise<LspTarget> {
    const folder = mkdtempSync(join(tmpdir(), 'bpf-assoc-fuzz-lsp-'));
    for (const dir of ['test/fixtures/cases', 'test/fixtures/include', 'fuzz/witness', '.build/test/fixtures/cases', 'examples']) {
      try {
        cpSync(join(ROOT, dir), join(folder, dir), { recursive: true });
      } catch {
        // A clean clone without .build/ or examples/build/: fewer files to index.
      }
    }
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    serve(createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
    const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    const t = new LspTarget(folder, client);
    client.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      if (p.type === 1 && / failed: /.test(p.message)) t.errors.push(p.message);
    });
    client.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
    for (const m of ['client/registerCapability', 'window/workDoneProgress/create', 'window/showMessageRequest']) client.onRequest(m, () => null);
    client.onUnhandledNotification(() => undefined);
    client.listen();
    await client.sendRequest('initialize', {
      processId: null,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'fuzz' }],
      capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true, workspaceFolders: true }, textDocument: { hover: { contentFormat: ['markdown'] } } },
    });
    await client.sendNotification('initialized', {});
    t.baseline = await t.witnessKeys();
    if (!t.baseline.size) throw new Error('the LSP witness has no findings after indexing');
    return t;
  }

  private uri(file: string): string {
    return file.startsWith('/') ? pathToFileURL(file).href : pathToFileURL(join(this.folder, file)).href;
  }

  /** The witness's findings once the initial indexing is over. */
  private async witnessKeys(): Promise<Set<string>> {
    for (let i = 0; ; i++) {
      const r = (await this.client.sendRequest('bpfAssoc/model', {})) as ModelResult;
      if (!r.indexing || i > 2000) {
        const keys = new Set<string>();
        const prefix = join(this.folder, WITNESS_DIR);
        for (const f of r.model.findings) if (f.location.file.startsWith(prefix)) keys.add(`${f.rule} ${f.location.file.slice(this.folder.length + 1)}:${f.location.range.start.line + 1}`);
        return keys;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async run(input: FuzzInput): Promise<Outcome> {
    this.errors.length = 0;
    const opened = new Map<string, number>();
    const failures: string[] = [];
    try {
      for (const op of input.lsp ?? []) {
        const uri = this.uri(op.file);
        if (op.op === 'open') {
          const version = (opened.get(uri) ?? 0) + 1;
          opened.set(uri, version);
          await this.client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text: op.text } });
        } else if (op.op === 'change') {
          const version = (opened.get(uri) ?? 0) + 1;
          opened.set(uri, version);
          await this.client.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: op.changes });
        } else if (op.op === 'close') {
          opened.delete(uri);
          await this.client.sendNotification('textDocument/didClose', { textDocument: { uri } });
        } else {
          const position = { line: op.line, character: op.character };
          const params =
            op.method === 'workspace/symbol' ? { query: op.file.slice(-3) }
            : op.method === 'bpfAssoc/model' ? {}
            : op.method === 'textDocument/codeAction' ? { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } }
            : op.method === 'textDocument/references' ? { textDocument: { uri }, position, context: { includeDeclaration: true } }
            : { textDocument: { uri }, position };
          try {
            await this.client.sendRequest(op.method, params);
          } catch (e) {
            failures.push(`${op.method}: ${(e as Error).message}`);
          }
        }
      }
    } finally {
      for (const uri of opened.keys()) await this.client.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
    const gone = missing(this.baseline, await this.witnessKeys());
    if (this.errors.length || failures.length) return { kind: 'crash', detail: [...failures, ...this.errors].join('\n').slice(0, 4000) };
    if (gone.length) return { kind: 'blank', detail: `witness findings gone: ${gone.join('; ')}` };
    return { kind: 'ok', detail: `${input.lsp?.length ?? 0} messages` };
  }

  dispose(): void {
    this.client.dispose();
    rmSync(this.folder, { recursive: true, force: true });
  }
}
