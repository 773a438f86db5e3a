// The workspace the suite opens: a fresh copy of examples/ (the quick-fix test edits it), and
// the places the tests expect things, found in the source text itself — not from the analysis.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Position } from './driver';

export const REPO = resolve(__dirname, '..', '..');
export const ARTIFACTS = join(REPO, 'test', '.artifacts');

/** The poisoned struct_ops program of examples/testmod: `test_1`, in the slots of two maps. */
export const POISONED = {
  file: 'testmod/multi_ops.bpf.c',
  program: 'test_1',
  maps: ['st_ops_map_a', 'st_ops_map_b'],
};

/**
 * A fresh copy of examples/, built with its Makefile (clang, bpftool) the way a developer has it:
 * objects and skeletons beside the sources, so the skeletons' embedded objects are what counts.
 */
export function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-e2e-'));
  cpSync(join(REPO, 'examples'), dir, { recursive: true, filter: (src) => !src.startsWith(join(REPO, 'examples', 'build')) });
  build(dir);
  return dir;
}

/** Runs the workspace's Makefile (after an edit, as a developer would in a terminal). */
export function build(dir: string): void {
  execFileSync('make', ['-s', '-C', dir], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** 1-based position of the `nth` match of `pattern`'s first group (or whole match) in a workspace file. */
export function find(workspace: string, file: string, pattern: RegExp, nth = 0): Position {
  const lines = readFileSync(join(workspace, file), 'utf8').split('\n');
  let seen = 0;
  for (const [i, text] of lines.entries()) {
    const m = pattern.exec(text);
    if (!m) continue;
    if (seen++ < nth) continue;
    const group = m[1] ?? m[0];
    return { line: i + 1, column: m.index + m[0].indexOf(group) + 1 };
  }
  throw new Error(`${file}: no line matches ${pattern}`);
}
