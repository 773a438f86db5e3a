// Expands the macros that produce BPF programs and struct_ops maps, so that tree-sitter sees plain
// C, and keeps a source map from the expanded text back to the file. `SEC("...")` itself becomes a
// section marker (a blank in the text), which the fact extractor attaches to the next declaration.
// This file keeps the invocations' bookkeeping: which names in the file are invocations, each
// top-level item's budget, the invocations' ranges and costs (for splicing after an edit,
// expandEdit.ts) and their replay from the cache; the substitution itself is macroSubstitution.ts.
import { Lexer } from './lexer';
import { Stream } from './expandTokens';
import { EXPANSION_CACHE_LIMIT, expansionCache, invocationEnd, type Recorded } from './expansionCache';
import { SECTION_MACRO, type MacroTable } from './macros';
import { SourceMap } from './sourceMap';
import { ExpansionBudget } from './expansionBudget';
import { ExpansionOutput } from './expansionOutput';
import { MacroSubstitution } from './macroSubstitution';
import { TopLevelScanner } from './topLevel';

export interface SectionMarker {
  /** Offset in the expanded text where the `SEC(...)` stood. */
  offset: number;
  /** The section name, string literals concatenated; null when it is not a constant. */
  section: string | null;
  /** Source offsets of the `SEC(...)` (or of the macro invocation that produced it). */
  sourceStart: number;
  sourceEnd: number;
}

/** A top-level item whose macros produced more tokens than its budget (source offsets). */
export interface OverBudgetItem {
  /** The item's first code character. */
  start: number;
  /** The invocation where expansion stopped; from here to `end` the item was copied as written. */
  stoppedAt: number;
  end: number;
  /** Where that invocation's output starts in the expanded text. */
  outAt: number;
}

export interface Expansion {
  text: string;
  map: SourceMap;
  sections: SectionMarker[];
  /** Set when the file's expansion budget ran out; the rest of the file was copied unexpanded. */
  truncated: boolean;
  /**
   * The names whose definitions the expansion asked for (repeats kept): another table that
   * defines none of them differently expands the file alike (c/tableChange.ts).
   */
  lookups?: readonly string[];
  /** Items whose own budget ran out; each lost only the rest of itself. */
  overBudget?: OverBudgetItem[];
  /** Source ranges of the invocations expanded, as flat [start, end) pairs in file order. */
  invocations?: number[];
  /** Tokens the file's macros produced (see reexpandEdit). */
  spent?: number;
  /** Per invocation (parallel to `invocations`): the tokens it produced and its peak demand on the budget (expansionBudget.ts). */
  costs?: number[];
}

export class Expander {
  /** Tokens the current top-level item and the file may still produce (expansionBudget.ts). */
  private budget = new ExpansionBudget('');
  private readonly overBudget: OverBudgetItem[] = [];
  private readonly output = new ExpansionOutput();
  private readonly substitution: MacroSubstitution;
  private cache: Map<string, Recorded> | null = null;
  private readonly invocations: number[] = [];
  private readonly costs: number[] = [];

  constructor(private readonly table: MacroTable) {
    this.substitution = new MacroSubstitution(table, this.output, this.budget);
  }

  /**
   * Expands a whole file. Only invocations are lexed: the text between them (found with one
   * regular expression, checked to be code and not a comment, string or directive) is copied as is.
   */
  expandFile(text: string): Expansion {
    if (!this.table.mentionsOutsideText(text)) {
      return { text, map: SourceMap.identity(text.length), sections: [], truncated: false };
    }
    const budget = (this.budget = this.substitution.budget = new ExpansionBudget(text));
    const out = this.output;
    const code = new TopLevelScanner(text);
    const candidates = this.table.invocationPattern();
    let item = -1;
    let copied = 0;
    for (;;) {
      candidates.lastIndex = copied;
      const m = candidates.exec(text);
      if (!m) break;
      const isCode = code.advance(m.index);
      if (isCode && code.item !== item) {
        // A new top-level item: a budget of its own.
        item = code.item;
        budget.startItem(code.itemStart >= 0 ? code.itemStart : m.index);
      }
      if (!isCode || budget.exhausted) {
        // Not code (or out of budget): copy through the name and look further.
        out.copy(text, copied, m.index + m[0].length);
        copied = m.index + m[0].length;
        continue;
      }
      out.copy(text, copied, m.index);
      const outAt = out.length;
      const spentBefore = budget.spent;
      budget.mark();
      copied = this.invocation(text, m.index, m[0]);
      this.invocations.push(m.index, Math.max(copied, m.index + m[0].length));
      this.costs.push(budget.spent - spentBefore, budget.peak);
      if (budget.exhausted && !budget.truncated) {
        code.advance(copied);
        // The item ends where the scanner next completes one (or at the end of the file).
        this.overBudget.push({ start: budget.itemStart, stoppedAt: m.index, end: code.finishItem(), outAt });
      }
    }
    out.copy(text, copied, text.length);
    return {
      text: out.text(),
      map: out.map,
      sections: out.sections,
      truncated: budget.truncated,
      ...(this.overBudget.length ? { overBudget: this.overBudget } : {}),
      invocations: this.invocations,
      spent: budget.spent,
      costs: this.costs,
      lookups: this.substitution.lookups,
    };
  }

  /**
   * Expands the invocation at `at` and returns where the copying resumes. An invocation's
   * expansion depends only on its text (and, in a file that redefines macros, on which
   * definitions are in force there: MacroTable.versionAt), so it is replayed from a cache (kept with the macro table)
   * when the same text was expanded before: most of a file after an edit, and repeated idioms
   * such as `__uint(type, BPF_MAP_TYPE_ARRAY)` across files.
   */
  private invocation(text: string, at: number, name: string): number {
    const out = this.output;
    const lookups = this.substitution.lookups;
    const lookedUpBefore = lookups.length;
    lookups.push(name);
    this.substitution.at = at;
    const end = invocationEnd(text, at, name, this.table.get(name, at)?.params !== null || name === SECTION_MACRO);
    const cache = (this.cache ??= expansionCache(this.table));
    const key = end > at && out.prev === null ? this.table.versionAt(at) + text.slice(at, end) : null;
    const hit = key !== null ? cache.get(key) : undefined;
    // A replay costs what the expansion cost, so that the budget runs out at the same place
    // whether or not the cache knew the invocation.
    if (hit && !this.budget.over(hit.spent)) {
      this.budget.charge(hit.spent);
      out.replay(hit, at);
      if (hit.names) for (const n of hit.names) lookups.push(n);
      return end;
    }
    const outStart = out.length;
    const sectionsBefore = out.sections.length;
    const recorded: Recorded = { pieces: [], sections: [], last: null, spent: 0 };
    const spentBefore = this.budget.spent;
    out.record(key !== null ? recorded : null, at);
    const lexer = new Lexer(text, at);
    const stream = Stream.lexing(lexer);
    this.substitution.expandInvocation(stream);
    out.record(null, at);
    const resume = stream.firstAhead ?? lexer.position;
    if (key !== null && resume === end && !this.budget.exhausted && cache.size < EXPANSION_CACHE_LIMIT) {
      recorded.spent = this.budget.spent - spentBefore;
      recorded.sections = out.sections.slice(sectionsBefore).map((m) => ({ ...m, offset: m.offset - outStart, sourceStart: m.sourceStart - at, sourceEnd: m.sourceEnd - at }));
      recorded.last = out.prev ? { kind: out.prev.kind, text: out.prev.text } : null;
      recorded.names = [...new Set(lookups.slice(lookedUpBefore))];
      cache.set(key, recorded);
    }
    return resume;
  }
}

/** Expands one file with the given macro table. */
export function expandSource(text: string, table: MacroTable): Expansion {
  return new Expander(table).expandFile(text);
}
