// Hover: the most specific target under the cursor, in the order a reader expects: the program or
// map a `skel->progs.P` / `skel->maps.M` names (even inside an association call; the call's own
// hover is on its function name), then an association call, a slot over the program it names.
import type { Hover, HoverParams } from 'vscode-languageserver/node';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { callHover, kfuncHover, mapHover, programHover, slotHover } from './hoverText';
import { targetsAt, type Target } from './targets';
import { attachCallHover } from './attachHover';

const ORDER: Target['kind'][] = ['associationCall', 'slot', 'kfuncCall', 'program', 'map'];

export function hover(view: AnalysisView, params: HoverParams): Hover | null {
  const path = pathOf(params.textDocument.uri);
  if (!path) return null;
  const targets = targetsAt(view, path, params.position);
  const named = targets.find((t) => (t.kind === 'program' || t.kind === 'map') && t.via === 'skeleton');
  const target = named ?? ORDER.map((k) => targets.find((t) => t.kind === k)).find((t) => t !== undefined);
  if (!target) return attachCallHover(view, path, params.position);
  const value =
    target.kind === 'associationCall'
      ? callHover(target.call)
      : target.kind === 'slot'
        ? slotHover(view, target.map, target.slot)
        : target.kind === 'kfuncCall'
          ? kfuncHover(target.program, target.call)
          : target.kind === 'program'
            ? programHover(view, target.program)
            : mapHover(view, target.map);
  return { contents: { kind: 'markdown', value }, range: target.range };
}
