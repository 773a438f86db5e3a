// Quick fixes, each a WorkspaceEdit that still compiles:
//   poisoned-association            "Give MAP its own copy of P" (programCopy.ts); also offered
//                                   on the poisoned-kfunc-caller warning inside that program
//   unassociated-kfunc-caller       "Associate P with M in LOADER": bpf_program__assoc_struct_ops()
//                                   after the skeleton's load (nothing without a loader)
//   unreferenced-struct-ops-program "Make P optional: SEC(\"?...\")" when the section is a literal;
//                                   when a macro builds it, "Turn off autoload of P in LOADER"
//                                   before the load (the macro is shared, so it is not edited)
//   build-behind-sources, stale-*    "Rebuild with make: make -C DIR GOAL" (rebuild.ts), where a
//                                   Makefile rule produces the object and the client can run it
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { afterLoad, beforeLoad, type LoaderInsertion } from './loaderEdits';
import { programCopyActions } from './programCopy';
import { REBUILD_RULES, rebuildActions } from './rebuild';
import { offsetAt } from './sourceText';
import { before, bpfFacts, programOfFinding } from './targets';

type UriOf = (path: string) => string;

function loaderAction(title: string, ins: LoaderInsertion, line: string, uriOf: UriOf): CodeAction {
  const { position, newText } = ins.insert(line.replaceAll('SKEL', ins.skeletonVar));
  return { title, kind: CodeActionKind.QuickFix, edit: { changes: { [uriOf(ins.loader)]: [{ range: { start: position, end: position }, newText }] } } };
}

function associateActions(view: AnalysisView, f: Finding, uriOf: UriOf): CodeAction[] {
  const program = programOfFinding(view.model, f);
  const object = view.model.objects.find((o) => o.id === program?.object);
  if (!object || !program) return [];
  const maps = view.model.maps.filter((m) => m.object === object.id && m.autocreate);
  const out: CodeAction[] = [];
  for (const loader of object.loaders) {
    const ins = afterLoad(view, loader, object.id);
    if (!ins) continue;
    for (const m of maps) {
      const name = loader.split('/').pop();
      out.push(loaderAction(`Associate ${program.name} with ${m.name} in ${name}`, ins, `bpf_program__assoc_struct_ops(SKEL->progs.${program.name}, SKEL->maps.${m.name}, NULL);`, uriOf));
    }
  }
  return out;
}

function optionalActions(view: AnalysisView, f: Finding, uriOf: UriOf): CodeAction[] {
  const program = programOfFinding(view.model, f);
  if (!program) return [];
  const text = view.text(program.location.file);
  const facts = bpfFacts(view, program.location.file);
  const literal = facts?.programs.find((p) => p.name === program.name)?.sectionSite?.literal;
  if (text !== undefined && literal && text[offsetAt(text, literal.start)] === '"') {
    const at = { line: literal.start.line, character: literal.start.character + 1 };
    const title = `Make ${program.name} optional: SEC("?${program.section}")`;
    return [{ title, kind: CodeActionKind.QuickFix, isPreferred: true, edit: { changes: { [uriOf(program.location.file)]: [{ range: { start: at, end: at }, newText: '?' }] } } }];
  }
  const object = view.model.objects.find((o) => o.id === program.object);
  return (object?.loaders ?? []).flatMap((loader) => {
    const ins = beforeLoad(view, loader, program.object);
    const title = `Turn off autoload of ${program.name} in ${loader.split('/').pop()}`;
    return ins ? [loaderAction(title, ins, `bpf_program__set_autoload(SKEL->progs.${program.name}, false);`, uriOf)] : [];
  });
}

function overlaps(f: Finding, params: CodeActionParams): boolean {
  const r = params.range;
  return !before(f.location.range.end, r.start) && !before(r.end, f.location.range.start);
}

/** `rebuild`: the client runs REBUILD_COMMAND (rebuild.ts). */
export function codeActions(view: AnalysisView, params: CodeActionParams, uriOf: UriOf, options: { rebuild?: boolean } = {}): CodeAction[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
  const out: CodeAction[] = [];
  for (const f of view.model.findings) {
    if (f.location.file !== path || !overlaps(f, params)) continue;
    const actions =
      f.rule === 'poisoned-association' || f.rule === 'poisoned-kfunc-caller'
        ? programCopyActions(view, f, uriOf)
        : f.rule === 'unassociated-kfunc-caller'
          ? associateActions(view, f, uriOf)
          : f.rule === 'unreferenced-struct-ops-program'
            ? optionalActions(view, f, uriOf)
            : REBUILD_RULES.has(f.rule) && options.rebuild
              ? rebuildActions(view, f)
              : [];
    const matching: Diagnostic[] = params.context.diagnostics.filter(
      (d) => d.code === f.rule && d.range.start.line === f.location.range.start.line && d.range.start.character === f.location.range.start.character,
    );
    for (const a of actions) out.push(matching.length ? { ...a, diagnostics: matching } : a);
  }
  return out;
}
