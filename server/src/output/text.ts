// `file:line:col: level: message [rule-id]`, like a compiler, plus a one-line summary.
import type { WorkspaceModel } from '../analysis/model';
import { displayPath } from './paths';

export function formatText(model: WorkspaceModel, base?: string): string {
  const lines: string[] = [];
  const sorted = [...model.findings].sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.range.start.line - b.location.range.start.line ||
      a.location.range.start.character - b.location.range.start.character,
  );
  for (const f of sorted) {
    const { line, character } = f.location.range.start;
    lines.push(`${displayPath(f.location.file, base)}:${line + 1}:${character + 1}: ${f.severity}: ${f.message} [${f.rule}]`);
    for (const r of f.related) {
      const p = r.location.range.start;
      lines.push(`${displayPath(r.location.file, base)}:${p.line + 1}:${p.character + 1}: note: ${r.message}`);
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
