// Where to add a line to a loader: after the skeleton's load (`NAME__load(skel)` or
// `skel = NAME__open_and_load()`, and the error check that follows it), or just before the load
// for calls that must precede it. The skeleton variable comes from the lifecycle call's text.
import type { LoaderAction, LoaderFacts } from '../analysis/facts';
import type { AnalysisView } from '../lsp/session';
import { indentAt, lineStartOffset, nextLineStart, offsetAt, positionAt, previousCodeLine, slice, statementEnd } from './sourceText';

export interface LoaderInsertion {
  loader: string;
  skeletonVar: string;
  /** Zero-width position and the text to insert there, given the line to add (without indent). */
  insert(line: string): { position: { line: number; character: number }; newText: string };
}

type Lifecycle = Extract<LoaderAction, { skeleton: string }>;

/** The variable holding the skeleton, from `NAME__load(VAR)`, `VAR = NAME__open...()` or any lifecycle call. */
function skeletonVariable(text: string, actions: Lifecycle[], object: string): string | null {
  for (const a of actions) {
    const call = slice(text, a.location.range);
    const arg = new RegExp(`${object}__\\w+\\s*\\(\\s*([A-Za-z_]\\w*)\\s*\\)`).exec(call);
    if (arg?.[1] && (a.kind === 'load' || a.kind === 'attach' || a.kind === 'destroy')) return arg[1];
    const start = offsetAt(text, a.location.range.start);
    const assigned = /([A-Za-z_]\w*)\s*=\s*$/.exec(text.slice(lineStartOffset(text, start), start));
    if (assigned?.[1]) return assigned[1];
  }
  return null;
}

/** An unbraced `if (...)`/`else` line above would capture the inserted line as its body. */
function dangling(text: string, offset: number): boolean {
  const prev = previousCodeLine(text, offset);
  return /^(?:\}?\s*else\b.*|(?:if|while|for)\b.*\))$/.test(prev) && !prev.endsWith('{') && !prev.endsWith(';');
}

function at(text: string, offset: number, indent: string): LoaderInsertion['insert'] {
  return (line) => ({ position: positionAt(text, offset), newText: `${indent}${line}\n` });
}

function lifecycle(facts: LoaderFacts, object: string): Lifecycle[] {
  return facts.actions.filter((a): a is Lifecycle => 'skeleton' in a && a.skeleton === object);
}

/** After the load: the line after the load statement and its error check. */
export function afterLoad(view: AnalysisView, loader: string, object: string): LoaderInsertion | null {
  const text = view.text(loader);
  const facts = view.facts(loader) as LoaderFacts | undefined;
  if (text === undefined || !facts?.actions) return null;
  const actions = lifecycle(facts, object);
  const load = actions.find((a) => a.kind === 'load' || a.kind === 'open_and_load');
  const skeletonVar = skeletonVariable(text, actions, object);
  if (!load || !skeletonVar) return null;
  const loadLine = lineStartOffset(text, offsetAt(text, load.location.range.start));
  const indent = indentAt(text, loadLine);
  if (dangling(text, loadLine)) return null;
  let end = statementEnd(text, loadLine);
  const check = /^\s*if\s*\(([^\n]*)/.exec(text.slice(end));
  if (check && new RegExp(`\\b(${skeletonVar}|err|ret|error)\\b`).test(check[1] ?? '')) end = statementEnd(text, end);
  return { loader, skeletonVar, insert: at(text, nextLineStart(text, end), indent) };
}

/** Before the load (for settings such as autoload that must come first); needs a separate open. */
export function beforeLoad(view: AnalysisView, loader: string, object: string): LoaderInsertion | null {
  const text = view.text(loader);
  const facts = view.facts(loader) as LoaderFacts | undefined;
  if (text === undefined || !facts?.actions) return null;
  const actions = lifecycle(facts, object);
  const load = actions.find((a) => a.kind === 'load');
  const skeletonVar = skeletonVariable(text, actions, object);
  if (!load || !skeletonVar || !actions.some((a) => a.kind === 'open')) return null;
  const loadLine = lineStartOffset(text, offsetAt(text, load.location.range.start));
  if (dangling(text, loadLine)) return null;
  return { loader, skeletonVar, insert: at(text, loadLine, indentAt(text, loadLine)) };
}
