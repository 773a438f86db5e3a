// User-space C -> loader facts: the skeleton lifecycle (open, load, attach), the association
// calls, autoload/autocreate/autoattach changes and slot re-pointing, each with the lifecycle
// phase it happens in, read path by path (flow.ts): every lifecycle with the distinct ways
// through it that the code allows. Helper functions of the same file are followed from their
// call sites with their arguments (bindings.ts); a function nobody in the file calls is an entry
// point.
import type { ParsedC } from '../c/document';
import type { SyntaxNode as Node } from '../c/syntaxNode';
import type { LoaderAction, LoaderFacts, Location } from '../facts';
import { RefResolver, Scope } from './refs';
import { LoaderBindings } from './bindings';
import { StepContext } from './stepContext';
import { declaredName } from '../bpfSource';
import { FlowWalker, type StepReader } from './flow';
import { PathState } from './pathState';
import { loopBudgetMessage, pathLiteral, type LoaderLifecycle } from './paths';
import { actionKey, LifecycleRecords } from './lifecycleRecords';
import { StepIndex, stepCallee, stepType } from './stepIndex';
import { SyntaxCache } from '../c/syntaxNode';
import { DESTROY_CALL, isLoaderCallName } from './loaderCalls';
import { loaderReadingGaps } from './readingGaps';
import { readLoaderCall, readsCall } from './callActions';
import { decisionLookup, groupBranches, isConditionalGroup, leftOutOpens, within, type BuildCondition } from './buildConditions';
import { standaloneDecisions, type Decision, type Decisions } from '../c/preprocess';

export { actionKey };

/** Calls a function makes to libbpf (`bpf_*`) or a skeleton (`NAME__open(...)`), by name. */
function libbpfCalls(fn: Node): number {
  return fn.text.match(/\b(?:bpf_\w+|\w+__\w+)\s*\(/g)?.length ?? 0;
}

export class LoaderReader implements StepReader {
  private readonly refs: RefResolver;
  /** Resolves `skel->progs.P`-like expressions (for the call steps' context). */
  get resolver(): RefResolver {
    return this.refs;
  }
  private readonly globals = new Scope();
  private readonly functions = new Map<string, Node>();
  /** Functions defined under a build condition nothing in the workspace decides, with it. */
  private readonly buildConditions = new Map<string, BuildCondition>();
  private readonly relevant = new Map<string, Node>();
  private readonly skeletonTypes = new Set<string>();
  private readonly records = new LifecycleRecords();
  private readonly bindings: LoaderBindings;
  private root = '';

  constructor(
    private readonly parsed: ParsedC,
    private readonly file: string,
    private readonly decisions?: Decisions,
  ) {
    this.refs = new RefResolver((n) => this.loc(n));
    this.bindings = new LoaderBindings(this.refs, this.skeletonTypes);
  }

  /** Places by syntax node: every path through a call asks for the same ones. */
  private readonly places = new Map<number, Location>();

  private loc(n: Node): Location {
    let place = this.places.get(n.id);
    if (!place) {
      const map = this.parsed.expansion.map;
      const s = map.toSource(n.startIndex);
      place = { file: this.file, range: this.parsed.lines.range(s, Math.max(s, map.toSource(n.endIndex, true))) };
      this.places.set(n.id, place);
    }
    return place;
  }

  location(n: Node): Location {
    return this.loc(n);
  }

  read(): LoaderFacts & { lifecycles: LoaderLifecycle[] } {
    const facts: LoaderFacts & { lifecycles: LoaderLifecycle[] } = { file: this.file, includes: [], skeletonTypes: [], actions: [], problems: [], lifecycles: [] };
    const text = this.parsed.text;
    for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*["<]([^">]+\.skel\.h)[">]/gm)) {
      const at = (m.index ?? 0) + m[0].indexOf(m[1] ?? '');
      facts.includes.push({ path: m[1] ?? '', location: { file: this.file, range: this.parsed.lines.range(at, at + (m[1]?.length ?? 0)) } });
      this.skeletonTypes.add((m[1] ?? '').replace(/^.*\//, '').replace(/\.skel\.h$/, '').replace(/[^\w]/g, '_'));
    }
    for (const m of text.matchAll(/\b(\w+?)__(?:open|open_opts|open_and_load)\s*\(/g)) if (m[1]) this.skeletonTypes.add(m[1]);
    for (const m of text.matchAll(/\bSCX_OPS_(?:[A-Z0-9]+_)?OPEN\s*\(\s*\w+\s*,\s*(\w+)\s*\)/g)) if (m[1]) this.skeletonTypes.add(m[1]);
    const tree = this.parsed.tree;
    if (!tree) return facts;
    // Every path asks the same nodes the same things: their answers are kept for this reading.
    const syntax = new SyntaxCache();
    const root = syntax.keepRoot(tree.rootNode);
    this.index = new StepIndex(root, syntax);
    const decisions = this.decisions ?? standaloneDecisions(this.parsed.text, this.file);
    this.decisionAt = decisionLookup(decisions, (n) => this.parsed.lines.position(this.parsed.expansion.map.toSource(n.startIndex)).line);
    this.readTopLevel(root, 0, null, this.decisionAt);
    this.findRelevant();
    const called = new Set<string>();
    for (const [name, fn] of this.relevant) for (const c of this.localCalls(fn)) if (c !== name) called.add(c);
    const walker = new FlowWalker(this, actionKey);
    const roots = [...this.relevant.keys()].filter((n) => !called.has(n));
    const walkRoot = (name: string) => {
      const fn = this.relevant.get(name);
      if (!fn) return;
      this.root = name;
      walker.visited.add(name);
      const start = new PathState([{ fn: name, scope: new Scope(this.globals) }], new Map(), new Map(), new Map(), new Map(), new Set(), new Map());
      this.bindings.declareParameters(fn, start.scope);
      for (const end of walker.walkFunction(fn, [start])) for (const skel of [...end.segments.keys()]) this.closeSegment(end, skel);
    };
    for (const name of roots) walkRoot(name);
    // Functions only reachable through a cycle, or past the depth limit, are entry points too.
    for (const name of this.relevant.keys()) if (!walker.visited.has(name)) walkRoot(name);
    facts.actions = this.records.actions();
    facts.lifecycles = this.records.lifecycles().map((c) => this.underBuildConditions(c));
    facts.problems.push(...loaderReadingGaps(this.parsed, this.file, facts.actions));
    if (walker.repeatLeftOut) {
      const at = this.loc(walker.repeatLeftOut);
      facts.problems.push({ rule: 'parse-limit', message: loopBudgetMessage(this.file, at.range.start.line), location: at });
    }
    facts.skeletonTypes = [...this.skeletonTypes];
    const leftOut = leftOutOpens(root, this.decisionAt, (n) => this.loc(n));
    if (leftOut.length) facts.leftOutOpens = leftOut;
    return facts;
  }

  /** The host build's values of the file's conditionals, by directive (set when reading starts). */
  private decisionAt: (n: Node) => Decision | undefined = () => undefined;

  branchDecision(n: Node): Decision | undefined {
    return this.decisionAt(n);
  }

  /** Functions that make loader calls, directly or through other functions of the file. */
  private findRelevant(): void {
    const direct = (fn: Node) =>
      this.steps(fn).some((n) => {
        if (stepType(n) === 'assignment_expression') return !!/\bstruct_ops\s*\.\s*\w+\s*->/.test(n.childForFieldName('left')?.text ?? '');
        return stepType(n) === 'call_expression' && this.isLoaderCall(stepCallee(n));
      });
    for (const [name, fn] of this.functions) if (direct(fn)) this.relevant.set(name, fn);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, fn] of this.functions) {
        if (this.relevant.has(name)) continue;
        if (this.localCalls(fn).some((c) => this.relevant.has(c))) {
          this.relevant.set(name, fn);
          changed = true;
        }
      }
    }
  }

  private readonly callCache = new Map<number, string[]>();

  private localCalls(fn: Node): string[] {
    let out = this.callCache.get(fn.id);
    if (!out) {
      out = this.steps(fn)
        .map(stepCallee)
        .filter((n) => this.functions.has(n));
      this.callCache.set(fn.id, out);
    }
    return out;
  }

  isLoaderCall(name: string): boolean {
    return isLoaderCallName(name);
  }

  relevantFunction(name: string): Node | null {
    return this.relevant.get(name) ?? null;
  }

  /**
   * Functions and globals, inside `#if`/`#ifdef` blocks too (a loader's libbpf code often sits
   * under a build option, systemd's `#if BPF_FRAMEWORK`): branches the host build does not compile
   * are left out (buildConditions.ts); a branch whose condition nothing in the workspace decides is
   * read, and its functions keep that condition. A name defined in several branches read (a stub in
   * `#else`) keeps the definition compiled for certain, else the one that calls the most libbpf or
   * skeleton functions, the first of equals.
   */
  private readTopLevel(parent: Node | Node[], depth: number, condition: BuildCondition | null, decisionAt: (n: Node) => Decision | undefined): void {
    if (depth > 64) return;
    for (const top of Array.isArray(parent) ? parent : parent.namedChildren) {
      if (top?.type === 'function_definition') {
        const name = declaredName(top.childForFieldName('declarator'))?.text;
        if (!name) continue;
        const before = this.functions.get(name);
        const beforeCertain = !!before && !this.buildConditions.has(name);
        const better = !before || (!condition && !beforeCertain) || (!!condition === !beforeCertain && libbpfCalls(top) > libbpfCalls(before));
        if (better) {
          this.functions.set(name, top);
          if (condition) this.buildConditions.set(name, condition);
          else this.buildConditions.delete(name);
        }
      } else if (top?.type === 'declaration') this.bindings.declare(top, this.globals);
      else if (top && isConditionalGroup(top) && top.type !== 'preproc_else' && !top.type.startsWith('preproc_elif')) {
        for (const b of groupBranches(top, decisionAt)) if (b.compiled !== 'no') this.readTopLevel(b.items, depth + 1, within(condition, b.compiled), decisionAt);
      }
    }
  }

  /**
   * A lifecycle whose calls are made in functions compiled only under an undecided build condition
   * holds only there: the condition leads each of its paths (a path literal marked `build`).
   */
  private underBuildConditions(c: LoaderLifecycle): LoaderLifecycle {
    if (!this.buildConditions.size) return c;
    const fns = new Set([c.inFunction, ...c.paths.flatMap((p) => p.actions.map((a) => a.inFunction))]);
    const found: BuildCondition[] = [];
    for (const fn of fns) {
      const b = this.buildConditions.get(fn);
      if (b && !found.some((x) => x.text === b.text)) found.push(b);
    }
    if (!found.length) return c;
    const fn = this.functions.get(c.inFunction);
    const location = c.open ?? (fn ? this.loc(fn) : { file: this.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    const literals = found.map((b) => pathLiteral(b.text, false, location, b.reason));
    return { ...c, paths: c.paths.map((p) => ({ ...p, when: p.when.length ? p.when.map((w) => [...literals, ...w]) : [literals] })) };
  }

  bindParameters(fn: Node, args: Node[], caller: PathState, callee: Scope): void {
    this.bindings.bindParameters(fn, args, caller, callee);
  }

  closeSegment(st: PathState, skeleton: string): void {
    this.records.close(st, skeleton);
  }

  truncate(st: PathState): void {
    this.records.truncate(st);
  }

  private emit(st: PathState, a: LoaderAction, node: Node): void {
    this.records.emit(st, a, node, this.root);
  }

  private readonly lastCall = new Map<number, number>();

  callsAfter(n: Node): boolean {
    const top = this.index.top(n);
    let last = this.lastCall.get(top.id);
    if (last === undefined) {
      last = -1;
      for (const s of this.steps(top)) {
        const fn = stepCallee(s);
        if ((fn && !DESTROY_CALL.test(fn) && (this.isLoaderCall(fn) || this.relevant.has(fn))) || (stepType(s) === 'assignment_expression' && /\bstruct_ops\s*\.\s*\w+\s*->/.test(s.childForFieldName('left')?.text ?? ''))) last = Math.max(last, s.startIndex);
      }
      this.lastCall.set(top.id, last);
    }
    return last >= n.endIndex;
  }

  /** Steps under a node: a slice of its top-level function's steps (one query per function). */
  steps(n: Node): Node[] {
    return this.index.steps(n);
  }

  private index = new StepIndex(null, null);

  /** One context for every call step, pointed at the step's path and node (no closures per step). */
  private readonly call = new StepContext(this);

  step(n: Node, st: PathState): void {
    const type = stepType(n);
    if (type === 'declaration') return this.bindings.declare(n, st.scope);
    // Most calls on a path are not the loader's (fprintf, a helper's own work): nothing to read.
    if (type === 'call_expression' && !readsCall(stepCallee(n))) return;
    const ctx = this.call.at(n, st);
    if (type === 'assignment_expression') this.bindings.assignment(n, st.scope, ctx.base, ctx.emit);
    else readLoaderCall(n, ctx);
  }

  /** Records an action a step made on a path. */
  emitAt(st: PathState, a: LoaderAction, node: Node): void {
    this.emit(st, a, node);
  }


}

/** `decisions`: the values of the file's conditionals in its host build (the file read alone when not given). */
export function readLoader(parsed: ParsedC, file: string, decisions?: Decisions): LoaderFacts {
  return new LoaderReader(parsed, file, decisions).read();
}
