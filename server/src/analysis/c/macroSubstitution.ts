// Macro substitution as C does it: a macro's name and arguments replaced by its body, parameters
// bound to their fully expanded arguments (or as written, next to `#` and `##`), the result
// rescanned with the macro's name hidden from itself. `SEC(...)` becomes a section marker. What
// it produces is charged to the expansion budget (expansionBudget.ts, budgetLength.ts).
import { lex, stringValue, type Token, type TokenKind } from './lexer';
import { collectArgs, isBlank, nextSignificant, Stream, stringify, trim, type XTok } from './expandTokens';
import type { ExpansionOutput } from './expansionOutput';
import type { ExpansionBudget } from './expansionBudget';
import { SECTION_MACRO, type MacroDef, type MacroTable } from './macros';
import type { SectionMarker } from './expand';
import { TOKEN_CHARS, tokenCost } from './budgetLength';

export class MacroSubstitution {
  /** Where the invocation being expanded stands: the definitions in force there apply. */
  at = 0;
  /**
   * Every name whose definition was asked for, in order (repeats kept): the expansion depends on
   * the table only through these (c/tableChange.ts).
   */
  readonly lookups: string[] = [];

  constructor(
    private readonly table: MacroTable,
    private readonly output: ExpansionOutput,
    /** Tokens the current top-level item and the file may still produce. */
    public budget: ExpansionBudget,
  ) {}

  /** Expands one invocation, its first token pulled from `stream`, and writes the result. */
  expandInvocation(stream: Stream): void {
    const first = stream.next() as XTok;
    if (!this.tryExpand(first, stream, true)) this.output.emit(first);
    while (stream.hasPending) {
      const t = stream.next() as XTok;
      if (t.kind === 'id' && !this.budget.exhausted && this.expands(t.text) && !t.hide?.includes(t.text) && this.tryExpand(t, stream, true)) continue;
      this.output.emit(t);
    }
  }

  /** Whether the table expands `name`, noted among the lookups. */
  private expands(name: string): boolean {
    this.lookups.push(name);
    return this.table.isExpanded(name);
  }

  /** Main loop: copy tokens, expanding macro invocations; `top` writes to the output. */
  private run(stream: Stream, top: boolean, sink?: XTok[]): void {
    for (let t = stream.next(); t; t = stream.next()) {
      if (t.kind === 'id' && !this.budget.exhausted && this.expands(t.text) && !t.hide?.includes(t.text)) {
        const replaced = this.tryExpand(t, stream, top);
        if (replaced) continue;
      }
      if (top) this.output.emit(t);
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
      offset: this.output.length,
      section,
      sourceStart: fromSrc ? name.src : name.originStart,
      sourceEnd: fromSrc ? got.end.src + 1 : name.originEnd,
    };
    this.output.sections.push(marker);
    this.output.emit(synth(' ', 'ws', name, got.end));
    return true;
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
          if (j > 0) rest.push(synth(',', 'punct', name, end));
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
          const str = synth(stringify(bound.get(p.text) ?? []), 'str', name, end, hide);
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
        const right = bound.has(r.text) ? trim(bound.get(r.text) ?? []) : [synth(r.text, r.kind, name, end, hide)];
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
          if (merged.length === 1) out.push(synth(left.text + first.text, merged[0]?.kind ?? 'id', name, end, hide));
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
      out.push(synth(t.text, t.kind, name, end, hide));
    }
    this.budget.charge(out.length + extra);
    if (cut) this.budget.exhausted = true;
    return out;
  }
}

/** A token a macro produced, standing for the source range from `first` to `last`. */
function synth(text: string, kind: TokenKind, first: XTok, last: XTok, hide: readonly string[] | null = null): XTok {
  return {
    kind,
    text,
    src: -1,
    originStart: first.src >= 0 ? first.src : first.originStart,
    originEnd: last.src >= 0 ? last.src + last.text.length : last.originEnd,
    hide,
  };
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
