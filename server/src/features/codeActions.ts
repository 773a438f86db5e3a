// Quick fixes, each a WorkspaceEdit that still compiles:
//   poisoned-association            "Give MAP its own copy of P" (programCopy.ts); also offered
//                                   on the poisoned-kfunc-caller warning inside that program
//   unassociated-kfunc-caller       "Associate P with M in LOADER": bpf_program__assoc_struct_ops()
//                                   after the skeleton's load (nothing without a loader)
//   unreferenced-struct-ops-program "Make P optional: SEC(\"?...\")" when the section is a literal;
//                                   when BPF_STRUCT_OPS(P, ...) builds it, the SEC("?...") written
//                                   out with BPF_PROG(P, ...) in place of the macro (optionalMacro.ts),
//                                   and "Turn off autoload of P in LOADER" before the load
//   build-behind-sources, stale-*    "Rebuild with make: make -C DIR GOAL" (rebuild.ts), where a
//                                   Makefile rule produces the object and the client can run it
// A fix that edits another file (the loader) also runs REVEAL_COMMAND, when the client has said
// it implements it: the editor then shows that file at the added code (LSP applies the edit first).
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { pathOf } from '../lsp/uri';
import { afterLoad, beforeLoad } from './loaderEdits';
import { writtenOutSection } from './optionalMacro';
import { programCopyActions } from './programCopy';
import { REBUILD_COMMAND, REBUILD_RULES, rebuildActions } from './rebuild';
import { offsetAt } from './sourceText';
import { before, bpfFacts, programOfFinding } from './targets';

type UriOf = (path: string) => string;

/** The client command that shows a document at a range: `(uri: string, range: Range)`, LSP types. */
export const REVEAL_COMMAND = 'bpfAssoc.revealEdit';

export interface CodeActionOptions {
  /** The client runs REBUILD_COMMAND (rebuild.ts). */
  rebuild?: boolean;
  /** The client runs REVEAL_COMMAND. */
  reveal?: boolean;
}

export function actionOptionsFrom(clientCommands: unknown[]): CodeActionOptions {
  return { rebuild: clientCommands.includes(REBUILD_COMMAND), reveal: clientCommands.includes(REVEAL_COMMAND) };
}

type Inserted = { position: { line: number; character: number }; newText: string; firstLine: number };

/** An edit of the loader, and (when the fix starts in another file) the command that shows it. */
function loaderAction(title: string, loader: string, ins: Inserted, uriOf: UriOf, from: string, options: CodeActionOptions): CodeAction {
  const { position, newText, firstLine } = ins;
  const action: CodeAction = { title, kind: CodeActionKind.QuickFix, edit: { changes: { [uriOf(loader)]: [{ range: { start: position, end: position }, newText }] } } };
  if (options.reveal && loader !== from) {
    const lines = newText.replace(/\n+$/, '').split('\n');
    const last = lines[lines.length - 1] ?? '';
    const range = { start: { line: firstLine, character: /^\s*/.exec(lines[0] ?? '')?.[0].length ?? 0 }, end: { line: firstLine + lines.length - 1, character: last.length } };
    action.command = { title: `Show ${loader.split('/').pop()}`, command: REVEAL_COMMAND, arguments: [uriOf(loader), range] };
  }
  return action;
}

function associateActions(view: AnalysisView, f: Finding, uriOf: UriOf, options: CodeActionOptions): CodeAction[] {
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
      const call = `bpf_program__assoc_struct_ops(${ins.skeletonVar}->progs.${program.name}, ${ins.skeletonVar}->maps.${m.name}, NULL)`;
      out.push(loaderAction(`Associate ${program.name} with ${m.name} in ${name}`, loader, ins.insertChecked(call, program.name, m.name), uriOf, f.location.file, options));
    }
  }
  return out;
}

function optionalActions(view: AnalysisView, f: Finding, uriOf: UriOf, options: CodeActionOptions): CodeAction[] {
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
  const site = facts?.programs.find((p) => p.name === program.name);
  const written = text !== undefined && site ? writtenOutSection(text, program, site) : null;
  const out: CodeAction[] = written ? [{ title: written.title, kind: CodeActionKind.QuickFix, isPreferred: true, edit: { changes: { [uriOf(program.location.file)]: written.edits } } }] : [];
  const object = view.model.objects.find((o) => o.id === program.object);
  return out.concat((object?.loaders ?? []).flatMap((loader) => {
    const ins = beforeLoad(view, loader, program.object);
    const title = `Turn off autoload of ${program.name} in ${loader.split('/').pop()}`;
    // Not checked: set_autoload fails only on a loaded object, and this is before the load.
    return ins ? [loaderAction(title, loader, ins.insert(`bpf_program__set_autoload(${ins.skeletonVar}->progs.${program.name}, false);`), uriOf, f.location.file, options)] : [];
  }));
}

function overlaps(f: Finding, params: CodeActionParams): boolean {
  const r = params.range;
  return !before(f.location.range.end, r.start) && !before(r.end, f.location.range.start);
}

export function codeActions(view: AnalysisView, params: CodeActionParams, uriOf: UriOf, options: CodeActionOptions = {}): CodeAction[] {
  const path = pathOf(params.textDocument.uri);
  if (!path) return [];
  if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
  const out: CodeAction[] = [];
  for (const f of view.model.findings) {
    if (f.location.file !== path || !overlaps(f, params)) continue;
    const actions =
      f.rule === 'poisoned-association' || f.rule === 'poisoned-kfunc-caller'
        ? programCopyActions(view, f, uriOf, options.reveal ? REVEAL_COMMAND : undefined)
        : f.rule === 'unassociated-kfunc-caller'
          ? associateActions(view, f, uriOf, options)
          : f.rule === 'unreferenced-struct-ops-program'
            ? optionalActions(view, f, uriOf, options)
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
