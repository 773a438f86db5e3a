// What a loader's reading left out, said as `parse-limit` notes: top-level items the parser could
// not read at all (c/readLimits.ts), and functions whose bodies have parse errors where a loader
// call written in the source was not read (a macro from a header we cannot see that carries its
// own `;`, a statement passed as a macro argument). Losing a load or an association call silently
// would make every state after it wrong without a word.
import { codeText } from '../c/commentScan';
import type { ParsedC } from '../c/document';
import type { Node } from '../c/parser';
import { readLimits } from '../c/readLimits';
import { declaredName } from '../bpfSource';
import type { LoaderAction, ReadProblem } from '../facts';
import { isLoaderCallName } from './loaderCalls';

/** Parse errors under a node (not the tokens tree-sitter inserted: those read as written). */
function errorsUnder(n: Node, out: Node[] = []): Node[] {
  if (!n.hasError) return out;
  if (n.type === 'ERROR') {
    out.push(n);
    return out;
  }
  for (const c of n.children) if (c) errorsUnder(c, out);
  return out;
}

/** Source text with comments, string literals and directive lines blanked (same length). */
function codeOnly(text: string): string {
  return codeText(text, { comments: 'blank', literals: 'blank' }).replace(/^[ \t]*#.*$/gm, (m) => ' '.repeat(m.length));
}

function lineList(lines: number[]): string {
  const ones = lines.map((l) => l + 1);
  return ones.length === 1 ? `line ${ones[0]}` : `lines ${ones.slice(0, -1).join(', ')} and ${ones[ones.length - 1]}`;
}

/** The source lines of loader calls written in [start, end) that no action was read from, and where the first stands. */
function unreadCalls(parsed: ParsedC, code: string, spans: readonly (readonly [number, number])[], read: ReadonlySet<number>): { lines: number[]; firstAt: number } {
  const lines = new Set<number>();
  let firstAt = -1;
  for (const [start, end] of spans) {
    for (const m of code.slice(start, end).matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
      if (!isLoaderCallName(m[1] as string)) continue;
      const at = start + (m.index ?? 0);
      const line = parsed.lines.position(at).line;
      if (read.has(line)) continue;
      lines.add(line);
      if (firstAt < 0 || at < firstAt) firstAt = at;
    }
  }
  return { lines: [...lines].sort((a, b) => a - b), firstAt };
}

export function loaderReadingGaps(parsed: ParsedC, file: string, actions: readonly LoaderAction[]): ReadProblem[] {
  const out: ReadProblem[] = [];
  const tree = parsed.tree;
  if (!tree?.rootNode.hasError && !parsed.unread?.length && !parsed.tooLong?.length && !parsed.expansion.overBudget?.length) return out;
  const code = codeOnly(parsed.text);
  const read = new Set(actions.filter((a) => a.location.file === file).map((a) => a.location.range.start.line));
  // Items skipped whole, or cut short by the expansion budget: said where loader calls are in them.
  for (const p of readLimits(parsed, file)) {
    const r = p.location.range;
    const calls = unreadCalls(parsed, code, [[parsed.lines.offset(r.start), parsed.lines.offset({ line: r.end.line + 1, character: 0 })]], read);
    if (calls.lines.length) out.push({ ...p, message: `${p.message} The loader calls at ${lineList(calls.lines)} are missing from the analysis.` });
  }
  if (!tree?.rootNode.hasError) return out;
  const base = file.split('/').pop() ?? file;
  const map = parsed.expansion.map;
  for (const fn of tree.rootNode.namedChildren) {
    if (fn?.type !== 'function_definition') continue;
    const errors = errorsUnder(fn);
    if (!errors.length) continue;
    // Loader calls written where the parser failed (the source an ERROR node covers), not read.
    const spans = errors.map((e) => [map.toSource(e.startIndex), Math.max(map.toSource(e.startIndex), map.toSource(e.endIndex, true))] as const);
    const { lines: calls, firstAt } = unreadCalls(parsed, code, spans, read);
    if (!calls.length) continue;
    const name = declaredName(fn.childForFieldName('declarator'))?.text ?? 'a function';
    const errorLines = [...new Set(errors.map((e) => parsed.lines.position(map.toSource(e.startIndex)).line))].sort((a, b) => a - b);
    out.push({
      rule: 'parse-limit',
      message: `${base}: the C parser could not read part of \`${name}()\` (${lineList(errorLines)}), and the loader calls at ${lineList(calls)} were not read from it: this loader's reading is partial, so the loads, attachments and association calls there are missing from the analysis.`,
      location: { file, range: parsed.lines.range(firstAt, firstAt) },
    });
  }
  return out;
}
