// Expands the macros that produce BPF programs and struct_ops maps, so that tree-sitter sees plain
// C, and keeps a source map from the expanded text back to the file. `SEC("...")` itself becomes a
// section marker (a blank in the text), which the fact extractor attaches to the next declaration.
import { lex, Lexer, stringValue, type Token, type TokenKind } from './lexer';
import { collectArgs, isBlank, needsSpace, nextSignificant, Stream, stringify, trim, type XTok } from './expandTokens';
import { EXPANSION_CACHE_LIMIT, expansionCache, invocationEnd, type Recorded } from './expansionCache';
import { SECTION_MACRO, type MacroDef, type MacroTable } from './macros';
import { SourceMap } from './sourceMap';
import { ExpansionBudget } from './expansionBudget';
import { TOKEN_CHARS, tokenCost } from './budgetLength';
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
  private readonly sections: SectionMarker[] = [];
  private readonly out: string[] = [];
  private outLen = 0;
  private readonly map = new SourceMap();
  private prev: XTok | null = null;
  private recording: { base: number; into: Recorded } | null = null;
  private cache: Map<string, Recorded> | null = null;
  private readonly invocations: number[] = [];
  private readonly costs: number[] = [];
  /** Where the invocation being expanded stands: the definitions in force there apply. */
  private at = 0;

  constructor(private readonly table: MacroTable) {}

  /**
   * Expands a whole file. Only invocations are lexed: the text between them (found with one
   * regular expression, checked to be code and not a comment, string or directive) is copied as is.
   */
  expandFile(text: string): Expansion {
    if (!this.table.mentionsOutsideText(text)) {
      return { text, map: SourceMap.identity(text.length), sections: [], truncated: false };
    }
    const budget = (this.budget = new ExpansionBudget(text));
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
        this.copy(text, copied, m.index + m[0].length);
        copied = m.index + m[0].length;
        continue;
      }
      this.copy(text, copied, m.index);
      const outAt = this.outLen;
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
    this.copy(text, copied, text.length);
    return {
      text: this.out.join(''),
      map: this.map,
      sections: this.sections,
      truncated: budget.truncated,
      ...(this.overBudget.length ? { overBudget: this.overBudget } : {}),
      invocations: this.invocations,
      spent: budget.spent,
      costs: this.costs,
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
    this.at = at;
    const end = invocationEnd(text, at, name, this.table.get(name, at)?.params !== null || name === SECTION_MACRO);
    const cache = (this.cache ??= expansionCache(this.table));
    const key = end > at && this.prev === null ? this.table.versionAt(at) + text.slice(at, end) : null;
    const hit = key !== null ? cache.get(key) : undefined;
    // A replay costs what the expansion cost, so that the budget runs out at the same place
    // whether or not the cache knew the invocation.
    if (hit && !this.budget.over(hit.spent)) {
      this.budget.charge(hit.spent);
      this.replay(hit, at);
      return end;
    }
    const outStart = this.outLen;
    const sectionsBefore = this.sections.length;
    const recorded: Recorded = { pieces: [], sections: [], last: null, spent: 0 };
    const spentBefore = this.budget.spent;
    this.recording = key !== null ? { base: at, into: recorded } : null;
    const lexer = new Lexer(text, at);
    const stream = Stream.lexing(lexer);
    const first = stream.next() as XTok;
    if (!this.tryExpand(first, stream, true)) this.emit(first);
    while (stream.hasPending) {
      const t = stream.next() as XTok;
      if (t.kind === 'id' && !this.budget.exhausted && this.table.isExpanded(t.text) && !t.hide?.includes(t.text) && this.tryExpand(t, stream, true)) continue;
      this.emit(t);
    }
    this.recording = null;
    const resume = stream.firstAhead ?? lexer.position;
    if (key !== null && resume === end && !this.budget.exhausted && cache.size < EXPANSION_CACHE_LIMIT) {
      recorded.spent = this.budget.spent - spentBefore;
      recorded.sections = this.sections.slice(sectionsBefore).map((m) => ({ ...m, offset: m.offset - outStart, sourceStart: m.sourceStart - at, sourceEnd: m.sourceEnd - at }));
      recorded.last = this.prev ? { kind: this.prev.kind, text: this.prev.text } : null;
      cache.set(key, recorded);
    }
    return resume;
  }

  private replay(r: Recorded, at: number): void {
    const outStart = this.outLen;
    for (const p of r.pieces) this.write(p.text, p.src < 0 ? -1 : p.src + at, p.originStart + at, p.originEnd + at);
    for (const m of r.sections) this.sections.push({ ...m, offset: m.offset + outStart, sourceStart: m.sourceStart + at, sourceEnd: m.sourceEnd + at });
    this.prev = r.last ? { ...r.last, src: -1, originStart: at, originEnd: at, hide: null } : null;
  }

  /** Copies source text verbatim. */
  private copy(text: string, from: number, to: number): void {
    if (to <= from) return;
    this.write(text.slice(from, to), from, from, to);
    this.prev = null;
  }

  /** Main loop: copy tokens, expanding macro invocations; `top` writes to the output. */
  private run(stream: Stream, top: boolean, sink?: XTok[]): void {
    for (let t = stream.next(); t; t = stream.next()) {
      if (t.kind === 'id' && !this.budget.exhausted && this.table.isExpanded(t.text) && !t.hide?.includes(t.text)) {
        const replaced = this.tryExpand(t, stream, top);
        if (replaced) continue;
      }
      if (top) this.emit(t);
      else sink?.push(t);
    }
  }

  private tryExpand(name: XTok, stream: Stream, top: boolean): boolean {
    // Inside an argument, SEC stays as written; the rescan of the substituted body meets it again.
    if (name.text === SECTION_MACRO) return top && this.section(name, stream);
    const def = this.table.get(name.text, this.at);
    if (!def) return false;
    if (def.params === null) {
      stream.pushFront(this.substitute(def, [], name, name));
      return true;
    }
    if (stream.peekSignificant()?.text !== '(') return false;
    const got = collectArgs(stream);
    if (!got) return false;
    stream.pushFront(this.substitute(def, got.args, name, got.end));
    return true;
  }

  private section(name: XTok, stream: Stream): boolean {
    if (stream.peekSignificant()?.text !== '(') return false;
    const got = collectArgs(stream);
    if (!got) return false;
    const arg = this.expandIsolated(got.args[0] ?? []);
    const strings = trim(arg);
    let section: string | null = '';
    for (const s of strings) {
      if (isBlank(s)) continue;
      const v = s.kind === 'str' ? stringValue(s.text) : null;
      if (v === null) {
        section = null;
        break;
      }
      section += v;
    }
    const fromSrc = name.src >= 0 && got.end.src >= 0;
    const marker: SectionMarker = {
      offset: this.outLen,
      section,
      sourceStart: fromSrc ? name.src : name.originStart,
      sourceEnd: fromSrc ? got.end.src + 1 : name.originEnd,
    };
    this.sections.push(marker);
    this.emit(this.synth(' ', 'ws', name, got.end));
    return true;
  }

  private synth(text: string, kind: TokenKind, first: XTok, last: XTok, hide: readonly string[] | null = null): XTok {
    return {
      kind,
      text,
      src: -1,
      originStart: first.src >= 0 ? first.src : first.originStart,
      originEnd: last.src >= 0 ? last.src + last.text.length : last.originEnd,
      hide,
    };
  }

  /** Fully expands an argument on its own (C's argument pre-expansion). */
  private expandIsolated(toks: XTok[]): XTok[] {
    const sink: XTok[] = [];
    this.run(Stream.of(toks), false, sink);
    return sink;
  }

  /** Replaces the parameters in a macro body; the result is rescanned by the caller's stream. */
  private substitute(def: MacroDef, args: XTok[][], name: XTok, end: XTok): XTok[] {
    const params = def.params ?? [];
    // Bind arguments: the variadic parameter takes the rest, commas included.
    const bound = new Map<string, XTok[]>();
    params.forEach((p, k) => {
      if (p === def.variadic) {
        const rest: XTok[] = [];
        args.slice(k).forEach((a, j) => {
          if (j > 0) rest.push(this.synth(',', 'punct', name, end));
          rest.push(...a);
        });
        bound.set(p, rest);
      } else bound.set(p, args[k] ?? []);
    });
    const hide = [...(name.hide ?? []), def.name];
    const out: XTok[] = [];
    const variadicArgs = def.variadic ? bound.get(def.variadic) : undefined;
    const body = def.variadic && usesVaOpt(def) ? withVaOpt(def.body, trim(variadicArgs ?? []).length > 0) : def.body;
    let cut = false;
    // What the tokens of `out` cost beyond one each (budgetLength.ts: a huge token costs by its
    // length); tokens popped again still count, which only errs on the costly side.
    let extra = 0;
    for (let k = 0; k < body.length; k++) {
      // Past what the item may still spend: stop building, and the item's expansion ends here.
      if ((cut = this.budget.over(out.length + extra))) break;
      const t = body[k] as Token;
      if (t.text === '#' && params.length) {
        let j = k + 1;
        while (j < body.length && isBlank(body[j] as Token)) j++;
        const p = body[j];
        if (p && bound.has(p.text)) {
          const str = this.synth(stringify(bound.get(p.text) ?? []), 'str', name, end, hide);
          extra += tokenCost(str.text) - 1;
          out.push(str);
          k = j;
          continue;
        }
      }
      if (t.text === '##') {
        while (out.length && isBlank(out[out.length - 1] as XTok)) out.pop();
        let j = k + 1;
        while (j < body.length && isBlank(body[j] as Token)) j++;
        const r = body[j];
        k = j;
        if (!r) break;
        const right = bound.has(r.text) ? trim(bound.get(r.text) ?? []) : [this.synth(r.text, r.kind, name, end, hide)];
        extra += extraCost(right);
        const left = out[out.length - 1];
        if (left?.text === ',') {
          // GNU: `, ## __VA_ARGS__` drops the comma when there are no variadic arguments.
          if (right.length === 0 && r.text === def.variadic) out.pop();
          else out.push(...right);
          continue;
        }
        const first = right[0];
        if (left && first) {
          const merged = lex(left.text + first.text, 0, left.text.length + first.text.length, false);
          out.pop();
          extra += tokenCost(left.text + first.text) - 1;
          if (merged.length === 1) out.push(this.synth(left.text + first.text, merged[0]?.kind ?? 'id', name, end, hide));
          else out.push(left, first);
          out.push(...right.slice(1));
        } else out.push(...right);
        continue;
      }
      if (t.kind === 'id' && bound.has(t.text)) {
        const next = nextSignificant(body, k + 1);
        const arg = bound.get(t.text) ?? [];
        const expanded = next?.text === '##' ? arg : this.expandIsolated(arg);
        // The argument's own expansion may have used up the item: stop before copying it, or every
        // enclosing level would copy it again (a bomb of arguments inside arguments, F(n) =
        // F(n-1)(F(n-1)(a)), then costs its nesting depth times the budget).
        const expandedExtra = extraCost(expanded);
        if ((cut = this.budget.exhausted || this.budget.over(out.length + extra + expanded.length + expandedExtra))) break;
        extra += expandedExtra;
        for (const a of expanded) out.push({ ...a, hide: a.hide ? hiding(a.hide, def.name) : hide });
        continue;
      }
      extra += tokenCost(t.text) - 1;
      out.push(this.synth(t.text, t.kind, name, end, hide));
    }
    this.budget.charge(out.length + extra);
    if (cut) this.budget.exhausted = true;
    return out;
  }

  private emit(t: XTok): void {
    const prev = this.prev;
    if (prev && needsSpace(prev, t) && !(prev.src >= 0 && t.src === prev.src + prev.text.length)) {
      this.write(' ', -1, t.originStart, t.originEnd);
    }
    this.write(t.text, t.src, t.originStart, t.originEnd);
    this.prev = t;
  }

  private write(text: string, src: number, originStart: number, originEnd: number): void {
    if (!text) return;
    const rec = this.recording;
    if (rec) rec.into.pieces.push({ text, src: src < 0 ? -1 : src - rec.base, originStart: originStart - rec.base, originEnd: originEnd - rec.base });
    this.out.push(text);
    this.map.add(this.outLen, text.length, src, originStart, originEnd);
    this.outLen += text.length;
  }
}

/** Expands one file with the given macro table. */
export function expandSource(text: string, table: MacroTable): Expansion {
  return new Expander(table).expandFile(text);
}

/** What `tokens` cost beyond one each (tokenCost). */
function extraCost(tokens: readonly XTok[]): number {
  let extra = 0;
  for (const t of tokens) if (t.text.length > TOKEN_CHARS) extra += tokenCost(t.text) - 1;
  return extra;
}

/** A hide set with `name` in it; a name already there is not added again (sets grow with nesting). */
function hiding(hide: readonly string[], name: string): readonly string[] {
  return hide.includes(name) ? hide : [...hide, name];
}

const vaOptUse = new WeakMap<MacroDef, boolean>();

function usesVaOpt(def: MacroDef): boolean {
  let uses = vaOptUse.get(def);
  if (uses === undefined) vaOptUse.set(def, (uses = def.body.some((t) => t.text === '__VA_OPT__')));
  return uses;
}

/**
 * C23's `__VA_OPT__(content)` in a variadic macro's body: the content when the variadic arguments
 * are not empty, nothing otherwise (sched_ext's `SCX_BUG(fmt, ...)` uses it).
 */
function withVaOpt(body: readonly Token[], present: boolean): Token[] {
  const out: Token[] = [];
  for (let k = 0; k < body.length; k++) {
    const t = body[k] as Token;
    if (t.text !== '__VA_OPT__') {
      out.push(t);
      continue;
    }
    let j = k + 1;
    while (j < body.length && isBlank(body[j] as Token)) j++;
    if (body[j]?.text !== '(') {
      out.push(t);
      continue;
    }
    let depth = 0;
    let close = j;
    for (; close < body.length; close++) {
      const x = (body[close] as Token).text;
      if (x === '(') depth++;
      else if (x === ')' && --depth === 0) break;
    }
    if (present) out.push(...body.slice(j + 1, close));
    k = close;
  }
  return out;
}
