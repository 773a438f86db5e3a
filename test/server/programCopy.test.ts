// The "Give MAP its own copy of P" quick fix and the comment above the program: a comment that
// speaks of the sharing (examples/' "Shared by both maps: ...") goes with the sharing; any other
// comment stays. The edited source is compiled with clang -target bpf.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol/node';
import { sharingComment } from '../../server/src/features/programCopy';
import { inProcess, uri } from './client';
import { ROOT, applyEdits, compileBpf, copyWorkspace, read } from './helpers';

async function ownCopyAction(dir: string, source: string, clientCommands: string[] = []): Promise<CodeAction> {
  const client = inProcess();
  try {
    await client.initialize([dir], { clientCommands });
    const diagnostics = await client.waitForDiagnostics(source, (d) => d.some((x) => x.code === 'poisoned-association'), 'poisoned-association');
    const diagnostic = diagnostics.find((x) => x.code === 'poisoned-association') as Diagnostic;
    const [action] = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri(source) },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    assert.ok(action?.title.startsWith('Give '), JSON.stringify(action));
    await client.shutdown();
    return action as CodeAction;
  } finally {
    client.dispose();
  }
}

async function ownCopy(dir: string, source: string): Promise<string> {
  const action = await ownCopyAction(dir, source);
  return applyEdits(read(source), action.edit?.changes?.[uri(source)] as TextEdit[]);
}

describe('quick fix: own copy of a poisoned program, and the comment above it', () => {
  it('removes examples/\' "Shared by both maps" comment, keeps the others, and the source compiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-copy-'));
    try {
      cpSync(join(ROOT, 'examples', 'testmod'), join(dir, 'testmod'), { recursive: true });
      cpSync(join(ROOT, 'examples', 'include'), join(dir, 'include'), { recursive: true });
      const source = join(dir, 'testmod', 'multi_ops.bpf.c');
      const before = read(source);
      assert.match(before, /\/\* Shared by both maps: [^\n]*\*\/\nSEC\("struct_ops\/test_1"\)/);
      const after = await ownCopy(dir, source);
      assert.doesNotMatch(after, /Shared by both maps/);
      assert.match(after, /int trace_found;[^\n]*\n\nSEC\("struct_ops\/test_1"\)\nint BPF_PROG\(test_1, /);
      assert.match(after, /\n\nSEC\("struct_ops\/test_1"\)\nint BPF_PROG\(test_1_b, /);
      // Every other comment is still there.
      const comments = (t: string): string[] => (t.match(/\/\*[^]*?\*\/|\/\/[^\n]*/g) ?? []).filter((c) => !/Shared by both maps/.test(c));
      assert.deepEqual(comments(after), comments(before));
      writeFileSync(source, after);
      const cc = spawnSync(process.env.CLANG ?? 'clang', ['-target', 'bpf', '-g', '-O2', '-Wall', '-Werror', '-Wno-incompatible-function-pointer-types', '-D__TARGET_ARCH_x86', '-I', join(dir, 'include'), '-c', source, '-o', join(dir, 'multi_ops.bpf.o')], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a comment that does not speak of the sharing', async () => {
    const ws = copyWorkspace();
    try {
      const path = ws.file('poisoned.bpf.c');
      writeFileSync(path, read(path).replace('SEC("struct_ops/test_1")', '/* Returns what the kfunc answered. */\nSEC("struct_ops/test_1")'));
      const after = await ownCopy(ws.dir, path);
      assert.match(after, /\/\* Returns what the kfunc answered\. \*\/\nSEC\("struct_ops\/test_1"\)\nint BPF_PROG\(test_1, /);
      writeFileSync(path, after);
      const r = compileBpf(path, ws.dir);
      assert.ok(r.ok, r.output);
    } finally {
      ws.cleanup();
    }
  });

  it('shows the loader when the slot it re-points is renamed there (loader-repoint fixture)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-copy-'));
    try {
      cpSync(join(ROOT, 'test', 'fixtures', 'cases', 'loader-repoint'), join(dir, 'case'), { recursive: true });
      cpSync(join(ROOT, 'test', 'fixtures', 'include'), join(dir, 'include'), { recursive: true });
      const loader = join(dir, 'case', 'loader.c');
      const action = await ownCopyAction(dir, join(dir, 'case', 'repoint.bpf.c'), ['bpfAssoc.revealEdit']);
      const edits = action.edit?.changes?.[uri(loader)] as TextEdit[];
      assert.equal(edits?.length, 1, JSON.stringify(action.edit));
      const after = applyEdits(read(loader), edits);
      assert.match(after, /skel->struct_ops\.map_b->test_1 = skel->progs\.test_1_a_b;/);
      assert.equal(action.command?.command, 'bpfAssoc.revealEdit');
      const [target, range] = action.command?.arguments as [string, { start: { line: number; character: number }; end: { line: number; character: number } }];
      assert.equal(target, uri(loader));
      const line = after.split('\n')[range.start.line] ?? '';
      assert.equal(line.slice(range.start.character, range.end.character), 'test_1_a_b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a sharing comment written as // lines or naming both maps, and no other', () => {
    const at = (t: string): number => t.indexOf('SEC(');
    const slashes = 'int x;\n// Used by map_a and\n// map_b alike.\nSEC("struct_ops/f")\n';
    assert.deepEqual(sharingComment(slashes, at(slashes), ['map_a', 'map_b']), { start: 'int x;\n'.length, end: at(slashes) });
    const spaced = '/* shared */\n\nSEC("struct_ops/f")\n';
    assert.equal(sharingComment(spaced, at(spaced), ['map_a', 'map_b']), null, 'a blank line between: not this program\'s comment');
    const other = '/* Counts calls to map_a. */\nSEC("struct_ops/f")\n';
    assert.equal(sharingComment(other, at(other), ['map_a', 'map_b']), null);
  });
});
