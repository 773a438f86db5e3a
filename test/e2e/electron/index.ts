// Entry point VS Code's extension host runs under @vscode/test-electron (extensionTestsPath):
// hands the suite an ApiDriver and runs the same mocha suite as the browser run.
import Mocha from 'mocha';
import { join } from 'node:path';
import { setDriver } from '../driver';
import { ApiDriver } from './apiDriver';

export async function run(): Promise<void> {
  const workspace = process.env.BPF_ASSOC_E2E_WORKSPACE;
  if (!workspace) throw new Error('BPF_ASSOC_E2E_WORKSPACE is not set (run test/e2e/electron/runTests.ts)');
  setDriver(new ApiDriver(workspace, Date.now()));
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: true });
  mocha.addFile(join(__dirname, 'suite.js'));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} end-to-end test(s) failed`);
}
