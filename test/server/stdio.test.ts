// The built server as a separate process, as editors run it: `node dist/server.js --stdio`, and
// over Node IPC (`--node-ipc`) as the VS Code client starts it. Build first: `node esbuild.mjs`
// (the `test:server` script does).
import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProtocolConnection, IPCMessageReader, IPCMessageWriter, type CodeAction, type CodeLens, type Hover, type Location } from 'vscode-languageserver-protocol/node';
import { ModelRequest } from '../../server/src/protocol';
import { spawned, TestClient, uri } from './client';
import { copyWorkspace, positionOf, read, ROOT } from './helpers';

const SERVER_JS = join(ROOT, 'dist', 'server.js');

function exited(child: NonNullable<TestClient['child']>, ms = 10000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not exit within ${ms} ms`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('dist/server.js as a process', () => {
  let ws: ReturnType<typeof copyWorkspace>;

  before(function () {
    if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run \`node esbuild.mjs\` first (npm run test:server does)`);
    ws = copyWorkspace();
  });
  after(() => ws.cleanup());

  it('--stdio: serves every feature, survives bad input, shuts down and exits 0', async () => {
    const { client, stderr } = spawned(SERVER_JS);
    const child = client.child as NonNullable<TestClient['child']>;
    try {
      await client.initialize([ws.dir]);
      const poisoned = ws.file('poisoned.bpf.c');
      await client.waitForDiagnostics(poisoned, (d) => d.some((x) => x.code === 'poisoned-association'));
      await client.open(poisoned);
      const doc = { uri: uri(poisoned) };
      const text = read(poisoned);
      const hover = await client.request<Hover>('textDocument/hover', { textDocument: doc, position: positionOf(text, 'test_1, struct') });
      assert.match((hover.contents as { value: string }).value, /Association: poisoned/);
      const def = await client.request<Location[]>('textDocument/definition', { textDocument: doc, position: positionOf(text, '.test_2 = test_2_b', 12) });
      assert.equal(def[0]?.range.start.line, positionOf(text, 'test_2_b, struct').line);
      const refs = await client.request<Location[]>('textDocument/references', { textDocument: doc, position: positionOf(text, 'test_1, struct'), context: { includeDeclaration: true } });
      assert.equal(refs.length, 3);
      const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: doc });
      assert.ok(lenses.some((l) => l.command?.title === 'st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned'));
      const diagnostic = client.diagnostics.get(doc.uri)?.find((d) => d.code === 'poisoned-association');
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: doc, range: diagnostic?.range, context: { diagnostics: [diagnostic] } });
      assert.deepEqual(actions.map((a) => a.title), ['Give st_ops_map_b its own copy of test_1']);
      const model = await client.request<ModelRequest.Result>(ModelRequest.method, {});
      assert.equal(model.model.objects.length, 4);
      // A request the analysis cannot answer (no position) gets an empty result, not a crash.
      assert.equal(await client.request('textDocument/hover', { textDocument: doc, position: null }), null);
      assert.ok(client.received.some((m) => m.method === 'window/logMessage' && JSON.stringify(m.params).includes('hover failed')));
      // A binary .c file: a diagnostic, and the server keeps serving.
      const blob = ws.file('blob.c');
      writeFileSync(blob, Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 0, 7]));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(blob), type: 1 }] });
      const [message] = await client.waitForDiagnostics(blob, (d) => d.length > 0, 'a message about the binary file');
      assert.equal(message?.code, 'unreadable-file');
      await client.change(poisoned, [{ range: { start: positionOf(text, 'test_1,\n\t.test_2 = test_2_b', 0), end: positionOf(text, 'test_1,\n\t.test_2 = test_2_b', 6) }, text: 'NULL' }]);
      await client.waitForDiagnostics(poisoned, (d) => !d.some((x) => x.code === 'poisoned-association'), 're-diagnosis after an edit');
      await client.shutdown();
      await client.connection.sendNotification('exit');
      assert.equal(await exited(child), 0);
      assert.equal(stderr(), '', 'nothing on stderr');
    } finally {
      client.dispose();
      if (child.exitCode === null) child.kill();
    }
  });

  it('--node-ipc: initializes, publishes diagnostics, exits 0 after shutdown', async () => {
    const child = fork(SERVER_JS, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const client = new TestClient(createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child)), child);
    try {
      await client.initialize([ws.dir]);
      await client.waitForDiagnostics(ws.file('explicit.c'), (d) => d.some((x) => x.code === 'assoc-conflict'));
      await client.shutdown();
      await client.connection.sendNotification('exit');
      assert.equal(await exited(child), 0);
    } finally {
      client.dispose();
      if (child.exitCode === null) child.kill();
    }
  });
});
