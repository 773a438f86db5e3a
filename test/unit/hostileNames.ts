// A workspace with hostile names, analysed by the real parser: shared by the output-escaping tests
// (issue 12, defects 5-7: text, hover Markdown, SARIF uris).
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { Workspace } from '../../server/src/analysis/workspace';
import type { AnalysisView } from '../../server/src/lsp/session';

export const BASE = '/work/space';
/** A section name that, printed raw, is a compiler error line of its own. */
export const INJECTED = 'x\\nsrc/main.c:1:1: error: injected [fake]\\n';

/** A program in a hostile section, filling a struct_ops map's slot (slot-not-struct-ops-program). */
export function source(section: string, mapSection = '.struct_ops.link'): string {
  return [
    '#include <bpf/bpf_helpers.h>',
    'struct bpf_testmod_ops { int (*test_1)(void); };',
    `SEC("${section}")`,
    'int prog_x(void *ctx) { return 0; }',
    `SEC("${mapSection}")`,
    'struct bpf_testmod_ops st_map = { .test_1 = (void *)prog_x };',
    '',
  ].join('\n');
}

export async function analyse(files: Record<string, string>): Promise<{ ws: Workspace; model: WorkspaceModel }> {
  await loadGrammar();
  const ws = new Workspace();
  for (const [name, text] of Object.entries(files)) ws.setFile(`${BASE}/${name}`, text);
  return { ws, model: ws.model() };
}

export function view(ws: Workspace, model: WorkspaceModel): AnalysisView {
  return { model, version: 1, indexing: false, facts: (p) => ws.facts(p), text: (p) => ws.text(p), readErrors: new Map() };
}
