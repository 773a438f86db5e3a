// A Rust (libbpf-rs) loader -> the same loader facts the C reader gives (loader/loader.ts): the
// skeleton lifecycles with their distinct paths, so the engine replays them without knowing Rust.
// Skeleton types (`BpfSkelBuilder`, `OpenBpfSkel`, `BpfSkel`) are resolved to BPF objects by the
// crate's build script (crates.ts); variables, struct fields and parameters of those types, and
// `skel.maps.M` / `skel.progs.P` (libbpf-rs 0.24+: fields; before: `maps_mut().M()`, `progs().P()`
// and the object's `map_mut("M")` / `prog("P")`), name what a call
// acts on. The reader is pure: text and the crate's skeletons in, facts out.
import type { Node, Tree } from '../c/parser';
import { LineIndex } from '../c/lineIndex';
import type { LoaderFacts, Location, SkeletonMemberRef } from '../facts';
import { actionKey, LifecycleRecords } from '../loader/lifecycleRecords';
import type { LoaderLifecycle } from '../loader/paths';
import { PathState } from '../loader/pathState';
import { Scope } from '../loader/refs';
import { LIBBPF_SYS_CALLS, LOADER_METHODS, LOADER_TEXT, readLibbpfSysCall, readMethodCall, readScxMacro, SCX_MACROS, type RustCallContext } from './calls';
import { RustWalker } from './walker';
import type { RustSteps } from './walkApi';
import { LoaderText } from './loaderText';
import { testedCall } from './results';
import { UnreadCalls } from './unreadCalls';
import { compatFork, type CompatContext } from './scxCompat';

/** The crate's skeletons, by type prefix (`Bpf` for `BpfSkel`): the BPF object each one is. */
export type CrateSkeletons = ReadonlyMap<string, { objectName: string; source: string }>;

const SKELETON_TYPE = /\b(?:Open)?([A-Z][A-Za-z0-9]*?)Skel(?:Builder)?\b/g;
const NULL_SLOT = /^(?:(?:std|core)::)?(?:ptr::)?null(?:_mut)?(?:::<[^>]*>)?\(\)$|^None$/;
const MEMBER = /\b(progs|maps)(?:_mut)?(?:\(\))?\s*\.\s*(\w+)(?:\(\))?/g;
/** Methods that act on one program or map of a skeleton. */
const MEMBER_METHODS = new Set(['attach_struct_ops', 'set_autoload', 'set_autocreate', 'set_autoattach']);
const BY_NAME = /\b(map|prog)(?:_mut)?\s*\(\s*"(\w+)"\s*\)/g;
const STRUCT_OPS = /\bstruct_ops(?:_mut\(\))?\s*\.\s*(\w+)_mut\s*\(\s*\)/;

/** `TcpCa` -> `tcp_ca`: the object name of a skeleton type nothing else names. */
function snake(prefix: string): string {
  return prefix.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export class RustLoaderReader implements RustSteps {
  private readonly lines: LineIndex;
  private readonly records = new LifecycleRecords();
  private readonly functions = new Map<string, Node>();
  private readonly relevant = new Map<string, Node>();
  /** Skeleton object names by type prefix used in the file. */
  private readonly prefixes = new Map<string, string>();
  /** Struct fields holding a skeleton (`skel: BpfSkel<'a>`). */
  private readonly fields = new Map<string, string>();
  private root = '';
  /** Loader calls on a program or map the reading cannot name (unreadCalls.ts). */
  private readonly unreadCalls = new UnreadCalls();

  constructor(
    private readonly tree: Tree,
    private readonly text: string,
    private readonly file: string,
    private readonly skeletons: CrateSkeletons,
    /** The crate's only BPF object, for a skeleton type nothing else names. */
    private readonly onlyObject: { objectName: string } | null = null,
  ) {
    this.lines = new LineIndex(text);
    this.texts = new LoaderText(tree, text, this.relevant);
  }

  private readonly places = new Map<number, Location>();

  location(n: Node): Location {
    let p = this.places.get(n.id);
    if (!p) {
      const shift = this.texts.shift(n);
      p = { file: this.file, range: this.lines.range(n.startIndex + shift, n.endIndex + shift) };
      this.places.set(n.id, p);
    }
    return p;
  }

  /** What the walk depends on besides the relevant functions' texts (the skeleton types named, the struct fields holding skeletons), and those functions with their places. */
  plan(): RustReadingPlan {
    if (!this.planned) {
      this.planned = true;
      for (const m of this.text.matchAll(SKELETON_TYPE)) {
        const prefix = m[1];
        if (!prefix || prefix === 'Open' || this.prefixes.has(prefix)) continue;
        const crate = this.skeletons.get(prefix);
        this.prefixes.set(prefix, crate?.objectName ?? this.onlyObject?.objectName ?? snake(prefix));
      }
      if (this.prefixes.size) {
        this.collect(this.tree.rootNode);
        for (const [name, fn] of this.functions) if (LOADER_TEXT.test(fn.text)) this.relevant.set(name, fn);
        for (let changed = true; changed; ) {
          changed = false;
          for (const [name, fn] of this.functions) {
            if (this.relevant.has(name)) continue;
            if ([...this.relevant.keys()].some((r) => this.calls(fn, r))) {
              this.relevant.set(name, fn);
              changed = true;
            }
          }
        }
      }
    }
    return {
      context: JSON.stringify([[...this.prefixes], [...this.fields]]),
      relevant: [...this.relevant].map(([name, fn]) => ({ name, start: fn.startIndex, end: fn.endIndex })),
    };
  }

  private planned = false;

  read(): LoaderFacts & { lifecycles: LoaderLifecycle[] } {
    this.plan();
    const facts = { file: this.file, language: 'rust' as const, includes: [], skeletonTypes: [...new Set(this.prefixes.values())], actions: [], problems: [], lifecycles: [] as LoaderLifecycle[], ...this.objectSources() };
    if (!this.prefixes.size) return facts;
    const walker = new RustWalker(this, actionKey);
    const called = new Set([...this.relevant.keys()].filter((n) => [...this.relevant].some(([m, fn]) => m !== n && this.calls(fn, n))));
    const walkRoot = (name: string, fn: Node) => {
      this.root = name;
      walker.visited.add(name);
      const start = new PathState([{ fn: name, scope: new Scope() }], new Map(), new Map(), new Map(), new Map(), new Set(), new Map());
      this.enter(fn, null, start, start.scope);
      for (const end of walker.walkFunction(fn, [start])) for (const skel of [...end.segments.keys()]) this.records.close(end, skel);
    };
    for (const [name, fn] of this.relevant) if (!called.has(name)) walkRoot(name, fn);
    for (const [name, fn] of this.relevant) if (!walker.visited.has(name)) walkRoot(name, fn);
    this.texts.dispose();
    return { ...facts, actions: this.records.actions(), problems: this.unreadCalls.problems(), lifecycles: this.records.lifecycles() };
  }

  /** The source each skeleton object of the file is built from, as the crate's build script names it (engine/link.ts takes that object among others of its name). */
  private objectSources(): { objectSources?: Record<string, string> } {
    const out: Record<string, string> = {};
    for (const prefix of this.prefixes.keys()) {
      const s = this.skeletons.get(prefix);
      if (!s) continue;
      out[s.objectName] = s.source;
    }
    return Object.keys(out).length ? { objectSources: out } : {};
  }

  /** Functions (free, in impls, in modules) and struct fields of skeleton types. */
  private collect(n: Node): void {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'function_item') {
        // Two functions of one name (`init` in two impls): the one that makes loader calls.
        const name = c.childForFieldName('name')?.text;
        if (name && (!this.functions.has(name) || (LOADER_TEXT.test(c.text) && !LOADER_TEXT.test(this.functions.get(name)?.text ?? '')))) this.functions.set(name, c);
      } else if (c.type === 'field_declaration') {
        const name = c.childForFieldName('name')?.text;
        const skel = this.skeletonOfType(c.childForFieldName('type'));
        if (name && skel) this.fields.set(name, skel);
      } else if (c.type !== 'block' && c.type !== 'line_comment' && c.type !== 'block_comment') this.collect(c);
    }
  }

  private readonly bodies = new Map<number, string>();

  /** The function's body calls `name(..)` (`name(`, `Self::name(`, `self.name(`). */
  private calls(fn: Node, name: string): boolean {
    let body = this.bodies.get(fn.id);
    if (body === undefined) this.bodies.set(fn.id, (body = fn.childForFieldName('body')?.text ?? ''));
    return body.includes(name) && new RegExp(`(?:\\.|::|[^\\w.])${name}\\s*\\(`).test(body);
  }

  /** `OpenBpfSkel<'a>`, `&mut BpfSkel` -> the object of `Bpf`. */
  private skeletonOfType(type: Node | null): string | null {
    if (!type) return null;
    for (const m of type.text.matchAll(SKELETON_TYPE)) {
      const obj = m[1] ? this.prefixes.get(m[1]) : undefined;
      if (obj) return obj;
    }
    return null;
  }

  private only(): string | null {
    const objects = new Set(this.prefixes.values());
    return objects.size === 1 ? ([...objects][0] as string) : null;
  }

  /**
   * The skeleton a receiver text names: `skel`, `self.skel`, `&mut open_skel`, `XSkelBuilder::..`;
   * else (`strict` off) the file's only one.
   */
  skeletonByName(text: string, st: PathState, strict = false): string | null {
    const t = text.replace(/^&\s*(?:mut\s+)?/, '').trim();
    const self = /^self\s*\.\s*(\w+)/.exec(t);
    if (self?.[1]) return this.fields.get(self[1]) ?? (strict ? null : this.only());
    const id = /^(\w+)/.exec(t)?.[1];
    const bound = id ? st.scope.get(id)?.skeletonType : undefined;
    if (bound) return bound;
    const built = /^(?:\w+::)*(?:Open)?([A-Z]\w*?)Skel(?:Builder)?\s*::/.exec(t)?.[1];
    if (built && this.prefixes.has(built)) return this.prefixes.get(built) ?? null;
    return strict ? null : this.only();
  }

  /** The skeleton a receiver names itself (`File::open()` and `flag.load(..)` are not skeleton calls). */
  private skeletonOf(n: Node | null, st: PathState): string | null {
    return n ? this.skeletonByName(n.text, st, true) : null;
  }

  private member(n: Node | null, kind: 'progs' | 'maps', st: PathState): SkeletonMemberRef | null {
    if (!n) return null;
    const text = n.text;
    const id = /^\s*&?\s*(?:mut\s+)?(\w+)\s*$/.exec(text)?.[1];
    const bound = id ? st.scope.get(id)?.member : undefined;
    if (bound) return bound.kind === kind ? bound.ref : null;
    let found: RegExpExecArray | null = null;
    for (const m of text.matchAll(MEMBER)) if (m[1] === kind) found = m;
    // Before libbpf-rs 0.24: the skeleton's object looked up by name, `skel.obj.map_mut("M")`, `obj.prog("P")`.
    for (const m of text.matchAll(BY_NAME)) if ((m[1] === 'map') === (kind === 'maps') && (!found || (m.index ?? 0) > (found.index ?? 0))) found = m;
    if (!found?.[2] || found[2].endsWith('_data')) return null;
    const skeleton = this.skeletonByName(text.slice(0, found.index), st);
    return { skeleton, name: found[2], location: this.location(n) };
  }

  private context(st: PathState, call: Node): RustCallContext {
    return {
      st,
      emit: (a) => this.records.emit(st, a, call, this.root),
      loc: (x) => this.location(x),
      skeletonOf: (x, s) => this.skeletonOf(x, s),
      member: (x, k, s) => this.member(x, k, s),
    };
  }

  /** Lists of programs bound in a function (`let ftraces = vec![("sym", &skel.progs.P), ..]`), by function and name. */
  private readonly lists = new Map<string, string>();
  private readonly compat: CompatContext = {
    skeletonByName: (t, st) => this.skeletonByName(t, st),
    boundList: (name, st) => this.lists.get(`${st.fn}\n${name}`),
    location: (n) => this.location(n),
  };

  /** scx_utils' compat::cond_*_enable(): a fork on whether the kernel has what they hook; the true side turns the programs on (scxCompat.ts). */
  fork(n: Node, st: PathState): { text: string; take: (s: PathState) => void } | null {
    if (n.type !== 'call_expression') return null;
    const f = compatFork(n, st, this.compat);
    if (!f) return null;
    const take = (s: PathState): void => {
      const emit = this.context(s, n).emit;
      for (const program of f.programs) {
        const phase = program.skeleton ? (s.phases.get(program.skeleton) ?? 'unknown') : 'unknown';
        emit({ kind: 'set_autoload', location: this.location(n), phase, inFunction: s.fn, program, value: true }, n);
      }
    };
    return { text: f.text, take };
  }

  step(n: Node, st: PathState): Node | null {
    if (n.type === 'assignment_expression' || n.type === 'compound_assignment_expr') {
      this.assignment(n, st);
      return null;
    }
    if (n.type === 'macro_invocation') {
      const name = n.childForFieldName('macro')?.text.replace(/^.*::/, '') ?? '';
      if (SCX_MACROS.has(name)) readScxMacro(n, name, this.context(st, n), (v, s) => this.skeletonByName(v, s));
      return null;
    }
    const fn = n.childForFieldName('function');
    const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'line_comment' && a.type !== 'block_comment');
    if (fn?.type === 'field_expression') {
      const method = fn.childForFieldName('field')?.text ?? '';
      const receiver = fn.childForFieldName('value');
      if (LOADER_METHODS.has(method) && readMethodCall(n, method, receiver, args, this.context(st, n))) return null;
      if (MEMBER_METHODS.has(method)) this.unreadCalls.add(this.location(n), `${receiver?.text.replace(/\s+/g, '') ?? ''}.${method}()`, method === 'set_autoload' ? 'program' : 'map');
      return this.helper(method, receiver);
    }
    const name = fn?.text.replace(/^.*::/, '') ?? '';
    if (LIBBPF_SYS_CALLS.has(name)) {
      if (!readLibbpfSysCall(n, name, args, this.context(st, n))) this.unreadCalls.add(this.location(n), `${name}()`, name.startsWith('bpf_map') ? 'map' : 'program');
      return null;
    }
    return this.helper(name, null);
  }

  /** A helper of this file to follow: `f(..)`, `Self::f(..)`, `Type::f(..)`, `self.f(..)`. */
  private helper(name: string, receiver: Node | null): Node | null {
    if (receiver && receiver.text !== 'self' && !/^[A-Z]/.test(receiver.text)) return null;
    return this.relevant.get(name) ?? null;
  }

  /** `skel.struct_ops.ops_mut().slot = ...`, or through `let ops = skel.struct_ops.ops_mut();`. */
  private assignment(n: Node, st: PathState): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (left?.type === 'identifier' && n.type === 'assignment_expression') {
      this.bindValue(left.text, right, st);
      return;
    }
    if (left?.type !== 'field_expression') return;
    const member = left.childForFieldName('field')?.text;
    const holder = left.childForFieldName('value');
    if (!member || !holder) return;
    const direct = STRUCT_OPS.exec(holder.text);
    const mapName = direct?.[1] ?? (holder.type === 'identifier' ? st.scope.get(`#struct_ops:${holder.text}`)?.member?.ref.name : undefined);
    if (!mapName) return;
    const skeleton = direct ? this.skeletonByName(holder.text, st) : (st.scope.get(`#struct_ops:${holder.text}`)?.member?.ref.skeleton ?? null);
    const map = { skeleton, name: mapName, location: this.location(holder) };
    const phase = skeleton ? (st.phases.get(skeleton) ?? 'unknown') : 'unknown';
    const at = { location: this.location(n), phase, inFunction: st.fn };
    const emit = this.context(st, n).emit;
    const value = (right?.text ?? '').replace(/\s+/g, '');
    const program = n.type === 'assignment_expression' ? this.member(right, 'progs', st) : null;
    if (n.type === 'assignment_expression' && (program || NULL_SLOT.test(value))) emit({ kind: 'slot_assign', ...at, map, member, program }, n);
    else emit({ kind: 'data_assign', ...at, map, member }, n);
  }

  /** `let NAME = VALUE` (and `NAME = VALUE`): a skeleton, a program or map, or a struct_ops shadow. */
  bind(n: Node, st: PathState): void {
    const pattern = n.childForFieldName('pattern');
    const name = pattern?.type === 'identifier' ? pattern.text : pattern?.type === 'mut_pattern' ? pattern.namedChildren[0]?.text : undefined;
    if (!name) return;
    const typed = this.skeletonOfType(n.childForFieldName('type'));
    if (typed) return st.scope.set(name, { skeletonType: typed });
    this.bindValue(name, n.childForFieldName('value'), st);
  }

  private bindValue(name: string, value: Node | null, st: PathState): void {
    st.decided.forEach((_, k) => {
      if (new RegExp(`\\b${name}\\b`).test(k)) st.decided.delete(k);
    });
    if (!value) return;
    // `let r = skel.maps.M.attach_struct_ops();`: `r` holds the call's result, for a later `match r` or `r.is_err()`.
    const result = testedCall(value, st);
    if (result && !result.option) st.scope.set(name, { resultOf: result.node });
    const text = value.text;
    if (value.type === 'macro_invocation' && /\bprogs\b/.test(text)) this.lists.set(`${st.fn}\n${name}`, text);
    const ops = STRUCT_OPS.exec(text);
    if (ops?.[1] && /^\s*&?\s*(?:mut\s+)?[\w.]+\s*\.\s*struct_ops/.test(text)) {
      st.scope.set(`#struct_ops:${name}`, { member: { kind: 'maps', ref: { skeleton: this.skeletonByName(text, st), name: ops[1], location: this.location(value) }, fd: false } });
      return;
    }
    for (const kind of ['progs', 'maps'] as const) {
      if (!new RegExp(`^\\s*&?\\s*(?:mut\\s+)?[\\w.]+\\s*\\.\\s*${kind}\\b[\\w.()]*$`).test(text)) continue;
      const ref = this.member(value, kind, st);
      if (ref) return st.scope.set(name, { member: { kind, ref, fd: false } });
    }
    // `XSkelBuilder::default()`, `builder.open(..)?`, `open_skel.load()?`, `scx_ops_open!(..)?`, `other_skel`.
    const skel = /(?:SkelBuilder\s*::|\.\s*(?:open|open_opts|load)\s*\(|\bscx_ops_(?:open|load)!\s*\()/.test(text) || /^\s*&?\s*(?:mut\s+)?\w+\s*$/.test(text) ? this.valueSkeleton(value, st) : null;
    if (skel) st.scope.set(name, { skeletonType: skel });
  }

  private valueSkeleton(value: Node, st: PathState): string | null {
    const text = value.text;
    const builder = /(?:Open)?([A-Z]\w*?)SkelBuilder\s*::/.exec(text)?.[1];
    if (builder) return this.prefixes.get(builder) ?? null;
    const macro = /\bscx_ops_(?:open|load)!\s*\(\s*&?\s*(?:mut\s+)?(\w+)/.exec(text)?.[1];
    if (macro) return this.skeletonByName(macro, st);
    if (/^\s*&?\s*(?:mut\s+)?\w+\s*$/.test(text)) return st.scope.get(text.replace(/[&\s]|mut\s/g, ''))?.skeletonType ?? null;
    return this.skeletonByName(text, st);
  }

  enter(fn: Node, call: Node | null, caller: PathState, callee: Scope): void {
    const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => p?.type === 'parameter');
    const args = call ? (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && !/comment/.test(a.type)) : [];
    params.forEach((p, i) => {
      const name = p.childForFieldName('pattern')?.text.replace(/^mut\s+/, '');
      if (!name) return;
      const skel = this.skeletonOfType(p.childForFieldName('type')) ?? (args[i] ? caller.scope.get(args[i].text.replace(/^&\s*(?:mut\s+)?/, ''))?.skeletonType : undefined);
      if (skel) callee.set(name, { skeletonType: skel });
      const arg = args[i];
      const member = arg ? (this.member(arg, 'progs', caller) ?? this.member(arg, 'maps', caller)) : null;
      if (member && arg) callee.set(name, { member: { kind: /\bprogs\b/.test(arg.text) || caller.scope.get(arg.text)?.member?.kind === 'progs' ? 'progs' : 'maps', ref: member, fd: false } });
    });
  }

  private readonly texts: LoaderText;

  /** Frees what the reader parsed (a reader whose read() is not called). */
  dispose(): void {
    this.texts.dispose();
  }

  callsLoader(n: Node): boolean {
    return this.texts.callsLoader(n);
  }

  changesPath(n: Node): boolean {
    return this.texts.changesPath(n);
  }

  inert(n: Node): boolean {
    return this.texts.inert(n);
  }

  callsAfter(n: Node): boolean {
    return this.texts.callsAfter(n);
  }

  macroArguments(n: Node): Node | null {
    return this.texts.macroArguments(n);
  }

  retire(st: PathState): void {
    for (const skel of [...st.segments.keys()]) this.records.close(st, skel);
  }

  truncate(st: PathState): void {
    this.records.truncate(st);
  }
}

/** Reads a parsed Rust file as a libbpf-rs loader of the crate's skeletons. */
export function readRustLoader(tree: Tree, text: string, file: string, skeletons: CrateSkeletons, onlyObject: { objectName: string } | null = null): LoaderFacts {
  return new RustLoaderReader(tree, text, file, skeletons, onlyObject).read();
}

/**
 * What a reading of a file is made from besides its functions' texts: the skeleton types and
 * struct fields it names (`context`), and the functions the walk reads (loader calls, or calls of
 * such functions), in the order it takes them, with their places in the text.
 */
export interface RustReadingPlan {
  context: string;
  relevant: { name: string; start: number; end: number }[];
}

/**
 * A text's plan, made first (keptReading.ts compares the plans of two texts), then its reading if
 * asked for (made once, from the same plan); `dispose()` when it is not.
 */
export function plannedReading(tree: Tree, text: string, file: string, skeletons: CrateSkeletons, onlyObject: { objectName: string } | null = null): { plan: RustReadingPlan; read(): LoaderFacts; dispose(): void } {
  const reader = new RustLoaderReader(tree, text, file, skeletons, onlyObject);
  return { plan: reader.plan(), read: () => reader.read(), dispose: () => reader.dispose() };
}
