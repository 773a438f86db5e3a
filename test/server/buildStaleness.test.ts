// Staleness over a real LSP connection, in a workspace built by its own Makefile (clang -target bpf
// and bpftool, run by make): typing in a source after the build gives no stale warning, keystroke
// by keystroke; after the "own copy" quick fix nothing says the fix failed; once saved, one info
// says the build is behind, with a "Rebuild with make" action; make runs that goal for real, and
// then nothing is left. Nothing ever lands on build/.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, Hover, TextEdit } from 'vscode-languageserver-protocol/node';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { ModelRequest } from '../../server/src/protocol';
import { inProcess, uri, type TestClient } from './client';
import { applyEdits, positionOf, read, ROOT } from './helpers';

const FIXTURE = join(ROOT, 'test/fixtures/cases/poisoned-shared/shared.bpf.c');
const HEADER = join(ROOT, 'test/fixtures/include/st_ops.h');
const BUILD_RULES = new Set(['stale-object', 'stale-skeleton', 'build-behind-sources']);

const MAKEFILE = [
  'CLANG ?= clang',
  'BPFTOOL ?= bpftool',
  '.SECONDARY:',
  'build/%.bpf.o: %.bpf.c',
  '\t@mkdir -p $(dir $@)',
  '\t$(CLANG) -target bpf -g -O2 -D__TARGET_ARCH_x86 -I. -c $< -o $@',
  'build/%.skel.h: build/%.bpf.o',
  '\t$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@',
  '',
].join('\n');

function make(dir: string, goal: string): void {
  const r = spawnSync('make', ['-C', dir, goal], { encoding: 'utf8', env: { ...process.env, CLANG: process.env.CLANG ?? 'clang', BPFTOOL: process.env.BPFTOOL ?? 'bpftool' } });
  assert.equal(r.status, 0, `make ${goal}:\n${r.stdout}${r.stderr}`);
}

describe('staleness over LSP: typing, saving, rebuilding', function () {
  this.timeout(120_000);
  let client: TestClient;
  let dir: string;
  let source: string;
  let text: string;

  const model = async (): Promise<WorkspaceModel> => (await client.request<ModelRequest.Result>(ModelRequest.method, {})).model;
  const buildFindings = (m: WorkspaceModel): string[] => m.findings.filter((f) => BUILD_RULES.has(f.rule)).map((f) => `${f.rule} ${f.location.file}`);
  const hoverAt = async (inText: string, needle: string, offset: number): Promise<string> => {
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uri(source) }, position: positionOf(inText, needle, offset) });
    return h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  };
  const lensTitles = async (): Promise<string[]> =>
    (await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(source) } })).map((l) => l.command?.title ?? '');
  /** Nothing published on a generated file. */
  const nothingOnBuild = (): void => {
    for (const [u, d] of client.diagnostics) if (u.includes('/build/')) assert.deepEqual(d, [], `diagnostics on ${u}`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-stale-'));
    source = join(dir, 'shared.bpf.c');
    copyFileSync(FIXTURE, source);
    copyFileSync(HEADER, join(dir, 'st_ops.h'));
    writeFileSync(join(dir, 'Makefile'), MAKEFILE);
    // The sources were saved a minute before the build.
    const past = Date.now() / 1000 - 60;
    utimesSync(source, past, past);
    utimesSync(join(dir, 'st_ops.h'), past, past);
    mkdirSync(join(dir, 'build'));
    make(dir, 'build/shared.skel.h');
    text = read(source);
    client = inProcess();
    await client.initialize([dir], { clientCommands: ['bpfAssoc.rebuild'] });
    await client.open(source, text);
    await client.waitForDiagnostics(source, (d) => d.some((x) => x.code === 'poisoned-association'), 'the poisoned association');
  });
  after(async () => {
    await client.shutdown();
    client.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('typing a new program after a build: no stale warning at any keystroke, the build is the last build', async () => {
    const typed = '\nSEC("struct_ops/test_1")\nint BPF_PROG(spare)\n{\n\treturn 0;\n}\n';
    const lines = text.split('\n');
    let at = { line: lines.length - 1, character: (lines[lines.length - 1] ?? '').length };
    const states = new Set<string>();
    for (const [i, ch] of [...typed].entries()) {
      await client.change(source, [{ range: { start: at, end: at }, text: ch }]);
      at = ch === '\n' ? { line: at.line + 1, character: 0 } : { line: at.line, character: at.character + 1 };
      const m = await model();
      assert.deepEqual(buildFindings(m), [], `after typing ${JSON.stringify(typed.slice(0, i + 1))}`);
      states.add(String(m.objects.find((o) => o.id === 'shared')?.build?.state));
    }
    assert.deepEqual([...states], ['editing'], 'what the object says is the last build');
    // Published diagnostics (after the debounce) agree, and nothing is on build/.
    await client.waitForDiagnostics(source, (d) => d.length > 0 && !d.some((x) => BUILD_RULES.has(String(x.code))), 'diagnostics without stale findings', 5000);
    nothingOnBuild();
    // Typed back to what is saved: the buffer is the saved file again.
    await client.change(source, [{ text }]);
    const m = await model();
    assert.equal(m.objects.find((o) => o.id === 'shared')?.build?.state, 'current');
    assert.deepEqual(buildFindings(m), []);
  });

  it('after the "own copy" quick fix: no stale warning; saved: one info with "Rebuild with make"; rebuilt: nothing', async () => {
    const poisoned = (client.diagnostics.get(uri(source)) ?? []).find((d) => d.code === 'poisoned-association') as Diagnostic;
    assert.ok(poisoned, 'the poisoned association is shown');
    const fixes = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(source) }, range: poisoned.range, context: { diagnostics: [poisoned], only: ['quickfix'] } });
    const own = fixes.find((a) => /own copy of test_1/.test(a.title)) as CodeAction;
    assert.ok(own, fixes.map((a) => a.title).join(', '));
    const changes = Object.entries(own.edit?.changes ?? {}) as [string, TextEdit[]][];
    assert.deepEqual(changes.map(([u]) => fileURLToPath(u)), [source]);
    const fixed = applyEdits(text, changes[0]?.[1] ?? []);
    await client.change(source, [{ text: fixed }]);
    let m = await model();
    assert.deepEqual(buildFindings(m), [], 'Problems shows no stale warning after the fix');
    assert.ok(!m.findings.some((f) => f.rule === 'poisoned-association'), 'the fix is taken');
    await client.waitForDiagnostics(source, (d) => !d.some((x) => x.code === 'poisoned-association' || BUILD_RULES.has(String(x.code))), 'no poisoned, no stale', 5000);
    // Where the object's answer is shown, it is the last build's.
    assert.match(await hoverAt(fixed, 'BPF_PROG(test_1)', 9), /\*\*Last build\*\* \(`shared.skel.h`, `shared.bpf.o`, before your unsaved edits\):\n- slot `st_ops_map_b.test_1` holds `test_1`, the source says `test_1_b`/);
    const titles = await lensTitles();
    assert.ok(titles.some((t) => t.startsWith('st_ops_map_a.test_1 ') && t.endsWith(' · last build differs')), titles.join('\n'));
    assert.ok(!titles.some((t) => t.startsWith('st_ops_map_a.test_2 ') && t.includes('last build')), 'only what the build says otherwise about');

    // Saved: the build is behind, an info on the source, no warning.
    writeFileSync(source, fixed);
    await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri: uri(source) } });
    const shown = await client.waitForDiagnostics(source, (d) => d.some((x) => x.code === 'build-behind-sources'), 'the build is behind');
    assert.deepEqual(shown.filter((d) => BUILD_RULES.has(String(d.code))).map((d) => [d.code, d.severity]), [['build-behind-sources', 3]]);
    nothingOnBuild();
    assert.match(await hoverAt(fixed, 'BPF_PROG(test_1)', 9), /\*\*Last build\*\* \(`shared.skel.h`, `shared.bpf.o`, older than the saved sources; rebuild to update it\):/);
    const info = shown.find((d) => d.code === 'build-behind-sources') as Diagnostic;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(source) }, range: info.range, context: { diagnostics: [info], only: ['quickfix'] } });
    const rebuild = actions.find((a) => a.command?.command === 'bpfAssoc.rebuild') as CodeAction;
    assert.ok(rebuild, actions.map((a) => a.title).join(', '));
    assert.equal(rebuild.title, `Rebuild with make: make -C ${dir.split('/').pop()} build/shared.skel.h`);
    assert.deepEqual(rebuild.command?.arguments, [{ directory: dir, makefile: join(dir, 'Makefile'), goal: 'build/shared.skel.h' }]);

    // Rebuilt: make runs the goal (what the client's task runs), the file watcher reports it.
    const goal = rebuild.command?.arguments?.[0] as { directory: string; goal: string };
    make(goal.directory, goal.goal);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(join(dir, 'build/shared.bpf.o')), type: 2 }, { uri: uri(join(dir, 'build/shared.skel.h')), type: 2 }] });
    await client.waitForDiagnostics(source, (d) => !d.some((x) => BUILD_RULES.has(String(x.code)) || x.code === 'poisoned-association'), 'nothing after the rebuild');
    m = await model();
    assert.deepEqual(buildFindings(m), []);
    assert.equal(m.objects.find((o) => o.id === 'shared')?.build?.state, 'current');
    assert.equal(m.objects.find((o) => o.id === 'shared')?.truth, 'skeleton');
    assert.doesNotMatch(await hoverAt(fixed, 'BPF_PROG(test_1)', 9), /Last build/);
    assert.ok(!(await lensTitles()).some((t) => t.includes('last build')));
    nothingOnBuild();
  });

  it('a client that cannot run make gets no rebuild action', async () => {
    const other = inProcess();
    try {
      await other.initialize([dir]);
      // Saved a minute after the build: behind.
      const later = Date.now() / 1000 + 60;
      utimesSync(source, later, later);
      await other.open(source, read(source));
      const d = await other.waitForDiagnostics(source, (x) => x.some((y) => y.code === 'build-behind-sources'), 'the build is behind');
      const info = d.find((x) => x.code === 'build-behind-sources') as Diagnostic;
      const actions = await other.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(source) }, range: info.range, context: { diagnostics: [info], only: ['quickfix'] } });
      assert.deepEqual(actions, []);
    } finally {
      await other.shutdown();
      other.dispose();
    }
  });
});
