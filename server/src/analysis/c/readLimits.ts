// What a C file's reading left out, as `parse-limit` problems that name the lines: top-level items
// the parser could not read (recovery.ts), runs it could not resynchronise in (longStretches.ts) and
// items whose macros ran past their budget (expand.ts).
// Their ranges also tell the staleness check where the source model is not to be trusted.
import { declaredName } from '../bpf/topItems';
import type { ReadProblem } from '../facts';
import type { ParsedC } from './document';
import { ITEM_BUDGET, ITEM_BUDGET_PER_BYTE } from './expansionBudget';
import { MAX_STRETCH } from './longStretches';
import type { Node } from './parser';
import type { UnreadItem } from './recovery';

function lineSpan(parsed: ParsedC, start: number, end: number): string {
  const a = parsed.lines.position(start).line + 1;
  const b = parsed.lines.position(Math.max(start, end - 1)).line + 1;
  return a === b ? `line ${a}` : `lines ${a}–${b}`;
}

/** The name a top-level declaration or definition at `offset` (expanded text) declares. */
function nameAt(parsed: ParsedC, offset: number): string | null {
  if (offset < 0) return null;
  let n: Node | null = parsed.tree?.rootNode.descendantForIndex(offset) ?? null;
  while (n && n.parent && n.parent.type !== 'translation_unit' && !n.parent.type.startsWith('preproc_')) n = n.parent;
  if (!n) return null;
  if (n.type === 'function_definition') return declaredName(n.childForFieldName('declarator'))?.text ?? null;
  if (n.type === 'declaration') return declaredName(n.childrenForFieldName('declarator')[0] ?? null)?.text ?? null;
  return null;
}

/** Unread items in runs with nothing read between them: one region, one problem. */
function regions(unread: UnreadItem[]): UnreadItem[][] {
  const out: UnreadItem[][] = [];
  for (const u of unread) {
    const run = out[out.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && prev.index + 1 === u.index) run.push(u);
    else out.push([u]);
  }
  return out;
}

export function readLimits(parsed: ParsedC, file: string): ReadProblem[] {
  const out: ReadProblem[] = [];
  const base = file.split('/').pop() ?? file;
  const map = parsed.expansion.map;
  for (const region of regions(parsed.unread ?? [])) {
    // Data the model does not use (a HID report descriptor, an extern declaration): nothing that
    // matters is missing, so nothing is said.
    if (region.every((u) => u.declaresData && !u.sectioned)) continue;
    const first = region[0] as UnreadItem;
    const last = region[region.length - 1] as UnreadItem;
    const start = map.toSource(first.start);
    const end = Math.max(start, map.toSource(last.end, true));
    const names = region.map((u) => u.name).filter((n): n is string => !!n);
    const what = names.length ? ` (${names.map((n) => `\`${n}\``).join(', ')})` : '';
    // Only an item that reads alone as a declaration (of data) is known to define no function.
    const lost = region.some((u) => u.sectioned)
      ? 'It has a section (SEC), so a program, map or slot defined there may be missing from the analysis.'
      : 'It has no SEC(...), so no program or map is missing, but the calls made there are not seen.';
    out.push({
      rule: 'parse-limit',
      message: `${base}, ${lineSpan(parsed, start, end)}${what}: the C parser could not read this code, even item by item (a construct its grammar does not cover); it was skipped and the rest of the file was read without it. ${lost}`,
      location: { file, range: parsed.lines.range(start, end) },
    });
  }
  for (const s of parsed.tooLong ?? []) {
    const start = map.toSource(s.start);
    const end = Math.max(start, map.toSource(s.end, true));
    const opened = s.openedAt === undefined ? -1 : map.toSource(s.openedAt);
    const why =
      opened >= 0
        ? `inside the parenthesis, bracket or initialiser brace opened at ${lineSpan(parsed, opened, opened + 1)}, which a \`;\` shows is never closed (a \`;\` cannot stand in an expression), more than ${MAX_STRETCH.toLocaleString('en-US')} characters of code before it closes or a function body opens`
        : `more than ${MAX_STRETCH.toLocaleString('en-US')} characters of code with no \`;\`, \`{\` or \`}\`, no \`,\` inside braces and no complete preprocessor line`;
    out.push({
      rule: 'parse-limit',
      message: `${base}, ${lineSpan(parsed, start, end)}: ${why}, where the C parser cannot find its way back (its error recovery grows with such a run). It was skipped and the rest of the file was read without it; a program, map or slot written there is missing from the analysis.`,
      location: { file, range: parsed.lines.range(start, end) },
    });
  }
  for (const o of parsed.expansion.overBudget ?? []) {
    const name = nameAt(parsed, o.outAt);
    const what = name ? `\`${name}\` (${lineSpan(parsed, o.start, o.end)})` : `the item at ${lineSpan(parsed, o.start, o.end)}`;
    out.push({
      rule: 'parse-limit',
      message: `${base}: macro expansion in ${what} exceeded its budget (${ITEM_BUDGET.toLocaleString('en-US')} tokens plus ${ITEM_BUDGET_PER_BYTE} per byte of the item, a line counting at most 1,024), as a runaway macro does: the invocation at ${lineSpan(parsed, o.stoppedAt, o.stoppedAt + 1)} was cut short and the rest of that item left unexpanded, so what it defines may be missing or wrong. The rest of the file was expanded as usual.`,
      location: { file, range: parsed.lines.range(o.start, o.end) },
    });
  }
  return out;
}
