// Which `#if`/`#ifdef` branches of a loader file the host build compiles, from the values its
// conditionals take in the loader's own translation unit (units.ts hostUnit): a branch known not
// to be compiled is not read; a branch whose condition no file in the workspace decides (systemd's
// `#if HAVE_BPF_FRAMEWORK` when the configure-generated config.h is absent) is read, and what it
// decides holds only "on the path where HAVE_BPF_FRAMEWORK": the build condition is kept with it.
// The same holds for a conditional group among a function's statements (conditionalStatements):
// its undecided branches are alternative paths of the loader, each under its build condition.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { Decision, Decisions } from '../c/preprocess';
import { negate, type PathLiteral } from './paths';
import type { PathWalker } from './flowApi';
import type { PathState } from './pathState';

/** A build condition a branch is compiled under, when nothing in the workspace decides it. */
export interface BuildCondition {
  /** The condition as written (`HAVE_BPF_FRAMEWORK`, `!defined(X)`), each of a nesting joined by `&&`. */
  text: string;
  /** Why it cannot be decided (from the preprocessor reading). */
  reason: string;
}

/** One branch of a conditional group: its items, and whether the host build compiles it. */
export interface Branch {
  items: Node[];
  /** 'no': known not compiled; null: compiled for certain; otherwise the undecided conditions it needs. */
  compiled: 'no' | null | { texts: string[]; reason: string };
  /** Its own condition holds for certain (or it is the `#else`): no later branch is compiled. */
  taken: boolean;
}

const IF_KINDS = /^preproc_(?:if|ifdef|elif|elifdef|else)$/;

export function isConditionalGroup(n: Node): boolean {
  return IF_KINDS.test(n.type);
}

/** The text of a branch's own condition, as written: `X`, `defined(X)`, `!defined(X)`; null for `#else`. */
function ownCondition(n: Node): string | null {
  if (n.type === 'preproc_if' || n.type === 'preproc_elif') return (n.childForFieldName('condition')?.text ?? '').replace(/\s+/g, ' ').trim() || null;
  if (n.type === 'preproc_ifdef' || n.type === 'preproc_elifdef') {
    const name = n.childForFieldName('name')?.text ?? '';
    const negated = /^#\s*(?:el)?ifndef\b/.test(n.text);
    return negated ? `!defined(${name})` : `defined(${name})`;
  }
  return null;
}

/**
 * The branches of the group starting at `first` (an `#if`/`#ifdef`), in order, each with whether
 * the host build compiles it. `decisionAt(node)`: the unit's value for the directive the node
 * starts with; undefined when the unit has none (the branch is then undecided).
 */
export function groupBranches(first: Node, decisionAt: (n: Node) => Decision | undefined): Branch[] {
  const out: Branch[] = [];
  // Earlier branches whose condition is undecided: a later branch is compiled only when they are false.
  const earlier: string[] = [];
  let earlierReason = '';
  let taken = false;
  for (let n: Node | null = first, depth = 0; n && depth < 256; depth++) {
    const alternative: Node | null = n.type === 'preproc_else' ? null : n.childForFieldName('alternative');
    const skip = new Set([n.childForFieldName('condition')?.id, n.childForFieldName('name')?.id, alternative?.id].filter((x): x is number => x !== undefined));
    const items = n.namedChildren.filter((c): c is Node => !!c && !skip.has(c.id));
    const own = ownCondition(n);
    const d: Decision | undefined = n.type === 'preproc_else' ? { value: true } : decisionAt(n);
    let compiled: Branch['compiled'];
    let takenHere = false;
    if (taken || d?.value === false) compiled = 'no';
    else if (d?.value === true) {
      compiled = earlier.length ? { texts: earlier.map(negate), reason: earlierReason } : null;
      taken = takenHere = true;
    } else {
      const reason = d?.reason ?? 'the build that compiles this file is not known';
      compiled = { texts: [...earlier.map(negate), own ?? 'true'], reason: earlier.length ? earlierReason : reason };
      if (own) earlier.push(own);
      if (!earlierReason) earlierReason = reason;
    }
    out.push({ items, compiled, taken: takenHere });
    n = alternative;
  }
  return out;
}

/** Two nestings of conditions: the outer's, then the inner's. */
export function within(outer: BuildCondition | null, inner: Branch['compiled']): BuildCondition | null {
  if (inner === null || inner === 'no') return outer;
  const texts = inner.texts.map((t) => (/^[\w()!.]+$/.test(t) ? t : `(${t})`));
  const text = texts.join(' && ');
  return outer ? { text: `${outer.text} && ${text}`, reason: outer.reason } : { text, reason: inner.reason };
}

/** The decisions of a file, looked up by a directive's zero-based line. */
export function decisionLookup(decisions: Decisions | undefined, lineOf: (n: Node) => number): (n: Node) => Decision | undefined {
  return (n) => decisions?.get(lineOf(n));
}

/** One way the host build may compile a conditional group: the items it compiles, under what condition (null: for certain). */
export interface Alternative {
  items: Node[];
  condition: BuildCondition | null;
}

/**
 * The ways the host build may compile the group starting at `first`: each branch not known to be
 * left out, and, when no branch is compiled for certain once reached (no `#else`, no condition
 * that holds), compiling none of them. One alternative with a null condition: the build is known.
 */
export function groupAlternatives(first: Node, decisionAt: (n: Node) => Decision | undefined): Alternative[] {
  const branches = groupBranches(first, decisionAt);
  const out: Alternative[] = [];
  let last: { texts: string[]; reason: string } | null = null;
  for (const b of branches) {
    if (b.compiled === 'no') continue;
    out.push({ items: b.items, condition: within(null, b.compiled) });
    if (b.compiled !== null) last = b.compiled;
  }
  if (!branches.some((b) => b.taken)) {
    // The last undecided branch's conditions are the earlier ones negated, then its own: none compiled negates that one too.
    const none: Branch['compiled'] = last ? { texts: [...last.texts.slice(0, -1), negate(last.texts[last.texts.length - 1] ?? 'true')], reason: last.reason } : null;
    out.push({ items: [], condition: within(null, none) });
  }
  return out;
}

/** A side that leaves (returns, jumps, exits) — with no loader call in it but destroy, it gives up as an error check does. */
const LEAVES = /\b(?:return|goto|break|continue)\b|\b(?:exit|_exit|abort|errx)\s*\(/;

/**
 * A conditional group among a function body's statements (`#if X ... #else ... #endif` inside a
 * loader function), read as the host build compiles it: a branch known not to be compiled is left
 * out, one compiled for certain is read as plain statements, and branches whose condition nothing
 * in the workspace decides are alternative paths, each under its build condition (a path literal
 * marked `build`, on the path's open lifecycles and on those it opens later), never both in
 * sequence. Alternatives none of which makes a loader call or leaves before one are read in turn,
 * for their bindings only, as the walker does with a runtime branch whose sides do not matter.
 */
export function conditionalStatements(walker: PathWalker, group: Node, states: PathState[], decisionAt: (n: Node) => Decision | undefined): PathState[] {
  const alternatives = groupAlternatives(group, decisionAt);
  const only = alternatives.length === 1 ? alternatives[0] : undefined;
  if (only && !only.condition) return walker.block(only.items, states);
  const live = states.filter((s) => !s.exit);
  const out = states.filter((s) => s.exit);
  if (!live.length) return states;
  const matters = alternatives.some((a) => a.items.some((i) => walker.interesting(i, group)));
  if (!matters) {
    let current = live;
    for (const a of alternatives) current = walker.unleave(walker.block(a.items, current));
    return [...out, ...current];
  }
  const location = walker.reader.location(group);
  alternatives.forEach((a, i) => {
    const mine = i === alternatives.length - 1 ? live : live.map((s) => s.clone());
    const literal: PathLiteral = { text: a.condition?.text ?? 'true', guard: false, location, build: a.condition?.reason ?? '' };
    const givesUp = LEAVES.test(a.items.map((n) => n.text).join('\n')) && !a.items.some((n) => walker.callsLoader(n, true));
    for (const s of mine) {
      if (a.condition) {
        s.buildLiterals = [...s.buildLiterals, literal];
        for (const seg of s.segments.values()) seg.literals.push(literal);
      }
      if (givesUp) for (const seg of s.segments.values()) seg.givesUp = true;
    }
    out.push(...walker.block(a.items, mine));
  });
  return walker.merge(out);
}
