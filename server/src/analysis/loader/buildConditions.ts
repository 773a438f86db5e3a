// Which `#if`/`#ifdef` branches of a loader file the host build compiles, from the values its
// conditionals take in the loader's own translation unit (units.ts hostUnit): a branch known not
// to be compiled is not read; a branch whose condition no file in the workspace decides (systemd's
// `#if HAVE_BPF_FRAMEWORK` when the configure-generated config.h is absent) is read, and what it
// decides holds only "on the path where HAVE_BPF_FRAMEWORK": the build condition is kept with it.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { Decision, Decisions } from '../c/preprocess';
import { negate } from './paths';

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
    if (taken || d?.value === false) compiled = 'no';
    else if (d?.value === true) {
      compiled = earlier.length ? { texts: earlier.map(negate), reason: earlierReason } : null;
      taken = true;
    } else {
      const reason = d?.reason ?? 'the build that compiles this file is not known';
      compiled = { texts: [...earlier.map(negate), own ?? 'true'], reason: earlier.length ? earlierReason : reason };
      if (own) earlier.push(own);
      if (!earlierReason) earlierReason = reason;
    }
    out.push({ items, compiled });
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
