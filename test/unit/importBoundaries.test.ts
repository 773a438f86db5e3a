// The import directions eslint.config.mjs enforces (CONTRIBUTING.md, layout): each rule is shown to
// fail on a violating import and to pass the allowed one, through ESLint itself on the real config,
// so a reordered or overridden config block (flat config: the last block for a file wins) shows up.
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = resolve(__dirname, '..', '..');

/** The messages of the restricted-* rules for `code` as if it were the file `file`. */
async function restrictions(eslint: ESLint, file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return (result?.messages ?? []).filter((m) => /^no-restricted-/.test(m.ruleId ?? '')).map((m) => `${m.line}: ${m.ruleId}`);
}

describe('import boundaries (eslint.config.mjs)', () => {
  let eslint: ESLint;
  before(function () {
    this.timeout(60_000);
    eslint = new ESLint({ cwd: ROOT });
  });

  it('the client imports the server only through protocol.ts', async function () {
    this.timeout(60_000);
    const code = [
      "import type { WorkspaceModel } from '../../server/src/protocol';",
      "import type { Location } from '../../server/src/analysis/facts';",
      "import { escapeControls } from '../../server/src/output/escape';",
      'export type T = WorkspaceModel | Location | typeof escapeControls;',
    ].join('\n');
    assert.deepEqual(await restrictions(eslint, 'client/src/example.ts', code), ['2: no-restricted-imports', '3: no-restricted-imports']);
  });

  it('the analysis core: no IO, clock, process, editor, LSP or edge module; node:path is fine but its resolve', async function () {
    this.timeout(60_000);
    const code = [
      "import { join } from 'node:path';",
      "import { readFileSync } from 'node:fs';",
      "import { spawn } from 'child_process';",
      "import type { Connection } from 'vscode-languageserver/node';",
      "import type * as vscode from 'vscode';",
      "import { SKIP_DIRS } from '../../node/scan';",
      'export const now = Date.now();',
      'export const t = performance.now();',
      'export const env = process.env.HOME;',
      'export const r = Math.random();',
      'export type T = [typeof join, typeof readFileSync, typeof spawn, Connection, typeof vscode, typeof SKIP_DIRS];',
      "import { resolve } from 'node:path';",
      'export const cwd = resolve;',
    ].join('\n');
    assert.deepEqual(await restrictions(eslint, 'server/src/analysis/c/example.ts', code), [
      '2: no-restricted-imports',
      '3: no-restricted-imports',
      '4: no-restricted-imports',
      '5: no-restricted-imports',
      '6: no-restricted-imports',
      '7: no-restricted-globals',
      '8: no-restricted-globals',
      '9: no-restricted-globals',
      '10: no-restricted-properties',
      '12: no-restricted-imports',
    ]);
  });

  it('the server imports neither the CLI, the VM run nor the client; the VM run only the pure server', async function () {
    this.timeout(60_000);
    const server = ["import { main } from '../../cli/src/main';", "import { parseTargets } from '../../remote/src/targets';", 'export const x = [main, parseTargets];'].join('\n');
    assert.deepEqual(await restrictions(eslint, 'server/src/lsp/example.ts', server), ['1: no-restricted-imports', '2: no-restricted-imports']);
    const remote = [
      "import type { WorkspaceModel } from '../../server/src/analysis/model';",
      "import { escapeControls } from '../../server/src/output/escape';",
      "import { loadForCommand } from '../../server/src/node/scan';",
      "import { main } from '../../cli/src/main';",
      'export type T = [WorkspaceModel, typeof escapeControls, typeof loadForCommand, typeof main];',
    ].join('\n');
    assert.deepEqual(await restrictions(eslint, 'remote/src/example.ts', remote), ['3: no-restricted-imports', '4: no-restricted-imports']);
  });
});
