// The "Associate P with M" quick fix checks the call it adds the way the loader checks its own
// calls (features/errorCheck.ts), and asks the editor to show the loader at the added code.
// Loaders of several styles: libbpf-bootstrap's `err = ...; if (err) { fprintf(); goto cleanup; }`,
// the BPF selftests' ASSERT_OK, a TRY() macro, `err = err ?: ...` chains, and real ones: examples/
// (an association call already checked) and the fixtures scx-plain-load (`if (!skel ||
// NAME__load(skel)) return 1;`) and kfunc-unassociated (only the open is checked). Each edited
// loader is type-checked with clang against a real bpftool skeleton.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeAction, Command, Diagnostic, Range, TextEdit } from 'vscode-languageserver-protocol/node';
import { inProcess, uri, type TestClient } from './client';
import { ROOT, applyEdits, checkLoader, compileBpf, copyWorkspace, generateSkeleton, read } from './helpers';

const REVEAL = 'bpfAssoc.revealEdit';
const CALL = 'bpf_program__assoc_struct_ops(skel->progs.run_kfunc, skel->maps.ops_map, NULL)';

const STYLES: Record<string, string> = {
  // libbpf-bootstrap: err, fprintf, goto cleanup; steps separated by blank lines.
  'style_bootstrap.c': `#include <stdio.h>
#include <bpf/libbpf.h>
#include "kfunc_user.skel.h"

int main(void)
{
	struct kfunc_user *skel;
	int err;

	skel = kfunc_user__open();
	if (!skel) {
		fprintf(stderr, "Failed to open BPF skeleton\\n");
		return 1;
	}

	err = kfunc_user__load(skel);
	if (err) {
		fprintf(stderr, "Failed to load and verify BPF skeleton: %d\\n", err);
		goto cleanup;
	}

	err = kfunc_user__attach(skel);
	if (err) {
		fprintf(stderr, "Failed to attach BPF skeleton\\n");
		goto cleanup;
	}

cleanup:
	kfunc_user__destroy(skel);
	return -err;
}
`,
  // The BPF selftests (test_progs.h's checks, reduced to what this loader uses).
  'style_selftest.c': `#include <stdio.h>
#include <bpf/libbpf.h>
#include "kfunc_user.skel.h"

#define ASSERT_OK(res, name) ({ long long ___res = (res); if (___res) fprintf(stderr, "%s: %lld\\n", (name), ___res); !___res; })
#define ASSERT_OK_PTR(ptr, name) ({ const void *___p = (ptr); if (!___p) fprintf(stderr, "%s: NULL\\n", (name)); !!___p; })

void test_kfunc_user(void)
{
	struct kfunc_user *skel;
	int err;

	skel = kfunc_user__open_and_load();
	if (!ASSERT_OK_PTR(skel, "kfunc_user__open_and_load"))
		return;
	err = kfunc_user__attach(skel);
	if (!ASSERT_OK(err, "kfunc_user__attach"))
		goto out;
out:
	kfunc_user__destroy(skel);
}
`,
  // test_struct_ops_assoc.c's shape: an association call checked for failing is not the model.
  'style_selftest_assoc.c': `#include <stdio.h>
#include <bpf/libbpf.h>
#include "kfunc_user.skel.h"

#define ASSERT_OK(res, name) ({ long long ___res = (res); if (___res) fprintf(stderr, "%s: %lld\\n", (name), ___res); !___res; })
#define ASSERT_ERR(res, name) ({ long long ___res = (res); if (!___res) fprintf(stderr, "%s: succeeded\\n", (name)); !!___res; })
#define ASSERT_OK_PTR(ptr, name) ({ const void *___p = (ptr); if (!___p) fprintf(stderr, "%s: NULL\\n", (name)); !!___p; })

void test_assoc(void)
{
	struct kfunc_user *skel = NULL;
	int err;

	skel = kfunc_user__open_and_load();
	if (!ASSERT_OK_PTR(skel, "kfunc_user__open_and_load"))
		goto out;

	/* a struct_ops program cannot be associated explicitly */
	err = bpf_program__assoc_struct_ops(skel->progs.ops_test_1,
					    skel->maps.ops_map, NULL);
	ASSERT_ERR(err, "bpf_program__assoc_struct_ops(ops_test_1, ops_map)");

	err = kfunc_user__attach(skel);
	if (!ASSERT_OK(err, "kfunc_user__attach"))
		goto out;
out:
	kfunc_user__destroy(skel);
}
`,
  // A statement macro that checks (the loader-do-while fixture's TRY).
  'style_try.c': `#include <stdio.h>
#include <bpf/libbpf.h>
#include "kfunc_user.skel.h"

#define TRY(call) do { int err_ = (call); if (err_) { fprintf(stderr, "%s: %d\\n", #call, err_); goto out; } } while (0)

int main(void)
{
	struct kfunc_user *skel = kfunc_user__open();

	if (!skel)
		return 1;
	TRY(kfunc_user__load(skel));
	TRY(kfunc_user__attach(skel));
out:
	kfunc_user__destroy(skel);
	return 0;
}
`,
  // Errors chained with `?:` (the raw-api fixture's shape).
  'style_chain.c': `#include <bpf/libbpf.h>
#include "kfunc_user.skel.h"

int main(void)
{
	struct kfunc_user *skel = kfunc_user__open();
	int err;

	if (!skel)
		return 1;
	err = kfunc_user__load(skel);
	err = err ?: kfunc_user__attach(skel);
	kfunc_user__destroy(skel);
	return err != 0;
}
`,
};

describe('quick fix: the added association call is checked as the loader checks its calls', () => {
  const build = mkdtempSync(join(tmpdir(), 'bpf-assoc-checks-'));
  after(() => rmSync(build, { recursive: true, force: true }));

  /** The workspace indexed by a client that runs REVEAL; returns each loader's action and its text once applied. */
  async function fixes(dir: string, source: string, rule = 'unassociated-kfunc-caller'): Promise<Map<string, { action: CodeAction; text: string; edit: TextEdit }>> {
    const client: TestClient = inProcess();
    try {
      await client.initialize([dir], { clientCommands: [REVEAL] });
      const diagnostics = await client.waitForDiagnostics(source, (d) => d.some((x) => x.code === rule), rule);
      const diagnostic = diagnostics.find((x) => x.code === rule) as Diagnostic;
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri: uri(source) },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic], only: ['quickfix'] },
      });
      const out = new Map<string, { action: CodeAction; text: string; edit: TextEdit }>();
      for (const action of actions) {
        const [u, edits] = (Object.entries(action.edit?.changes ?? {}) as [string, TextEdit[]][])[0] ?? ['', []];
        const path = new URL(u).pathname;
        out.set(`${path.split('/').pop()} ${action.title}`, { action, text: applyEdits(read(path), edits), edit: edits[0] as TextEdit });
      }
      await client.shutdown();
      return out;
    } finally {
      client.dispose();
    }
  }

  /** The reveal command shows the loader at exactly the added lines. */
  function revealsAdded(loader: string, fix: { action: CodeAction; text: string; edit: TextEdit }): void {
    const command = fix.action.command as Command;
    assert.equal(command?.command, REVEAL, fix.action.title);
    const [target, range] = command.arguments as [string, Range];
    assert.equal(target, uri(loader));
    const lines = fix.text.split('\n');
    const added = fix.edit.newText.replace(/\n+$/, '').split('\n');
    assert.deepEqual(lines.slice(range.start.line, range.end.line + 1), added, 'the range covers the added lines');
    assert.equal(range.start.character, /^\s*/.exec(added[0] ?? '')?.[0].length);
  }

  function typeChecks(loader: string, text: string, skeletonDir: string): void {
    const path = join(build, loader.split('/').pop() as string);
    writeFileSync(path, text);
    const r = checkLoader(path, skeletonDir);
    assert.ok(r.ok, `${text}\n${r.output}`);
  }

  it('mirrors err/fprintf/goto, ASSERT_OK, TRY(), ?: chains and the attach check of the server workspace', async () => {
    const ws = copyWorkspace();
    try {
      for (const [name, text] of Object.entries(STYLES)) writeFileSync(ws.file(name), text);
      const r = compileBpf(ws.file('kfunc_user.bpf.c'), build);
      assert.ok(r.ok, r.output);
      generateSkeleton(r.object, 'kfunc_user', build, true);
      const got = await fixes(ws.dir, ws.file('kfunc_user.bpf.c'));
      const title = (loader: string): string => `${loader} Associate run_kfunc with ops_map in ${loader}`;
      const want: Record<string, [string, string]> = {
        // [the lines around the insertion before, the added code + what follows]
        'kfunc_user.c': ['\tif (!skel)\n\t\treturn 1;\n', `\terr = ${CALL};\n\tif (err)\n\t\tgoto out;\n\terr = kfunc_user__attach(skel);`],
        'style_bootstrap.c': [
          '\t\tgoto cleanup;\n\t}\n\n',
          `\terr = ${CALL};\n\tif (err) {\n\t\tfprintf(stderr, "Failed to associate run_kfunc with ops_map: %d\\n", err);\n\t\tgoto cleanup;\n\t}\n\n\terr = kfunc_user__attach(skel);`,
        ],
        'style_selftest.c': ['\t\treturn;\n', `\terr = ${CALL};\n\tif (!ASSERT_OK(err, "bpf_program__assoc_struct_ops"))\n\t\tgoto out;\n\terr = kfunc_user__attach(skel);`],
        'style_selftest_assoc.c': [
          '\t\tgoto out;\n\n',
          `\terr = ${CALL};\n\tif (!ASSERT_OK(err, "bpf_program__assoc_struct_ops"))\n\t\tgoto out;\n\n\t/* a struct_ops program`,
        ],
        'style_try.c': ['\tTRY(kfunc_user__load(skel));\n', `\tTRY(${CALL});\n\tTRY(kfunc_user__attach(skel));`],
        'style_chain.c': ['\terr = kfunc_user__load(skel);\n', `\terr = err ?: ${CALL};\n\terr = err ?: kfunc_user__attach(skel);`],
      };
      assert.deepEqual([...got.keys()].sort(), Object.keys(want).map(title).sort());
      for (const [loader, [before, added]] of Object.entries(want)) {
        const fix = got.get(title(loader));
        assert.ok(fix, loader);
        assert.ok(fix.text.includes(before + added), `${loader}:\n${fix.text}`);
        revealsAdded(ws.file(loader), fix);
        typeChecks(loader, fix.text, build);
      }
    } finally {
      ws.cleanup();
    }
  });

  it('in examples/: copies the check of the association call the loader already makes, message and all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-examples-'));
    try {
      cpSync(join(ROOT, 'examples', 'testmod'), join(dir, 'testmod'), { recursive: true });
      cpSync(join(ROOT, 'examples', 'include'), join(dir, 'include'), { recursive: true });
      const got = await fixes(dir, join(dir, 'testmod', 'multi_ops.bpf.c'));
      const fix = got.get('multi_ops.c Associate trace_prog_b with st_ops_map_a in multi_ops.c');
      assert.ok(fix, [...got.keys()].join(', '));
      assert.ok(
        fix.text.includes(
          '\t\tgoto out;\n\t}\n\n' +
            '\terr = bpf_program__assoc_struct_ops(skel->progs.trace_prog_b, skel->maps.st_ops_map_a, NULL);\n\tif (err) {\n' +
            '\t\tfprintf(stderr, "associating trace_prog_b with st_ops_map_a failed: %d\\n", err);\n\t\tgoto out;\n\t}\n\n' +
            '\terr = bpf_program__assoc_struct_ops(skel->progs.syscall_prog_a,',
        ),
        fix.text,
      );
      revealsAdded(join(dir, 'testmod', 'multi_ops.c'), fix);
      const object = join(build, 'multi_ops.bpf.o');
      const { spawnSync } = await import('node:child_process');
      const cc = spawnSync(process.env.CLANG ?? 'clang', ['-target', 'bpf', '-g', '-O2', '-D__TARGET_ARCH_x86', '-I', join(dir, 'include'), '-c', join(dir, 'testmod', 'multi_ops.bpf.c'), '-o', object], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      generateSkeleton(object, 'multi_ops', build, true);
      typeChecks('multi_ops.c', fix.text, build);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [name, loader, source, object, before, added] of [
    [
      'scx-plain-load',
      'main.c',
      'minimal.bpf.c',
      'minimal',
      '\tif (!skel || minimal__load(skel))\n\t\treturn 1;\n',
      '\tif (bpf_program__assoc_struct_ops(skel->progs.kick_all, skel->maps.minimal_ops, NULL))\n\t\treturn 1;\n\tif (minimal__attach(skel))',
    ],
    [
      'kfunc-unassociated',
      'user.c',
      'kf.bpf.c',
      'kf',
      '\tif (!skel)\n\t\treturn 1;\n',
      '\tif (bpf_program__assoc_struct_ops(skel->progs.direct, skel->maps.st_ops_map, NULL)) {\n\t\tkf__destroy(skel);\n\t\treturn 1;\n\t}\n\tbpf_program__assoc_struct_ops(skel->progs.covered,',
    ],
  ] as const) {
    it(`in the ${name} fixture: ${name === 'scx-plain-load' ? 'the load\'s own operand of `!skel || NAME__load(skel)`' : 'the null check of the open, destroying the skeleton before it returns'}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-fixture-'));
      try {
        cpSync(join(ROOT, 'test', 'fixtures', 'cases', name), join(dir, 'cases', name), { recursive: true });
        cpSync(join(ROOT, 'test', 'fixtures', 'include'), join(dir, 'include'), { recursive: true });
        const got = await fixes(dir, join(dir, 'cases', name, source));
        const fix = [...got.entries()].find(([k]) => k.startsWith(`${loader} `))?.[1];
        assert.ok(fix, [...got.keys()].join(', '));
        assert.ok(fix.text.includes(before + added), fix.text);
        revealsAdded(join(dir, 'cases', name, loader), fix);
        const r = compileBpf(join(dir, 'cases', name, source), build);
        assert.ok(r.ok, r.output);
        generateSkeleton(r.object, object, build, true);
        typeChecks(loader, fix.text, build);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
