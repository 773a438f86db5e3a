// `file:line:col: level: message [rule-id]`, like a compiler, plus a one-line summary. Paths and
// messages are the user's (a file name, a SEC("...") quoted in a message): their control
// characters are escaped, so each finding is one line and no input can print a line of its own.
import type { WorkspaceModel } from '../analysis/model';
import { escapeControls } from './escape';
import { displayPath } from './paths';

export function formatText(model: WorkspaceModel, base?: string): string {
  const lines: string[] = [];
  const sorted = [...model.findings].sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.range.start.line - b.location.range.start.line ||
      a.location.range.start.character - b.location.range.start.character,
  );
  const path = (file: string): string => escapeControls(displayPath(file, base));
  for (const f of sorted) {
    const { line, character } = f.location.range.start;
    lines.push(`${path(f.location.file)}:${line + 1}:${character + 1}: ${f.severity}: ${escapeControls(f.message)} [${escapeControls(f.rule)}]`);
    for (const r of f.related) {
      const p = r.location.range.start;
      lines.push(`${path(r.location.file)}:${p.line + 1}:${p.character + 1}: note: ${escapeControls(r.message)}`);
    }
  }
  const count = (s: string): number => model.findings.filter((f) => f.severity === s).length;
  const states = new Map<string, number>();
  for (const p of model.programs) states.set(p.association.state, (states.get(p.association.state) ?? 0) + 1);
  const stateText = [...states].map(([s, n]) => `${n} ${s}`).join(', ');
  lines.push(
    `bpf-assoc: ${model.objects.length} object(s), ${model.programs.length} program(s)${stateText ? ` (${stateText})` : ''}, ${model.maps.length} struct_ops map(s); ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s)`,
  );
  return lines.join('\n') + '\n';
}
