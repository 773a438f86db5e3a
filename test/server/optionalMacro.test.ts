// An unreferenced struct_ops program whose section a macro gives (BPF_STRUCT_OPS(name, ...)): the
// warning's advice and the quick fix take forms that work there. The fix writes SEC("?...") out
// with BPF_PROG in place of the macro; clang compiles the result and the warning goes away.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol/node';
import { ModelRequest } from '../../server/src/protocol';
import { inProcess, messageOf, uri, type TestClient } from './client';
import { ROOT, applyEdits, compileBpf, copyWorkspace, read } from './helpers';

const RULE = 'unreferenced-struct-ops-program';

async function fixesFor(client: TestClient, source: string, program: string): Promise<{ diagnostic: Diagnostic; actions: CodeAction[] }> {
  const diagnostics = await client.waitForDiagnostics(source, (d) => d.some((x) => x.code === RULE && messageOf(x).includes(`\`${program}\``)), program);
  const diagnostic = diagnostics.find((x) => x.code === RULE && messageOf(x).includes(`\`${program}\``)) as Diagnostic;
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: uri(source) },
    range: diagnostic.range,
    context: { diagnostics: [diagnostic], only: ['quickfix'] },
  });
  return { diagnostic, actions };
}

describe('unreferenced struct_ops program from BPF_STRUCT_OPS: advice and quick fix', () => {
  it('advises set_autoload or a written-out SEC("?...") and writes it out with BPF_PROG (the macro defined in the file)', async () => {
    const ws = copyWorkspace();
    const client = inProcess();
    try {
      await client.initialize([ws.dir], { clientCommands: ['bpfAssoc.revealEdit'] });
      const source = ws.file('orphan.bpf.c');
      const { diagnostic, actions } = await fixesFor(client, source, 'forgotten_macro');
      // The loader's fix shows the loader at the added line; the source's fix edits the file in view.
      const autoload = actions.find((a) => a.title === 'Turn off autoload of forgotten_macro in orphan.c');
      const loader = ws.file('orphan.c');
      const [target, range] = (autoload?.command?.arguments ?? []) as [string, { start: { line: number; character: number }; end: { line: number; character: number } }];
      assert.deepEqual([autoload?.command?.command, target], ['bpfAssoc.revealEdit', uri(loader)]);
      const edited = applyEdits(read(loader), autoload?.edit?.changes?.[uri(loader)] as TextEdit[]).split('\n');
      assert.equal(edited[range.start.line]?.slice(range.start.character, range.end.character), 'bpf_program__set_autoload(skel->progs.forgotten_macro, false);');
      assert.match(messageOf(diagnostic), /turn its autoload off before the load \(bpf_program__set_autoload\(skel->progs\.forgotten_macro, false\)\), or write SEC\("\?struct_ops\/forgotten_macro"\) and BPF_PROG\(\) in place of the macro/);
      assert.doesNotMatch(messageOf(diagnostic), /make it optional with SEC/);
      // A written-out SEC keeps the short advice.
      const literal = (client.diagnostics.get(uri(source)) ?? []).find((d) => messageOf(d).includes('`forgotten`'));
      assert.match(messageOf(literal), /make it optional with SEC\("\?struct_ops\/test_2"\)\.$/);
      const written = actions.find((a) => a.title.includes('BPF_PROG'));
      assert.ok(written, actions.map((a) => a.title).join(', '));
      assert.equal(written.isPreferred, true);
      assert.equal(written.command, undefined);
      const edits = written.edit?.changes?.[uri(source)] as TextEdit[];
      const text = applyEdits(read(source), edits);
      assert.match(text, /\n\nSEC\("\?struct_ops\/forgotten_macro"\)\nint BPF_PROG\(forgotten_macro, struct st_ops_args \*args\)\n\{\n\treturn 2;\n\}/);
      writeFileSync(source, text);
      const r = compileBpf(source, ws.dir);
      assert.ok(r.ok, r.output);
      await client.open(source, read(source));
      await client.waitForDiagnostics(source, (d) => !d.some((x) => messageOf(x).includes('`forgotten_macro`')), 'no warning for forgotten_macro');
      const { model } = await client.request<ModelRequest.Result>(ModelRequest.method, {});
      assert.equal(model.programs.find((p) => p.id === 'orphan/forgotten_macro')?.association.state, 'not-loaded');
      await client.shutdown();
    } finally {
      client.dispose();
      ws.cleanup();
    }
  });

  it("writes out sched_ext's BPF_STRUCT_OPS_SLEEPABLE from a header as SEC(\"?struct_ops.s/...\")", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-optional-'));
    const client = inProcess();
    try {
      cpSync(join(ROOT, 'test', 'fixtures', 'cases', 'scx-plain-load'), join(dir, 'case'), { recursive: true });
      cpSync(join(ROOT, 'test', 'fixtures', 'include'), join(dir, 'include'), { recursive: true });
      const source = join(dir, 'case', 'minimal.bpf.c');
      writeFileSync(source, read(source).replace('SEC("syscall")', 's32 BPF_STRUCT_OPS_SLEEPABLE(minimal_spare, struct task_struct *p)\n{\n\treturn 0;\n}\n\nSEC("syscall")'));
      await client.initialize([dir]);
      const { actions } = await fixesFor(client, source, 'minimal_spare');
      const written = actions.find((a) => a.title === 'Make minimal_spare optional: SEC("?struct_ops.s/minimal_spare") and BPF_PROG in place of BPF_STRUCT_OPS_SLEEPABLE');
      assert.ok(written, actions.map((a) => a.title).join(', '));
      const text = applyEdits(read(source), written.edit?.changes?.[uri(source)] as TextEdit[]);
      assert.match(text, /\nSEC\("\?struct_ops\.s\/minimal_spare"\)\ns32 BPF_PROG\(minimal_spare, struct task_struct \*p\)\n/);
      writeFileSync(source, text);
      const r = compileBpf(source, dir);
      assert.ok(r.ok, r.output);
      await client.shutdown();
    } finally {
      client.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('offers no written-out SEC for a macro that does not expand to SEC(...) BPF_PROG(name, ...)', async () => {
    const ws = copyWorkspace();
    const client = inProcess();
    try {
      const source = ws.file('orphan.bpf.c');
      writeFileSync(source, read(source).replace('#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)', '#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) int BPF_PROG(name, ##args)').replace('int BPF_STRUCT_OPS(forgotten_macro', 'BPF_STRUCT_OPS(forgotten_macro'));
      await client.initialize([ws.dir]);
      const { actions } = await fixesFor(client, source, 'forgotten_macro');
      assert.deepEqual(actions.map((a) => a.title), ['Turn off autoload of forgotten_macro in orphan.c']);
      await client.shutdown();
    } finally {
      client.dispose();
      ws.cleanup();
    }
  });
});
