// Why bpf-assoc and an object disagree, per source file. A file whose object clang 14 built is
// rebuilt with clang-19 alone: when that object agrees with bpf-assoc, the difference is the
// compiler's version (`__clang_major__`, `__BPF_FEATURE_*` conditions bpf-assoc cannot decide from
// the sources). Other reasons are written by a person in realcode/disagreements.txt.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Model } from './analysis';
import { compare, type Comparison } from './compare';
import { compileTree, type CompiledObject } from './compile';
import { JOBS, pool } from './proc';
import type { Compiler } from './toolchain';
import type { Tree } from './trees';
import { cachedTruth } from './truth';

/** `tree | file | reason` lines; `#` starts a comment. */
export function readDisagreementReasons(path: string): Map<string, string> {
  const reasons = new Map<string, string>();
  if (!existsSync(path)) return reasons;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const [tree, file, ...reason] = line.split(' | ').map((c) => c.trim());
    if (tree && file && reason.length) reasons.set(`${tree} | ${file}`, reason.join(' | '));
  }
  return reasons;
}

const fileOf = (difference: string): string => difference.slice(1, difference.indexOf(': '));

export function differencesByFile(c: Comparison): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const d of [...c.programs.differences, ...c.maps.differences, ...c.slots.differences]) {
    const f = fileOf(d);
    byFile.set(f, [...(byFile.get(f) ?? []), d]);
  }
  return byFile;
}

const itemName = (difference: string): string => (difference.slice(difference.indexOf(': ') + 2).match(/^[A-Za-z_][A-Za-z0-9_]*/) ?? [''])[0];

/**
 * The local file this source `#include`s where the differing items are written, when none of them
 * is written in the source itself: the object's programs come from an included file.
 */
function includedDefinition(linux: string, file: string, diffs: string[]): string | null {
  const path = join(linux, file);
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const names = diffs.map(itemName).filter((n) => n);
  if (!names.length || names.some((n) => new RegExp(`\\b${n}\\b`).test(text))) return null;
  for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
    const inc = join(dirname(path), m[1] as string);
    if (existsSync(inc) && names.every((n) => new RegExp(`\\b${n}\\b`).test(readFileSync(inc, 'utf8')))) return m[1] as string;
  }
  return null;
}

export interface ExplainContext {
  linux: string;
  include: string;
  compilers: Compiler[];
  inputs: string;
  reasons: Map<string, string>;
  log: (s: string) => void;
}

export async function explain(tree: Tree, model: Model, comparison: Comparison, compiled: CompiledObject[], ctx: ExplainContext): Promise<Record<string, string>> {
  const byFile = differencesByFile(comparison);
  const fileOfSource = (c: CompiledObject): string => relative(ctx.linux, join(tree.root, c.source));
  const clang19 = ctx.compilers.find((c) => c.name === 'clang-19');
  const retry = compiled.filter((c) => c.compiler === 'clang-14' && byFile.has(fileOfSource(c)));
  const remaining = new Map<string, string[]>();
  if (clang19 && retry.length) {
    const rebuilt = await compileTree(tree, ctx.include, [clang19], ctx.inputs, ctx.log, { name: 'clang-19', only: retry.map((c) => c.source) });
    await pool(rebuilt.filter((r) => r.path), JOBS, async (r) => {
      const file = fileOfSource(r);
      const again = compare(model, [{ file, truth: await cachedTruth(r.path as string) }]);
      remaining.set(file, differencesByFile(again).get(file) ?? []);
    });
  }
  const out: Record<string, string> = {};
  for (const [file, diffs] of byFile) {
    const written = ctx.reasons.get(`${tree.name} | ${file}`);
    const left = remaining.get(file);
    const clang14 = new Set(diffs);
    if (left && left.length === 0) out[file] = 'clang 14 built this object; the clang-19 object agrees with bpf-assoc: a compiler-version condition (`__clang_major__`, `__BPF_FEATURE_*`) that the sources alone cannot decide';
    else if (left && left.every((d) => !clang14.has(d))) out[file] = 'a compiler-version condition (`__clang_major__`, `__BPF_FEATURE_*`): bpf-assoc keeps both sides, the clang 14 and the clang-19 objects each have one';
    else if (left && left.length < diffs.length) out[file] = `with clang-19, ${left.length} of ${diffs.length} remain: ${written ?? 'not explained yet'}`;
    else {
      const inc = includedDefinition(ctx.linux, file, diffs);
      const skipped = model.findings.filter((f) => f.ruleId === 'parse-limit' && f.file === file).map((f) => f.line);
      out[file] = written ?? (skipped.length ? `lost in code bpf-assoc's parse-limit note skips (line ${skipped.join(', ')}): it says so` : inc ? `written in \`${inc}\`, which this file \`#include\`s (after its own \`#define\`s): bpf-assoc does not give them to this object` : 'not explained yet');
    }
  }
  return out;
}
