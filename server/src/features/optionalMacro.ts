// Making a struct_ops program optional when a macro gives its section: `BPF_STRUCT_OPS(name, ...)`
// (sched_ext's scx/common.bpf.h, the kernel's tools/sched_ext) expands to
// `SEC("struct_ops/name") BPF_PROG(name, ...)`, so a '?' cannot go where it is used. The fix writes
// the expansion out: `SEC("?struct_ops/name")` above the definition and `BPF_PROG` in place of the
// macro, which libbpf reads as the same program with autoload off. Only for a macro known to
// expand that way: one defined so in the file, or the two sched_ext names when defined elsewhere.
import type { TextEdit } from 'vscode-languageserver/node';
import type { ProgramFact } from '../analysis/facts';
import type { ModelProgram } from '../analysis/model';
import { escapeRegExp, lineStartOffset, offsetAt, positionAt } from './sourceText';

const SCHED_EXT = new Set(['BPF_STRUCT_OPS', 'BPF_STRUCT_OPS_SLEEPABLE']);

/** Whether `#define NAME(p, a...) SEC(...) BPF_PROG(p, ##a)` is the file's definition of the macro (or it has none and NAME is sched_ext's). */
function expandsToBpfProg(text: string, macro: string): boolean {
  const def = new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${macro}\\(([^)]*)\\)((?:\\\\\\r?\\n|[^\\n])*)`, 'm').exec(text);
  if (!def) return SCHED_EXT.has(macro);
  const params = /^\s*(\w+)\s*,\s*(\w+)\s*\.\.\.\s*$/.exec(def[1] ?? '');
  if (!params) return false;
  const body = (def[2] ?? '').replace(/\\\r?\n/g, ' ');
  return new RegExp(`^\\s*SEC\\s*\\([^)]*\\)\\s*BPF_PROG\\s*\\(\\s*${params[1]}\\s*,\\s*##\\s*${params[2]}\\s*\\)\\s*$`).test(body);
}

export function writtenOutSection(text: string, program: ModelProgram, fact: ProgramFact): { title: string; edits: TextEdit[] } | null {
  const site = fact.sectionSite;
  if (!site || site.literal || !fact.extent) return null;
  const start = offsetAt(text, site.range.start);
  const call = new RegExp(`^([A-Za-z_]\\w*)\\s*\\(\\s*${escapeRegExp(program.name)}\\s*[,)]`).exec(text.slice(start, offsetAt(text, site.range.end)));
  const macro = call?.[1];
  if (!macro || !expandsToBpfProg(text, macro)) return null;
  const section = `?${program.section.replace(/^\?/, '')}`;
  const line = lineStartOffset(text, offsetAt(text, fact.extent.start));
  const at = positionAt(text, line);
  return {
    title: `Make ${program.name} optional: SEC("${section}") and BPF_PROG in place of ${macro}`,
    edits: [
      { range: { start: at, end: at }, newText: `SEC("${section}")\n` },
      { range: { start: positionAt(text, start), end: positionAt(text, start + macro.length) }, newText: 'BPF_PROG' },
    ],
  };
}
