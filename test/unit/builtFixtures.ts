// Paths to the compiled fixtures in .build/ (objects and skeletons), built once per test run by
// test/fixtures/build.sh (clang -target bpf, bpftool gen skeleton), which only rebuilds what changed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../..');
let built = false;

/**
 * Runs build.sh once. If it fails (a broken example elsewhere in the tree, no clang), the tests
 * go on with what .build/ holds, and a missing output fails only the tests that read it.
 */
export function ensureFixturesBuilt(): void {
  if (built) return;
  built = true;
  try {
    execFileSync('bash', [join(REPO, 'test/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e);
    process.stderr.write(`test/fixtures/build.sh failed; using the outputs already in .build/:\n${stderr}\n`);
  }
}

/** `.build/test/fixtures/cases/CASE/FILE` */
export function builtPath(caseName: string, file: string): string {
  return join(REPO, '.build/test/fixtures/cases', caseName, file);
}

export function sourcePath(caseName: string, file: string): string {
  return join(REPO, 'test/fixtures/cases', caseName, file);
}

export function builtBytes(caseName: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(builtPath(caseName, file)));
}

export function builtText(caseName: string, file: string): string {
  return readFileSync(builtPath(caseName, file), 'utf8');
}
