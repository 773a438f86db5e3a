// Where to add a line to a loader: after the skeleton's load (`NAME__load(skel)` or
// `skel = NAME__open_and_load()`, and the error check that follows it), or just before the load
// for calls that must precede it. The skeleton variable comes from the lifecycle call's text. A
// call added after the load is checked the way the loader checks its calls (errorCheck.ts).
import type { LoaderAction, LoaderFacts } from '../analysis/facts';
import type { ModelAssociationCall } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { checkedCall, type TemplateCall } from './errorCheck';
import { escapeRegExp, indentAt, lineStartOffset, nextLineStart, offsetAt, positionAt, previousCodeLine, slice, statementEnd } from './sourceText';

type Position = { line: number; character: number };

export interface LoaderInsertion {
  loader: string;
  skeletonVar: string;
  /**
   * Zero-width position and the text to insert there, given the code to add (its first line
   * without indentation; later lines indented relative to `base`); `firstLine` is the line the
   * added code starts on once inserted.
   */
  insert(code: string, base?: string): { position: Position; newText: string; firstLine: number };
}

export interface CheckedInsertion extends LoaderInsertion {
  /** Inserts `call` checked as the loader checks its calls; `program`/`map` name it in messages. */
  insertChecked(call: string, program: string, map: string): { position: Position; newText: string; firstLine: number };
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
  return (code, base = '') => {
    const lines = code.split('\n').map((l, i) => (i === 0 ? indent + l : l.startsWith(base) ? indent + l.slice(base.length) : l));
    // Steps the loader separates with blank lines get one too: the code goes after the blank line.
    const blank = /^[ \t]*\r?\n/.test(text.slice(offset)) && lines.length > 1;
    const from = blank ? nextLineStart(text, offset) : offset;
    const position = positionAt(text, from);
    return { position, newText: `${lines.join('\n')}\n${blank ? '\n' : ''}`, firstLine: position.line };
  };
}

function lifecycle(facts: LoaderFacts, object: string): Lifecycle[] {
  return facts.actions.filter((a): a is Lifecycle => 'skeleton' in a && a.skeleton === object);
}

/** The loader's checked calls in the function of the load, best template first (errorCheck.ts). */
function templates(text: string, facts: LoaderFacts, load: Lifecycle, object: string, calls: ModelAssociationCall[]): TemplateCall[] {
  const range = (a: LoaderAction): { start: number; end: number } => ({ start: offsetAt(text, a.location.range.start), end: offsetAt(text, a.location.range.end) });
  const inFunction = facts.actions.filter((a) => a.inFunction === load.inFunction);
  // An association call predicted to fail is checked for failing (the selftests' ASSERT_ERR): not a model.
  const fails = (a: LoaderAction): boolean =>
    calls.some((c) => c.location.range.start.line === a.location.range.start.line && c.location.range.start.character === a.location.range.start.character && typeof c.predicted.result === 'string' && c.predicted.result !== 'unknown');
  const assoc = inFunction.flatMap((a): TemplateCall[] =>
    a.kind === 'assoc' && a.api !== 'SCX_OPS_LOAD' && a.program && a.map && !fails(a) ? [{ ...range(a), returns: 'int', names: { program: a.program.name, map: a.map.name } }] : [],
  );
  const own = inFunction.filter((a): a is Lifecycle => 'skeleton' in a && a.skeleton === object);
  const of = (kinds: Lifecycle['kind'][], returns: TemplateCall['returns']): TemplateCall[] => own.filter((a) => kinds.includes(a.kind)).map((a) => ({ ...range(a), returns }));
  return [...assoc, ...of(['load'], 'int'), ...of(['attach'], 'int'), ...of(['open_and_load', 'open'], 'pointer')];
}

/** After the load: the line after the load statement and its error check. */
export function afterLoad(view: AnalysisView, loader: string, object: string): CheckedInsertion | null {
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
  // The load's own check; not the next step's (`if (NAME__attach(skel))` also names the skeleton).
  const checked = check?.[1] ?? '';
  if (check && new RegExp(`\\b(${skeletonVar}|err|ret|error)\\b`).test(checked) && !new RegExp(`\\b${escapeRegExp(object)}__\\w+\\s*\\(`).test(checked)) end = statementEnd(text, end);
  const insertAt = nextLineStart(text, end);
  const insert = at(text, insertAt, indent);
  const candidates = templates(text, facts, load, object, view.model.associationCalls.filter((c) => c.loader === loader));
  const destroy = `${object}__destroy(${skeletonVar})`;
  return {
    loader,
    skeletonVar,
    insert,
    insertChecked: (call, program, map) => {
      const { block, base } = checkedCall(text, candidates, { call, program, map, skeletonVar, destroy }, insertAt);
      return insert(block, base);
    },
  };
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
