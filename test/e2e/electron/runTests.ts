// Runs the end-to-end suite in a desktop VS Code downloaded by @vscode/test-electron — for
// machines that can reach VS Code's download site (this project's CI cannot; it runs the same
// suite in code-server: npm run test:e2e). Usage, after `npm run build`:
//   npx tsx test/e2e/electron/runTests.ts            (VS Code stable; needs a display or xvfb-run)
//   VSCODE_VERSION=1.99.0 npx tsx test/e2e/electron/runTests.ts
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { REPO, copyExamples, removeWorkspace } from '../workspace';

async function main(): Promise<void> {
  const out = join(REPO, 'out', 'e2e-electron');
  // The extension host loads CommonJS: bundle the runner entry and the suite beside each other.
  await esbuild.build({
    entryPoints: { index: join(__dirname, 'index.ts'), suite: join(REPO, 'test/e2e/suite/editor.test.ts') },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: out,
    external: ['vscode', 'mocha'],
    sourcemap: true,
  });
  const workspace = copyExamples();
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: REPO,
      extensionTestsPath: join(out, 'index.js'),
      extensionTestsEnv: { BPF_ASSOC_E2E_WORKSPACE: workspace },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    removeWorkspace(workspace);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
