// The language server over a real LSP connection, in this process: initialize with progress,
// diagnostics, hover, definition, references, code lens, symbols and the custom model request,
// on the workspace in test/server/workspace (copied, so nothing here edits the original).
import { strict as assert } from 'node:assert';
import type { CodeLens, Diagnostic, DocumentSymbol, Hover, InitializeResult, Location, SymbolInformation } from 'vscode-languageserver-protocol/node';
import { ModelRequest } from '../../server/src/protocol';
import { inProcess, uri, type TestClient } from './client';
import { compileBpf, copyWorkspace, generateSkeleton, positionOf, read } from './helpers';

describe('language server (in-process)', () => {
  let client: TestClient;
  let ws: ReturnType<typeof copyWorkspace>;
  let init: InitializeResult;

  const hoverAt = async (name: string, needle: string, offset = 0, nth = 0): Promise<string> => {
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uri(ws.file(name)) }, position: positionOf(read(ws.file(name)), needle, offset, nth) });
    assert.ok(h, `a hover on '${needle}' in ${name}`);
    return (h.contents as { value: string }).value;
  };
  const lineOf = (name: string, needle: string, nth = 0): number => positionOf(read(ws.file(name)), needle, 0, nth).line;

  before(async () => {
    ws = copyWorkspace();
    client = inProcess();
    init = await client.initialize([ws.dir]);
    await client.waitForDiagnostics(ws.file('poisoned.bpf.c'), (d) => d.length > 0);
  });
  after(async () => {
    await client.shutdown();
    client.dispose();
    ws.cleanup();
  });

  it('answers initialize with its capabilities, then indexes with work-done progress', () => {
    const caps = init.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    for (const c of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider', 'workspaceSymbolProvider'] as const) assert.equal(caps[c], true, c);
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix'] });
    assert.equal(init.serverInfo?.name, 'bpf-assoc');
    const order = client.received.map((m) => (m.method === '$/progress' ? `progress:${(m.params as { value: { kind: string } }).value.kind}` : m.method));
    assert.ok(order.indexOf('window/workDoneProgress/create') < order.indexOf('progress:begin'), order.join(' '));
    assert.ok(order.indexOf('progress:begin') < order.indexOf('progress:end'), order.join(' '));
    assert.ok(order.indexOf('progress:end') < order.indexOf('textDocument/publishDiagnostics'), 'diagnostics after indexing');
    const registrations = client.received.filter((m) => m.method === 'client/registerCapability').map((m) => JSON.stringify(m.params));
    assert.ok(registrations.some((r) => r.includes('workspace/didChangeWatchedFiles') && r.includes('**/*.{c,h,o}')), registrations.join('\n'));
  });

  it('publishes poisoned-association with rule code, docs link, related slots and source', () => {
    const d = client.diagnostics.get(uri(ws.file('poisoned.bpf.c'))) ?? [];
    const poisoned = d.find((x) => x.code === 'poisoned-association') as Diagnostic;
    assert.ok(poisoned, JSON.stringify(d));
    assert.deepEqual(poisoned.range.start, positionOf(read(ws.file('poisoned.bpf.c')), 'test_1, struct'));
    assert.equal(poisoned.source, 'bpf-assoc');
    assert.equal(poisoned.severity, 2);
    assert.match(poisoned.codeDescription?.href ?? '', /rules\.md#poisoned-association$/);
    assert.deepEqual(
      poisoned.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.message]),
      [
        [uri(ws.file('poisoned.bpf.c')), lineOf('poisoned.bpf.c', '.test_1 = (void *)test_1'), 'slot st_ops_map_a.test_1'],
        [uri(ws.file('poisoned.bpf.c')), lineOf('poisoned.bpf.c', '.test_1 = (void *)test_1', 1), 'slot st_ops_map_b.test_1'],
      ],
    );
    const rules = (name: string): string[] => (client.diagnostics.get(uri(ws.file(name))) ?? []).map((x) => String(x.code)).sort();
    assert.deepEqual(rules('poisoned.bpf.c'), ['poisoned-association', 'poisoned-kfunc-caller']);
    assert.deepEqual(rules('kfunc_user.bpf.c'), ['unassociated-kfunc-caller']);
    assert.deepEqual(rules('orphan.bpf.c'), ['unreferenced-struct-ops-program', 'unreferenced-struct-ops-program']);
    assert.deepEqual(rules('explicit.c'), ['assoc-conflict']);
  });

  it('hovers on a poisoned program: section, state, slots and what it means at run time', async () => {
    const text = await hoverAt('poisoned.bpf.c', 'test_1, struct', 2);
    assert.match(text, /\*\*test_1\*\* · struct_ops program/);
    assert.match(text, /`SEC\("struct_ops\/test_1"\)`/);
    // The state once, then why (not "poisoned — st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned").
    assert.match(text, /\n\*\*Association: poisoned\*\* — it fills slots of `st_ops_map_a` and `st_ops_map_b`, and both are attached\.\n/);
    assert.doesNotMatch(text, /poisoned — .*— poisoned|Poisoned: /);
    assert.match(text, /slot `st_ops_map_b\.test_1`/);
    assert.match(text, /bpf_prog_get_assoc_struct_ops\(\)` returns NULL/);
    assert.equal(await hoverAt('poisoned.bpf.c', 'SEC("struct_ops/test_1")', 6), text, 'the same hover on its SEC line');
  });

  it('says "give each map its own copy" once where the editor shows the warning and the hover together', async () => {
    const at = positionOf(read(ws.file('poisoned.bpf.c')), 'test_1, struct', 2);
    const shown = (client.diagnostics.get(uri(ws.file('poisoned.bpf.c'))) ?? []).filter(
      (d) => d.range.start.line <= at.line && at.line <= d.range.end.line && d.range.start.character <= at.character && at.character <= d.range.end.character,
    );
    assert.deepEqual(shown.map((d) => d.code), ['poisoned-association']);
    const hover = await hoverAt('poisoned.bpf.c', 'test_1, struct', 2);
    const said = [...shown.map((d) => d.message as string), hover].join('\n').match(/own copy/gi) ?? [];
    assert.equal(said.length, 1, hover);
    // On a slot, where no warning is shown, the hover gives the advice itself.
    assert.match(await hoverAt('poisoned.bpf.c', '.test_1 = (void *)test_1', 2, 1), /Give each map its own copy of the program\./);
  });

  it('hovers on a struct_ops map, a slot, an association call and a kfunc call', async () => {
    const map = await hoverAt('poisoned.bpf.c', 'st_ops_map_b =', 3);
    assert.match(map, /\*\*st_ops_map_b\*\* · struct_ops map `struct editor_test_ops`/);
    assert.match(map, /`\.link`: attached through a BPF link/);
    assert.match(map, /autocreate on/);
    assert.match(map, /`\.test_1` → `test_1` \(poisoned\)/);
    assert.match(map, /\*\*Programs:\*\* 2 programs · 1 poisoned/);
    const slot = await hoverAt('poisoned.bpf.c', '.test_2 = test_2_b', 12);
    assert.match(slot, /\*\*st_ops_map_b\.test_2\*\* = `test_2_b`/);
    const call = await hoverAt('explicit.c', 'bpf_program__assoc_struct_ops(skel->progs.busy_caller, skel->maps.second_map', 3);
    assert.match(call, /`busy_caller` → `second_map`/);
    assert.match(call, /Predicted answer .*: \*\*-EBUSY\*\*/);
    const ok = await hoverAt('explicit.c', 'bpf_program__assoc_struct_ops(skel->progs.good_caller', 3);
    assert.match(ok, /\*\*0\*\* \(success\)/);
    const kfunc = await hoverAt('kfunc_user.bpf.c', 'bpf_kfunc_multi_st_ops_test_1_assoc(&args)', 4);
    assert.match(kfunc, /reads the calling program's struct_ops association/);
    assert.match(kfunc, /Called from `run_kfunc`: it gets NULL: the program is not associated\./);
  });

  it('hovers on skel->progs.P and skel->maps.M inside an association call as the program and the map', async () => {
    const call = 'bpf_program__assoc_struct_ops(skel->progs.busy_caller, skel->maps.second_map';
    const program = await hoverAt('explicit.c', call, call.indexOf('busy_caller') + 2);
    assert.match(program, /^\*\*busy_caller\*\* · program/);
    assert.doesNotMatch(program, /^Predicted answer/m);
    const map = await hoverAt('explicit.c', call, call.indexOf('second_map') + 2);
    assert.match(map, /^\*\*second_map\*\* · struct_ops map/);
    assert.match(await hoverAt('explicit.c', call, 3), /· `busy_caller` → `second_map`\n\nPredicted answer/, 'the call itself on its name');
  });

  it('goes to definition from a slot, skel->progs.P and skel->maps.M', async () => {
    const def = async (name: string, needle: string, offset: number): Promise<Location[]> =>
      client.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(ws.file(name)) }, position: positionOf(read(ws.file(name)), needle, offset) });
    const toProgram = await def('poisoned.bpf.c', '.test_2 = test_2_b', 12);
    assert.deepEqual(toProgram.map((l) => [l.uri, l.range.start]), [[uri(ws.file('poisoned.bpf.c')), positionOf(read(ws.file('poisoned.bpf.c')), 'test_2_b, struct')]]);
    const fromLoader = await def('explicit.c', 'skel->progs.good_caller', 14);
    assert.deepEqual(fromLoader.map((l) => [l.uri, l.range.start]), [[uri(ws.file('explicit.bpf.c')), positionOf(read(ws.file('explicit.bpf.c')), 'good_caller(void')]]);
    const toMap = await def('explicit.c', 'skel->maps.second_map', 14);
    assert.deepEqual(toMap.map((l) => [l.uri, l.range.start]), [[uri(ws.file('explicit.bpf.c')), positionOf(read(ws.file('explicit.bpf.c')), 'second_map =')]]);
  });

  it('finds references of a program: definition, slots and association calls', async () => {
    const refs = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: uri(ws.file('explicit.bpf.c')) },
      position: positionOf(read(ws.file('explicit.bpf.c')), 'busy_caller(void', 1),
      context: { includeDeclaration: true },
    });
    assert.deepEqual(
      refs.map((l) => `${l.uri.split('/').pop()}:${l.range.start.line}`).sort(),
      [`explicit.bpf.c:${lineOf('explicit.bpf.c', 'busy_caller(void')}`, `explicit.c:${lineOf('explicit.c', 'progs.busy_caller')}`, `explicit.c:${lineOf('explicit.c', 'progs.busy_caller', 1)}`].sort(),
    );
    const slots = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: uri(ws.file('poisoned.bpf.c')) },
      position: positionOf(read(ws.file('poisoned.bpf.c')), 'test_1, struct', 1),
      context: { includeDeclaration: false },
    });
    assert.deepEqual(slots.map((l) => l.range.start.line), [lineOf('poisoned.bpf.c', '.test_1 = (void *)test_1'), lineOf('poisoned.bpf.c', '.test_1 = (void *)test_1', 1)]);
  });

  it('shows code lenses on maps and programs', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(ws.file('poisoned.bpf.c')) } });
    const titles = lenses.map((l) => [l.range.start.line, l.command?.title]);
    assert.deepEqual(titles, [
      // Above the whole item: on its SEC(...) line, the one above the name.
      [lineOf('poisoned.bpf.c', 'test_1, struct') - 1, 'st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned'],
      [lineOf('poisoned.bpf.c', 'test_2_a, struct') - 1, 'st_ops_map_a.test_2'],
      [lineOf('poisoned.bpf.c', 'test_2_b, struct') - 1, 'st_ops_map_b.test_2'],
      [lineOf('poisoned.bpf.c', 'st_ops_map_a =') - 1, '2 programs · 1 poisoned'],
      [lineOf('poisoned.bpf.c', 'st_ops_map_b =') - 1, '2 programs · 1 poisoned'],
    ]);
    const explicit = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(ws.file('explicit.bpf.c')) } });
    assert.ok(explicit.some((l) => l.command?.title === 'explicit: first_map'), JSON.stringify(explicit));
    const kfuncUser = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(ws.file('kfunc_user.bpf.c')) } });
    assert.ok(kfuncUser.some((l) => l.command?.title === 'not associated'));
  });

  it('lists document symbols and workspace symbols', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri(ws.file('poisoned.bpf.c')) } });
    assert.deepEqual(symbols.map((s) => s.name), ['test_1', 'test_2_a', 'test_2_b', 'st_ops_map_a', 'st_ops_map_b']);
    const map = symbols.find((s) => s.name === 'st_ops_map_b') as DocumentSymbol;
    assert.deepEqual(map.children?.map((c) => `${c.name}=${c.detail}`), ['.test_1=test_1', '.test_2=test_2_b']);
    const found = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'caller' });
    assert.deepEqual(found.map((s) => `${s.containerName}/${s.name}`).sort(), ['explicit/busy_caller', 'explicit/good_caller']);
  });

  it('lists empty slots in a map hover from the bpftool skeleton, once it is built', async () => {
    const r = compileBpf(ws.file('kfunc_user.bpf.c'), ws.dir);
    assert.ok(r.ok, r.output);
    const skeleton = generateSkeleton(r.object, 'kfunc_user', ws.dir);
    const before = (await client.request<ModelRequest.Result>(ModelRequest.method, {})).version;
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(r.object), type: 1 }, { uri: uri(skeleton), type: 1 }] });
    await client.waitFor('a new model', () => client.received.some((m) => m.method === 'bpfAssoc/modelChanged' && (m.params as { version: number }).version > before));
    const { model } = await client.request<ModelRequest.Result>(ModelRequest.method, {});
    assert.equal(model.objects.find((o) => o.id === 'kfunc_user')?.truth, 'skeleton');
    const map = await hoverAt('kfunc_user.bpf.c', 'ops_map =', 2);
    assert.match(map, /\*\*Slots filled \(1\):\*\*\n- `\.test_1` → `ops_test_1`/);
    assert.match(map, /\*\*Left NULL \(1\):\*\* `\.test_2` — no program runs for it \(function pointers of `struct editor_test_ops` as bpftool wrote them into \[kfunc_user\.skel\.h\]\(file:\/\/[^)#]*kfunc_user\.skel\.h\)\)\./);
    assert.doesNotMatch(map, /Empty slots|skel\.h:1/);
    const slot = await hoverAt('kfunc_user.bpf.c', '.test_1 = (void *)ops_test_1', 2);
    assert.match(slot, /\nFrom the build: the relocation in the object bpftool embedded in \[kfunc_user\.skel\.h\]\([^)]*\), which is what libbpf loads, puts `ops_test_1` here\.\n/);
    assert.doesNotMatch(slot, /Read from the compiled/);
    // A map whose every function pointer has a program says so (it said "Empty slots (0): none").
    const poisoned = compileBpf(ws.file('poisoned.bpf.c'), ws.dir);
    assert.ok(poisoned.ok, poisoned.output);
    const poisonedSkeleton = generateSkeleton(poisoned.object, 'poisoned', ws.dir);
    const version = (await client.request<ModelRequest.Result>(ModelRequest.method, {})).version;
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(poisoned.object), type: 1 }, { uri: uri(poisonedSkeleton), type: 1 }] });
    await client.waitFor('a newer model', () => client.received.some((m) => m.method === 'bpfAssoc/modelChanged' && (m.params as { version: number }).version > version));
    const full = await hoverAt('poisoned.bpf.c', 'st_ops_map_a =', 2);
    assert.match(full, /\*\*Left NULL:\*\* none — every function pointer of `struct editor_test_ops` has a program \(as bpftool wrote the type into \[poisoned\.skel\.h\]\(file:[^)]*\)\)\./);
  });

  it('answers bpfAssoc/model with the whole model and sent bpfAssoc/modelChanged', async () => {
    const result = await client.request<ModelRequest.Result>(ModelRequest.method, {});
    assert.equal(result.indexing, false);
    assert.ok(result.version >= 1);
    assert.deepEqual(result.model.objects.map((o) => o.id).sort(), ['explicit', 'kfunc_user', 'orphan', 'poisoned']);
    assert.equal(result.model.programs.find((p) => p.id === 'poisoned/test_1')?.association.state, 'poisoned');
    const last = await client.waitFor('modelChanged for this version', () =>
      client.received.map((m) => m.params as { version: number; indexing: boolean; counts: { poisoned: number } }).find((p, i) => client.received[i]?.method === 'bpfAssoc/modelChanged' && p.version === result.version),
    );
    assert.deepEqual([last.version, last.indexing, last.counts.poisoned], [result.version, false, 1]);
  });
});

describe('language server (in-process) while indexing', () => {
  it('answers requests before indexing has finished, then says when it has', async () => {
    const ws = copyWorkspace();
    const client = inProcess();
    try {
      await client.connection.sendRequest('initialize', { processId: null, rootUri: uri(ws.dir), workspaceFolders: [{ uri: uri(ws.dir), name: 'ws' }], capabilities: {} });
      await client.connection.sendNotification('initialized', {});
      const early = await client.request<ModelRequest.Result>(ModelRequest.method, {});
      assert.equal(early.indexing, true);
      const done = await client.waitFor('modelChanged with indexing done', () =>
        client.received.find((m) => m.method === 'bpfAssoc/modelChanged' && !(m.params as { indexing: boolean }).indexing),
      );
      assert.equal((done.params as { counts: { objects: number } }).counts.objects, 4);
      const late = await client.request<ModelRequest.Result>(ModelRequest.method, {});
      assert.equal(late.indexing, false);
      assert.equal(client.count('window/workDoneProgress/create'), 0, 'no progress without the client capability');
      await client.shutdown();
    } finally {
      client.dispose();
      ws.cleanup();
    }
  });
});

