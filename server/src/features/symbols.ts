// Document symbols (programs, and struct_ops maps with their slots) for BPF sources, and
// workspace symbols over every program and map, named `object/name` in their container.
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams, type SymbolInformation, type WorkspaceSymbolParams } from 'vscode-languageserver/node';
import type { Range } from '../analysis/facts';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { associationLabel, mapLabel } from './describe';
import { before, bpfFacts } from './targets';

/** The definition's extent when it contains the name (DocumentSymbol requires it), else the name. */
function outer(extent: Range | undefined, name: Range): Range {
  return extent && !before(name.start, extent.start) && !before(extent.end, name.end) ? extent : name;
}

export function documentSymbols(view: AnalysisView, params: DocumentSymbolParams): DocumentSymbol[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  const source = bpfFacts(view, path);
  const out: DocumentSymbol[] = [];
  for (const p of view.model.programs) {
    if (p.location.file !== path) continue;
    const extent = source?.programs.find((f) => f.name === p.name)?.extent;
    out.push({ name: p.name, detail: `SEC("${p.section}") · ${associationLabel(p.association)}`, kind: SymbolKind.Function, range: outer(extent, p.location.range), selectionRange: p.location.range });
  }
  for (const m of view.model.maps) {
    if (m.location.file !== path) continue;
    const range = outer(source?.structOpsMaps.find((f) => f.name === m.name)?.extent, m.location.range);
    const children: DocumentSymbol[] = m.slots
      .filter((s) => s.location.file === path && !before(s.location.range.start, range.start) && !before(range.end, s.location.range.end))
      .map((s) => ({ name: `.${s.member}`, detail: s.program ?? 'NULL', kind: SymbolKind.Field, range: s.location.range, selectionRange: s.location.range }));
    out.push({ name: m.name, detail: `struct ${m.structType} · ${mapLabel(view.model, m)}`, kind: SymbolKind.Struct, range, selectionRange: m.location.range, children });
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}

/** Case-insensitive subsequence match, as editors do for symbol search. */
function matches(query: string, name: string): boolean {
  let i = 0;
  const q = query.toLowerCase();
  for (const ch of name.toLowerCase()) if (ch === q[i]) i++;
  return i === q.length;
}

export function workspaceSymbols(view: AnalysisView, params: WorkspaceSymbolParams, uriOf: (path: string) => string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const p of view.model.programs) {
    if (matches(params.query, p.name)) out.push({ name: p.name, kind: SymbolKind.Function, containerName: p.object, location: { uri: uriOf(p.location.file), range: p.location.range } });
  }
  for (const m of view.model.maps) {
    if (matches(params.query, m.name)) out.push({ name: m.name, kind: SymbolKind.Struct, containerName: m.object, location: { uri: uriOf(m.location.file), range: m.location.range } });
  }
  return out;
}
