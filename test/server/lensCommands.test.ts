// Code lenses as commands, for a client that says it runs them (initializationOptions
// .clientCommands): a map's lens runs bpfAssoc.revealMap with the map's id; a program's lens runs
// bpfAssoc.showLocations with the program's position and the slots and association calls that
// decide its association. A client that does not name them gets text-only lenses.
import { strict as assert } from 'node:assert';
import type { CodeLens, Location } from 'vscode-languageserver-protocol/node';
import { inProcess, uri, type TestClient } from './client';
import { copyWorkspace, positionOf, read } from './helpers';

describe('language server: code lenses that run commands', () => {
  let client: TestClient;
  let ws: ReturnType<typeof copyWorkspace>;
  const lineOf = (name: string, needle: string, nth = 0): number => positionOf(read(ws.file(name)), needle, 0, nth).line;

  before(async () => {
    ws = copyWorkspace();
    client = inProcess();
    await client.initialize([ws.dir], { clientCommands: ['bpfAssoc.revealMap', 'bpfAssoc.showLocations'] });
    await client.waitForDiagnostics(ws.file('poisoned.bpf.c'), (d) => d.length > 0);
  });
  after(async () => {
    await client.shutdown();
    client.dispose();
    ws.cleanup();
  });

  const lenses = (file: string) => client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(ws.file(file)) } });

  it("a map's lens reveals the map", async () => {
    const map = (await lenses('poisoned.bpf.c')).filter((l) => l.command?.command === 'bpfAssoc.revealMap');
    assert.deepEqual(
      map.map((l) => [l.range.start.line, l.command?.title, l.command?.arguments]),
      [
        [lineOf('poisoned.bpf.c', 'st_ops_map_a =') - 1, '2 programs · 1 poisoned', ['poisoned/st_ops_map_a']],
        [lineOf('poisoned.bpf.c', 'st_ops_map_b =') - 1, '2 programs · 1 poisoned', ['poisoned/st_ops_map_b']],
      ],
    );
  });

  it("a poisoned program's lens lists both slots that hold it", async () => {
    const lens = (await lenses('poisoned.bpf.c')).find((l) => l.command?.title === 'st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned');
    assert.equal(lens?.command?.command, 'bpfAssoc.showLocations');
    assert.equal(lens?.range.start.line, lineOf('poisoned.bpf.c', 'SEC("struct_ops/test_1")'));
    const [at, position, locations] = lens?.command?.arguments as [string, { line: number }, Location[]];
    assert.equal(at, uri(ws.file('poisoned.bpf.c')));
    assert.equal(position.line, lineOf('poisoned.bpf.c', 'test_1, struct'));
    assert.deepEqual(
      locations.map((l) => [l.uri, l.range.start.line]),
      [
        [uri(ws.file('poisoned.bpf.c')), lineOf('poisoned.bpf.c', '.test_1 = (void *)test_1')],
        [uri(ws.file('poisoned.bpf.c')), lineOf('poisoned.bpf.c', '.test_1 = (void *)test_1', 1)],
      ],
    );
  });

  it("an explicitly associated program's lens lists its association calls in the loader", async () => {
    const lens = (await lenses('explicit.bpf.c')).find((l) => l.command?.title === 'explicit: first_map');
    assert.equal(lens?.command?.command, 'bpfAssoc.showLocations', JSON.stringify(lens));
    const locations = (lens?.command?.arguments?.[2] ?? []) as Location[];
    assert.ok(locations.length > 0 && locations.every((l) => l.uri === uri(ws.file('explicit.c'))), JSON.stringify(locations));
  });

  it('a program nothing associates gets a text lens', async () => {
    const lens = (await lenses('kfunc_user.bpf.c')).find((l) => l.command?.title === 'not associated');
    assert.equal(lens?.command?.command, '');
  });
});
