// The "Run on test VM" code lens: only for a client that says it runs bpfAssoc.runOnVm
// (initializationOptions.clientCommands), one per struct_ops map, after the map's own lens, with
// the map's object id as the command's argument.
import { strict as assert } from 'node:assert';
import type { CodeLens } from 'vscode-languageserver-protocol/node';
import { inProcess, uri, type TestClient } from './client';
import { copyWorkspace, positionOf, read } from './helpers';

describe('language server: the Run on test VM lens', () => {
  let client: TestClient;
  let ws: ReturnType<typeof copyWorkspace>;
  const lineOf = (name: string, needle: string): number => positionOf(read(ws.file(name)), needle).line;

  before(async () => {
    ws = copyWorkspace();
    client = inProcess();
    await client.initialize([ws.dir], { clientCommands: ['bpfAssoc.runOnVm'] });
    await client.waitForDiagnostics(ws.file('poisoned.bpf.c'), (d) => d.length > 0);
  });
  after(async () => {
    await client.shutdown();
    client.dispose();
    ws.cleanup();
  });

  it('adds one run lens per struct_ops map, with the object id, and none on programs', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(ws.file('poisoned.bpf.c')) } });
    const rows = lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command, JSON.stringify(l.command?.arguments ?? null)]);
    // On the map's SEC(...) line, above the whole definition.
    const a = lineOf('poisoned.bpf.c', 'st_ops_map_a =') - 1;
    const b = lineOf('poisoned.bpf.c', 'st_ops_map_b =') - 1;
    assert.deepEqual(
      rows.filter(([line]) => line === a || line === b),
      [
        [a, '2 programs · 1 poisoned', '', 'null'],
        [a, 'Run on test VM', 'bpfAssoc.runOnVm', '["poisoned"]'],
        [b, '2 programs · 1 poisoned', '', 'null'],
        [b, 'Run on test VM', 'bpfAssoc.runOnVm', '["poisoned"]'],
      ],
    );
    assert.equal(lenses.filter((l) => l.command?.command === 'bpfAssoc.runOnVm').length, 2, 'only on the two maps');
  });

  it('gives no run lens in a file without struct_ops maps', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(ws.file('explicit.c')) } });
    assert.ok(!lenses.some((l) => l.command?.command === 'bpfAssoc.runOnVm'), JSON.stringify(lenses));
  });
});
