// Quick fixes over a real LSP connection: each action's WorkspaceEdit is applied as an editor
// would (incremental didChange), the result must compile (clang -target bpf for BPF sources;
// clang -fsyntax-only against a bpftool skeleton for loaders), and the warning must go away.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol/node';
import { ModelRequest } from '../../server/src/protocol';
import { inProcess, messageOf, uri, type TestClient } from './client';
import { applyEdits, checkLoader, compileBpf, copyWorkspace, generateSkeleton, read } from './helpers';

describe('code actions (in-process)', () => {
  let client: TestClient;
  let ws: ReturnType<typeof copyWorkspace>;
  let build: string;
  const texts = new Map<string, string>();

  const actionsFor = async (name: string, rule: string, nth = 0): Promise<{ diagnostic: Diagnostic; actions: CodeAction[] }> => {
    const diagnostics = await client.waitForDiagnostics(ws.file(name), (d) => d.filter((x) => x.code === rule).length > nth, rule);
    const diagnostic = diagnostics.filter((x) => x.code === rule)[nth] as Diagnostic;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri(ws.file(name)) },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    return { diagnostic, actions };
  };

  /** Applies the edit: opens each file, sends the edits as incremental changes, writes it to disk. */
  const apply = async (action: CodeAction): Promise<Map<string, string>> => {
    const changed = new Map<string, string>();
    for (const [u, edits] of Object.entries(action.edit?.changes ?? {}) as [string, TextEdit[]][]) {
      const path = fileURLToPath(u);
      if (!texts.has(path)) {
        texts.set(path, read(path));
        await client.open(path);
      }
      const next = applyEdits(texts.get(path) as string, edits);
      // Back to front, so each change's range is still valid when it is applied.
      const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
      await client.change(path, sorted.map((e) => ({ range: e.range, text: e.newText })));
      texts.set(path, next);
      writeFileSync(path, next);
      changed.set(path, next);
    }
    return changed;
  };

  const stateOf = async (id: string): Promise<string> => {
    const { model } = await client.request<ModelRequest.Result>(ModelRequest.method, {});
    const a = model.programs.find((p) => p.id === id)?.association;
    return a ? [a.state, ...(a.state === 'auto' || a.state === 'explicit' ? [a.map] : [])].join(' ') : '<missing>';
  };

  const compiles = (source: string): void => {
    const r = compileBpf(source, build);
    assert.ok(r.ok, `clang -target bpf ${source}:\n${r.output}`);
  };

  before(async () => {
    ws = copyWorkspace();
    build = mkdtempSync(join(tmpdir(), 'bpf-assoc-build-'));
    client = inProcess();
    await client.initialize([ws.dir]);
  });
  after(async () => {
    await client.shutdown();
    client.dispose();
    ws.cleanup();
    rmSync(build, { recursive: true, force: true });
  });

  it('poisoned-association: gives the second map its own copy of the program', async () => {
    const { diagnostic, actions } = await actionsFor('poisoned.bpf.c', 'poisoned-association');
    assert.deepEqual(actions.map((a) => a.title), ['Give st_ops_map_b its own copy of test_1']);
    const action = actions[0] as CodeAction;
    assert.equal(action.kind, 'quickfix');
    assert.deepEqual(action.diagnostics, [diagnostic]);
    const text = (await apply(action)).get(ws.file('poisoned.bpf.c')) as string;
    assert.match(text, /SEC\("struct_ops\/test_1"\)\nint BPF_PROG\(test_1_b, struct st_ops_args \*args\)\n\{\n\treturn bpf_kfunc_multi_st_ops_test_1_assoc\(args\);\n\}/);
    assert.match(text, /st_ops_map_a = \{\n\t\.test_1 = \(void \*\)test_1,/);
    assert.match(text, /st_ops_map_b = \{\n\t\.test_1 = \(void \*\)test_1_b,/);
    compiles(ws.file('poisoned.bpf.c'));
    await client.waitForDiagnostics(ws.file('poisoned.bpf.c'), (d) => d.length === 0, 'no findings after the fix');
    assert.equal(await stateOf('poisoned/test_1'), 'auto st_ops_map_a');
    assert.equal(await stateOf('poisoned/test_1_b'), 'auto st_ops_map_b');
  });

  it('unassociated-kfunc-caller: associates the program after the load in the loader', async () => {
    const { actions } = await actionsFor('kfunc_user.bpf.c', 'unassociated-kfunc-caller');
    assert.deepEqual(actions.map((a) => a.title), ['Associate run_kfunc with ops_map in kfunc_user.c']);
    const loader = (await apply(actions[0] as CodeAction)).get(ws.file('kfunc_user.c')) as string;
    // Checked as the loader checks its attach (test/server/loaderChecks.test.ts has the other styles).
    assert.match(loader, /if \(!skel\)\n\t\treturn 1;\n\terr = bpf_program__assoc_struct_ops\(skel->progs\.run_kfunc, skel->maps\.ops_map, NULL\);\n\tif \(err\)\n\t\tgoto out;\n\terr = kfunc_user__attach\(skel\);/);
    compiles(ws.file('kfunc_user.bpf.c'));
    generateSkeleton(join(build, 'kfunc_user.bpf.o'), 'kfunc_user', build, true);
    const check = checkLoader(ws.file('kfunc_user.c'), build);
    assert.ok(check.ok, check.output);
    await client.waitForDiagnostics(ws.file('kfunc_user.bpf.c'), (d) => d.length === 0, 'no findings after the fix');
    assert.equal(await stateOf('kfunc_user/run_kfunc'), 'explicit ops_map');
  });

  it("unreferenced-struct-ops-program: adds '?' to a written-out SEC", async () => {
    const { actions } = await actionsFor('orphan.bpf.c', 'unreferenced-struct-ops-program');
    assert.deepEqual(actions.map((a) => a.title), ['Make forgotten optional: SEC("?struct_ops/test_2")']);
    const text = (await apply(actions[0] as CodeAction)).get(ws.file('orphan.bpf.c')) as string;
    assert.match(text, /SEC\("\?struct_ops\/test_2"\)\nint BPF_PROG\(forgotten,/);
    compiles(ws.file('orphan.bpf.c'));
    await client.waitForDiagnostics(ws.file('orphan.bpf.c'), (d) => d.length === 1 && messageOf(d[0]).includes('forgotten_macro'), 'only the macro program left');
  });

  it('unreferenced-struct-ops-program from a macro: turns autoload off in the loader instead', async () => {
    const { actions } = await actionsFor('orphan.bpf.c', 'unreferenced-struct-ops-program');
    // The written-out SEC("?...") is test/server/optionalMacro.test.ts's.
    assert.deepEqual(actions.map((a) => a.title), ['Make forgotten_macro optional: SEC("?struct_ops/forgotten_macro") and BPF_PROG in place of BPF_STRUCT_OPS', 'Turn off autoload of forgotten_macro in orphan.c']);
    const loader = (await apply(actions[1] as CodeAction)).get(ws.file('orphan.c')) as string;
    assert.match(loader, /return 1;\n\tbpf_program__set_autoload\(skel->progs\.forgotten_macro, false\);\n\tif \(orphan__load\(skel\)\)/);
    compiles(ws.file('orphan.bpf.c'));
    generateSkeleton(join(build, 'orphan.bpf.o'), 'orphan', build, true);
    const check = checkLoader(ws.file('orphan.c'), build);
    assert.ok(check.ok, check.output);
    await client.waitForDiagnostics(ws.file('orphan.bpf.c'), (d) => d.length === 0, 'no findings after the fix');
    assert.equal(await stateOf('orphan/used'), 'auto orphan_map');
  });

  it('offers no loader edit when the object has no loader', async () => {
    const path = ws.file('lonely.bpf.c');
    const source = read(ws.file('kfunc_user.bpf.c')).replace('ops_map', 'lonely_map').replace('(void *)ops_test_1', '(void *)ops_test_1');
    writeFileSync(path, source);
    await client.open(path, source);
    const { actions } = await actionsFor('lonely.bpf.c', 'unassociated-kfunc-caller');
    assert.deepEqual(actions, []);
  });
});
