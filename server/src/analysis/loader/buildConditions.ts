// Which `#if`/`#ifdef` branches of a loader file the host build compiles, from the values its
// conditionals take in the loader's own translation unit (units.ts hostUnit): a branch known not
// to be compiled is not read; a branch whose condition no file in the workspace decides (systemd's
// `#if HAVE_BPF_FRAMEWORK` when the configure-generated config.h is absent) is read, and what it
// decides holds only "on the path where HAVE_BPF_FRAMEWORK": the build condition is kept with it.
// The same holds for a conditional group among a function's statements (conditionalStatements):
// its undecided branches are alternative paths of the loader, each under its build condition.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { Decision, Decisions } from '../c/preprocess';
import type { LoaderFacts, Location } from '../facts';
import { negate, pathLiteral } from './paths';
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
    const literal = pathLiteral(a.condition?.text ?? 'true', false, location, a.condition?.reason ?? '');
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

/**
 * A skeleton the loader opens only in code its build leaves out (systemd's libbpf code under `#if
 * HAVE_BPF_FRAMEWORK` when config.h says 0): the skeleton type opened there (`NAME__open()`,
 * `SCX_OPS_OPEN(ops, NAME)`) and the directive of the branch left out, as written.
 */
export type LeftOutOpen = NonNullable<LoaderFacts['leftOutOpens']>[number];

/** Nodes a conditional group can stand in (statements and the blocks around them), the only ones searched. */
const HOLDS_DIRECTIVES = new Set(['function_definition', 'compound_statement', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'if_statement', 'else_clause', 'for_statement', 'while_statement', 'do_statement', 'switch_statement', 'case_statement', 'labeled_statement', 'linkage_specification', 'declaration_list']);

const OPENS = /\b(\w+?)__(?:open|open_opts|open_and_load)\s*\(|\bSCX_OPS_(?:[A-Z0-9]+_)?OPEN\s*\(\s*\w+\s*,\s*(\w+)\s*\)/g;

/**
 * The skeletons opened in branches the host build is known not to compile, at any depth (file
 * scope or a function body), each once, at its outermost such branch.
 */
export function leftOutOpens(root: Node, decisionAt: (n: Node) => Decision | undefined, loc: (n: Node) => Location): LeftOutOpen[] {
  const out: LeftOutOpen[] = [];
  const seen = new Set<string>();
  const visit = (n: Node, depth: number): void => {
    if (depth > 256) return;
    if ((n.type === 'preproc_if' || n.type === 'preproc_ifdef') && n.text.length < 1_000_000) {
      let branch: Node | null = n;
      for (const b of groupBranches(n, decisionAt)) {
        if (b.compiled === 'no' && branch) {
          const text = b.items.map((i) => i.text).join('\n');
          for (const m of text.matchAll(OPENS)) {
            const skeleton = m[1] ?? m[2];
            if (!skeleton || seen.has(skeleton)) continue;
            seen.add(skeleton);
            out.push({ skeleton, directive: (branch.text.split('\n', 1)[0] ?? '').replace(/\s+/g, ' ').trim(), location: loc(branch) });
          }
        }
        branch = branch && branch.type !== 'preproc_else' ? branch.childForFieldName('alternative') : null;
      }
    }
    for (const c of n.namedChildren) if (c && HOLDS_DIRECTIVES.has(c.type)) visit(c, depth + 1);
  };
  const text = root.text;
  if (/^[ \t]*#[ \t]*(?:if|el)/m.test(text) && (/__open/.test(text) || /\bSCX_OPS_/.test(text))) visit(root, 0);
  return out;
}

/** In words, for findings and the scenario: a loader of the workspace uses the skeleton, but its build leaves out the code that opens it. */
export function leftOutText(opens: readonly (LeftOutOpen & { loader: string })[]): string {
  const parts = opens.slice(0, 2).map((o) => {
    const file = o.loader.split('/').pop() ?? o.loader;
    return `${file} uses its skeleton, but the code that opens it is under \`${o.directive}\` (${file}:${o.location.range.start.line + 1}), which the build of ${file} does not compile`;
  });
  return `No loader in the workspace loads this object as built: ${parts.join('; ')}${opens.length > 2 ? `; ${opens.length - 2} more` : ''}`;
}

/** The loaders' left-out opens by skeleton name, each with its loader's file. */
export function leftOutBySkeleton(loaders: readonly LoaderFacts[]): Map<string, (LeftOutOpen & { loader: string })[]> {
  const out = new Map<string, (LeftOutOpen & { loader: string })[]>();
  for (const l of loaders) {
    for (const o of l.leftOutOpens ?? []) {
      let list = out.get(o.skeleton);
      if (!list) out.set(o.skeleton, (list = []));
      list.push({ ...o, loader: l.file });
    }
  }
  return out;
}
