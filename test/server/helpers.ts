// Test helpers: a private copy of the server test workspace, positions found by text (so tests do
// not hard-code line numbers), applying LSP text edits, and the real toolchain (clang -target bpf,
// bpftool gen skeleton, clang -fsyntax-only for loaders).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Position, TextEdit } from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(__dirname, '..', '..');
export const WORKSPACE = join(__dirname, 'workspace');
const FIXTURE_INCLUDE = join(ROOT, 'test', 'fixtures', 'include');
const LIBBPF_ASSOC_H = join(__dirname, 'include', 'libbpf_assoc.h');

/** A fresh copy of test/server/workspace (tests edit, create and delete files in it). */
export function copyWorkspace(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bpf-assoc-lsp-'));
  cpSync(WORKSPACE, dir, { recursive: true });
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Position of the `nth` occurrence of `needle` in the file, plus `offset` characters into it. */
export function positionOf(text: string, needle: string, offset = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (#${nth}) not found`);
  }
  const before = text.slice(0, at + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

export function offsetOf(text: string, p: Position): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < p.line; i++) offset += (lines[i]?.length ?? 0) + 1;
  return offset + p.character;
}

/** Applies non-overlapping edits to a text, as an editor does. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  for (const e of sorted) text = text.slice(0, offsetOf(text, e.range.start)) + e.newText + text.slice(offsetOf(text, e.range.end));
  return text;
}

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** clang -target bpf, as test/fixtures/build.sh compiles fixtures. Returns the object path. */
export function compileBpf(source: string, outDir: string): { ok: boolean; output: string; object: string } {
  const object = join(outDir, basename(source).replace(/\.c$/, '.o'));
  const r = run(process.env.CLANG ?? 'clang', [
    '-target', 'bpf', '-g', '-O2', '-Wall', '-Werror', '-Wno-unused-function', '-Wno-incompatible-function-pointer-types',
    '-D__TARGET_ARCH_x86', '-I', FIXTURE_INCLUDE, '-c', source, '-o', object,
  ]);
  return { ...r, object };
}

/**
 * bpftool gen skeleton OBJECT name NAME > DIR/NAME.skel.h. With `forSystemLibbpf`, the one line
 * bpftool 7.5 emits for libbpf >= 1.5 (`map->link = ...`, a field Debian 12's libbpf 1.4 headers
 * lack) is dropped, so a loader can be type-checked against the installed headers.
 */
export function generateSkeleton(object: string, name: string, outDir: string, forSystemLibbpf = false): string {
  const r = spawnSync(process.env.BPFTOOL ?? 'bpftool', ['gen', 'skeleton', object, 'name', name], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bpftool gen skeleton failed: ${r.stderr}`);
  const path = join(outDir, `${name}.skel.h`);
  writeFileSync(path, forSystemLibbpf ? r.stdout.replace(/^\s*map->link = &obj->links\.\w+;\n/gm, '') : r.stdout);
  return path;
}

/** Type-checks a loader against its skeleton, libbpf's headers and the libbpf 1.7 association API. */
export function checkLoader(loader: string, skeletonDir: string): { ok: boolean; output: string } {
  return run(process.env.CLANG ?? 'clang', [
    '-fsyntax-only', '-Wall', '-Werror=implicit-function-declaration', '-include', LIBBPF_ASSOC_H, '-I', skeletonDir, loader,
  ]);
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}
