// The workspace as it changes under the server: settings (severity overrides, extra kfuncs,
// exclude globs), files created, renamed and deleted on disk, edits in open buffers, and files
// it cannot read (binary content, a symlink loop) that must give a message, not a dead server.
import { strict as assert } from 'node:assert';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Hover } from 'vscode-languageserver-protocol/node';
import { ModelRequest } from '../../server/src/protocol';
import { inProcess, messageOf, uri, type TestClient } from './client';
import { copyWorkspace, positionOf, read } from './helpers';

const CREATED = 1;
const DELETED = 3;

describe('workspace changes (in-process)', () => {
  let client: TestClient;
  let ws: ReturnType<typeof copyWorkspace>;
  const watched = (changes: [string, number][]): Promise<void> =>
    client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map(([p, type]) => ({ uri: uri(p), type })) });
  const rules = (name: string): string[] => (client.diagnostics.get(uri(ws.file(name))) ?? []).map((d) => String(d.code)).sort();

  before(async () => {
    ws = copyWorkspace();
    mkdirSync(ws.file('build'));
    writeFileSync(ws.file('build/copy.bpf.c'), read(ws.file('poisoned.bpf.c')));
    client = inProcess();
    client.settings = { files: { exclude: ['build'] } };
    await client.initialize([ws.dir]);
    await client.waitForDiagnostics(ws.file('poisoned.bpf.c'), (d) => d.length > 0);
  });
  after(async () => {
    await client.shutdown();
    client.dispose();
    ws.cleanup();
  });

  it('leaves files matching bpfAssoc.files.exclude out of the index', async () => {
    const { model } = await client.request<ModelRequest.Result>(ModelRequest.method, {});
    assert.ok(!model.objects.some((o) => o.sources.some((s) => s.includes('/build/'))), JSON.stringify(model.objects.map((o) => o.sources)));
    assert.ok(client.count('workspace/configuration') >= 1, 'settings read through workspace/configuration');
  });

  it('applies severity overrides and extra kfuncs from the settings', async () => {
    client.settings = { severity: { 'poisoned-association': 'error', 'poisoned-kfunc-caller': 'off' }, kfuncs: ['my_assoc_kfunc'], files: { exclude: ['build'] } };
    const source = ws.file('custom.bpf.c');
    writeFileSync(source, read(ws.file('kfunc_user.bpf.c')).replaceAll('bpf_kfunc_multi_st_ops_test_1_assoc', 'my_assoc_kfunc').replace('extern int my_assoc_kfunc', 'extern int my_assoc_kfunc'));
    await watched([[source, CREATED]]);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const d = await client.waitForDiagnostics(ws.file('poisoned.bpf.c'), (x) => x.length === 1 && x[0]?.severity === 1, 'overridden severities');
    assert.equal(d[0]?.code, 'poisoned-association');
    await client.waitForDiagnostics(source, (x) => x.some((y) => y.code === 'unassociated-kfunc-caller'), 'the setting kfunc treated as association-dependent');
    client.settings = { files: { exclude: ['build'] } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(ws.file('poisoned.bpf.c'), (x) => x.length === 2 && x.every((y) => y.severity === 2), 'default severities again');
  });

  it('clears the diagnostics of a deleted file and picks up a created one', async () => {
    assert.deepEqual(rules('kfunc_user.bpf.c'), ['unassociated-kfunc-caller']);
    rmSync(ws.file('kfunc_user.bpf.c'));
    await watched([[ws.file('kfunc_user.bpf.c'), DELETED]]);
    await client.waitForDiagnostics(ws.file('kfunc_user.bpf.c'), (d) => d.length === 0, 'cleared diagnostics');
    writeFileSync(ws.file('second.bpf.c'), read(ws.file('poisoned.bpf.c')));
    await watched([[ws.file('second.bpf.c'), CREATED]]);
    await client.waitForDiagnostics(ws.file('second.bpf.c'), (d) => d.some((x) => x.code === 'poisoned-association'), 'a new file analysed');
  });

  it('follows a rename (deleted + created) and a deleted directory', async () => {
    renameSync(ws.file('second.bpf.c'), ws.file('renamed.bpf.c'));
    await watched([[ws.file('second.bpf.c'), DELETED], [ws.file('renamed.bpf.c'), CREATED]]);
    await client.waitForDiagnostics(ws.file('second.bpf.c'), (d) => d.length === 0, 'old name cleared');
    await client.waitForDiagnostics(ws.file('renamed.bpf.c'), (d) => d.length > 0, 'new name analysed');
    mkdirSync(ws.file('sub'));
    writeFileSync(ws.file('sub/deep.bpf.c'), read(ws.file('poisoned.bpf.c')));
    await watched([[ws.file('sub/deep.bpf.c'), CREATED]]);
    await client.waitForDiagnostics(ws.file('sub/deep.bpf.c'), (d) => d.length > 0, 'file in a new directory');
    rmSync(ws.file('sub'), { recursive: true });
    await watched([[ws.file('sub'), DELETED]]);
    await client.waitForDiagnostics(ws.file('sub/deep.bpf.c'), (d) => d.length === 0, 'directory deletion clears its files');
  });

  it('re-diagnoses after an edit in an open buffer, which wins over the disk', async () => {
    const path = ws.file('poisoned.bpf.c');
    await client.open(path);
    const at = positionOf(read(path), '.test_1 = (void *)test_1', 18, 1);
    await client.change(path, [{ range: { start: at, end: { line: at.line, character: at.character + 6 } }, text: 'NULL' }]);
    await client.waitForDiagnostics(path, (d) => !d.some((x) => x.code === 'poisoned-association'), 'the poisoning edited away');
    await watched([[path, 2]]);
    const { model } = await client.request<ModelRequest.Result>(ModelRequest.method, {});
    assert.equal(model.programs.find((p) => p.id === 'poisoned/test_1')?.association.state, 'auto', 'the buffer, not the disk');
    await client.close(path);
    await client.waitForDiagnostics(path, (d) => d.some((x) => x.code === 'poisoned-association'), 'closing the buffer falls back to the disk');
  });

  it('reports a binary .c file and an unreadable one, and keeps answering', async () => {
    const binary = ws.file('blob.c');
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0, 0xff, 0xfe, 0, 1, 2, 3, 0, 0]));
    const loop = ws.file('loop.c');
    symlinkSync(loop, loop);
    await watched([[binary, CREATED], [loop, CREATED]]);
    const [bin] = await client.waitForDiagnostics(binary, (d) => d.length === 1, 'binary file message');
    assert.equal(bin?.code, 'unreadable-file');
    const [unreadable] = await client.waitForDiagnostics(loop, (d) => d.length === 1, 'unreadable file message');
    assert.equal(unreadable?.code, 'unreadable-file');
    assert.match(messageOf(unreadable), /could not read loop\.c/);
    assert.ok(client.received.some((m) => m.method === 'window/logMessage' && JSON.stringify(m.params).includes('cannot read')), 'logged');
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uri(ws.file('explicit.bpf.c')) }, position: positionOf(read(ws.file('explicit.bpf.c')), 'good_caller(void') });
    assert.ok(h, 'still answering');
    rmSync(loop);
    await watched([[loop, DELETED]]);
    await client.waitForDiagnostics(loop, (d) => d.length === 0, 'message gone with the file');
  });

  it('indexes an added workspace folder and forgets a removed one', async () => {
    const other = copyWorkspace();
    try {
      const folder = { uri: uri(other.dir), name: 'other' };
      await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [folder], removed: [] } });
      await client.waitForDiagnostics(other.file('poisoned.bpf.c'), (d) => d.some((x) => x.code === 'poisoned-association'), 'the added folder analysed');
      await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [folder] } });
      await client.waitForDiagnostics(other.file('poisoned.bpf.c'), (d) => d.length === 0, 'the removed folder forgotten');
    } finally {
      other.cleanup();
    }
  });

  it('answers requests on unknown documents and odd positions with empty results', async () => {
    const nowhere = { textDocument: { uri: 'untitled:Untitled-1' }, position: { line: 9999, character: 0 } };
    assert.equal(await client.request('textDocument/hover', nowhere), null);
    assert.deepEqual(await client.request('textDocument/definition', nowhere), []);
    const far = { textDocument: { uri: uri(ws.file('explicit.c')) }, position: { line: 9999, character: 9999 } };
    assert.equal(await client.request('textDocument/hover', far), null);
    assert.deepEqual(await client.request('textDocument/codeLens', { textDocument: { uri: uri(ws.file('missing.c')) } }), []);
  });
});
