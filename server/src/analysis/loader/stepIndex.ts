// The steps of a loader's functions (declarations, assignments and calls, in source order), found
// with one search of the parser's tree per top-level item (the parser's own walk: a query found the
// same nodes, slower) and kept with what the readers ask of each step again and
// again on every path: its kind, its extent and the function it calls. Syntax-tree nodes answer
// these through the parser's runtime on every access, and `parent` walks down from the root, so
// the top-level item around a node is found by its offsets instead.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import { KeptNode, parserNode, type SyntaxCache } from '../c/syntaxNode';

interface StepFacts {
  type: string;
  end: number;
  /** The called function as written (`skel__open`, `bpf_map__fd`); '' when the step is no call. */
  callee: string;
  /** A call's arguments, once asked for. */
  args?: Node[];
  /** The variables an assignment or a declaration sets, once asked for. */
  sets?: string[];
}

/** The node types that are steps: declarations (variables bound to skeletons, programs, maps, fds, opts), assignments (slot re-pointing, rebinding) and calls. */
const STEP_TYPES = ['declaration', 'assignment_expression', 'call_expression'];

/** Facts of parser nodes handed out without a cache (the same node objects every time). */
const facts = new WeakMap<Node, StepFacts>();

function factsOf(step: Node): StepFacts {
  const kept = step instanceof KeptNode;
  let f = (kept ? step.derived : facts.get(step)) as StepFacts | undefined;
  if (!f) {
    const type = step.type;
    // Every field from the start: objects that gain fields later change shape under optimised code.
    f = { type, end: step.endIndex, callee: type === 'call_expression' ? (step.childForFieldName('function')?.text ?? '') : '', args: undefined, sets: undefined };
    if (kept) step.derived = f;
    else facts.set(step, f);
  }
  return f;
}

/** The step's node type: `declaration`, `assignment_expression` or `call_expression`. */
export function stepType(step: Node): string {
  return factsOf(step).type;
}

/** The function a call step calls, as written; '' for a declaration or an assignment. */
export function stepCallee(step: Node): string {
  return factsOf(step).callee;
}

/** A call step's arguments (none for a declaration or an assignment). */
export function stepArguments(step: Node): Node[] {
  const f = factsOf(step);
  f.args ??= f.type === 'call_expression' ? (step.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a) : [];
  return f.args;
}

/**
 * The variables an assignment (`x = ...`) or a declaration (`int *x = ..., y;`) sets; for a field or
 * an element (`ctx->p->skel = ...`, `a[i] = ...`), the field's or the array's name: decisions about
 * anything under that name are stale after it.
 */
export function stepSets(step: Node): string[] {
  const f = factsOf(step);
  if (!f.sets) {
    f.sets = [];
    if (f.type === 'assignment_expression') {
      const left = step.childForFieldName('left');
      if (left?.type === 'identifier') f.sets.push(left.text);
      else if (left?.type === 'field_expression') {
        const field = left.childForFieldName('field')?.text;
        if (field) f.sets.push(field);
      } else if (left?.type === 'subscript_expression') {
        const array = left.childForFieldName('argument');
        if (array?.type === 'identifier') f.sets.push(array.text);
      }
    } else if (f.type === 'declaration') {
      for (const d of step.childrenForFieldName('declarator')) {
        const name = (d?.type === 'init_declarator' ? d.childForFieldName('declarator') : d)?.text.replace(/^[*\s]+/, '');
        if (name) f.sets.push(name);
      }
    }
  }
  return f.sets;
}

export class StepIndex {
  /** Top-level items with their offsets, in source order. */
  private readonly tops: { node: Node; start: number; end: number }[] = [];
  private readonly byNode = new Map<number, Node[]>();
  private readonly topOf = new Map<number, Node>();

  constructor(
    private readonly root: Node | null,
    /** Keeps the nodes the query finds, so that a step is the same object on every path. */
    private readonly syntax: SyntaxCache | null,
  ) {
    for (const c of root?.namedChildren ?? []) if (c) this.tops.push({ node: c, start: c.startIndex, end: c.endIndex });
  }

  /** The top-level item (function, declaration) a node is in; the node itself at the top. */
  top(n: Node): Node {
    let top = this.topOf.get(n.id);
    if (top) return top;
    if (this.root && n.id !== this.root.id) {
      let lo = 0;
      let hi = this.tops.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((this.tops[mid] as { start: number }).start <= n.startIndex) lo = mid + 1;
        else hi = mid;
      }
      const t = this.tops[lo - 1];
      if (t && n.startIndex < t.end) top = t.node;
    }
    if (!top) {
      // Not inside a top-level item (the root itself, a tree without one): walk up as the tree says.
      top = n;
      while (top.parent && top.parent.type !== 'translation_unit') top = top.parent;
    }
    this.topOf.set(n.id, top);
    return top;
  }

  /** Steps under a node, outer before inner: a slice of its top-level item's steps. */
  steps(n: Node): Node[] {
    let steps = this.byNode.get(n.id);
    if (steps) return steps;
    const top = this.top(n);
    let all = this.byNode.get(top.id);
    if (!all) {
      const syntax = this.syntax;
      all = parserNode(top)
        .descendantsOfType(STEP_TYPES)
        .filter((d): d is NonNullable<typeof d> => !!d)
        .map((d): Node => (syntax ? syntax.keep(d) : d))
        .sort((a, b) => a.startIndex - b.startIndex || factsOf(b).end - factsOf(a).end);
      this.byNode.set(top.id, all);
    }
    if (top.id === n.id) return all;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((all[mid] as Node).startIndex < n.startIndex) lo = mid + 1;
      else hi = mid;
    }
    steps = [];
    const end = n.endIndex;
    for (let i = lo; i < all.length; i++) {
      const s = all[i] as Node;
      if (s.startIndex >= end) break;
      if (factsOf(s).end <= end) steps.push(s);
    }
    this.byNode.set(n.id, steps);
    return steps;
  }
}
