// Facts: what one file says, before any cross-file reasoning.
// Plain data, produced by the per-file readers (BPF C, user-space C, skeletons, ELF objects)
// and consumed by the workspace model. Nothing here knows about LSP or VS Code.

/** Zero-based line and UTF-16 column, as LSP counts them. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A place in the workspace: an absolute file path and a range in it. */
export interface Location {
  file: string;
  range: Range;
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function fileStart(file: string): Location {
  return { file, range: ZERO_RANGE };
}

/** Where a fact about a BPF object came from. The embedded object of a skeleton is what libbpf loads. */
export type FactOrigin = 'source' | 'object' | 'skeleton';

export type ProgramKind = 'struct_ops' | 'other';

/** A call from BPF code to a kernel function (kfunc) or to a function we cannot see. */
export interface KfuncCall {
  name: string;
  location: Location;
  /** The subprogram or callback through which the program reaches the call, if not direct. */
  via?: string;
}

export interface ProgramFact {
  /** The C function name; libbpf's program name. */
  name: string;
  /** The section exactly as written, including a leading '?'. */
  section: string;
  kind: ProgramKind;
  sleepable: boolean;
  /** false when the section starts with '?'. */
  autoload: boolean;
  location: Location;
  /** The whole definition, from its `SEC(...)` to the closing brace (sources only). */
  extent?: Range;
  /**
   * Where the section is written: the `SEC("...")` itself, or the macro invocation that produced
   * it (sources only). `literal` is the range of the string literal when it is written out.
   */
  sectionSite?: { range: Range; literal?: Range };
  /** kfunc calls reached from this program: directly, through static subprograms, or through callbacks. */
  kfuncCalls: KfuncCall[];
  /** Callbacks (timer, workqueue, bpf_loop...) that run with this program's association. */
  callbacks: string[];
  /**
   * Read from an object's .BTF.ext line info: the source file (as the compiler recorded it,
   * usually absolute) and zero-based line of the program's first instruction.
   */
  sourceHint?: { file: string; line: number };
  /**
   * Sources only: a struct_ops program no slot read holds, named in code not read as a struct_ops
   * map (`.init_task = (void *)p` in a macro whose definition is not in the workspace): where.
   */
  namedUnread?: Location;
}

export interface SlotFact {
  /** Struct member (function pointer) name. */
  member: string;
  /** Program named by the initializer, or null for an explicit NULL. */
  program: string | null;
  location: Location;
}

export interface StructOpsMapFact {
  /** Variable name; libbpf's map name. */
  name: string;
  /** Struct type as written, e.g. `bpf_testmod_ops___v2`. */
  structType: string;
  /** The kernel type libbpf looks up: the flavour suffix (from `___`) removed. */
  kernelType: string;
  /** Section as written, e.g. `.struct_ops.link` or `?.struct_ops`. */
  section: string;
  /** `.struct_ops.link`: attached through a BPF link. */
  link: boolean;
  /** false when the section starts with '?'. */
  autocreate: boolean;
  location: Location;
  /** The whole definition, from its `SEC(...)` to the `;` (sources only). */
  extent?: Range;
  /** Function-pointer members initialised with a program (or NULL). */
  slots: SlotFact[];
}

/** A kfunc declaration that tells us the kfunc reads the caller's struct_ops association. */
export interface KfuncDeclFact {
  /** Name BPF code calls. */
  name: string;
  reason: string;
  location: Location;
}

/** Something a reader could not understand; becomes a finding with a clear message. */
export interface ReadProblem {
  rule: 'unreadable-file' | 'parse-limit' | 'malformed-object' | 'malformed-skeleton' | 'analysis-error';
  message: string;
  location: Location;
}

/** One BPF object as seen from one origin (its C source, its .bpf.o, or a skeleton's embedded copy). */
export interface BpfObjectFacts {
  origin: FactOrigin;
  /** The file these facts were read from. */
  file: string;
  /** Candidate object names (bpftool's skeleton name) this object may be known by. */
  objectNames: string[];
  programs: ProgramFact[];
  structOpsMaps: StructOpsMapFact[];
  /** Names of all other maps (`.maps`, `.bss`, ...), for `assoc-non-struct-ops-map`. */
  otherMaps: string[];
  kfuncDecls: KfuncDeclFact[];
  problems: ReadProblem[];
  /**
   * When the file was last saved (ms since the epoch, the caller's mtime), if known: decides
   * whether a build is behind. A source's is the newest of its translation unit's files.
   */
  modified?: number;
  /** Sources only: the unit's file saved last (its time is `modified`). */
  newest?: string;
  /** Sources only: files of the unit whose editor buffer differs from the saved file. */
  unsaved?: string[];
  /** Sources only: every function the file defines or declares (to resolve slots across files). */
  functions?: string[];
  /**
   * Sources only: slots set to an identifier that names no function of this file. A file that
   * `#include`s this one may define it (then it is a slot); otherwise it is data (a constant).
   */
  unresolvedSlots?: { map: string; member: string; value: string; location: Location }[];
  /** Sources only: files whose text this one `#include`s and that hold programs or maps. */
  fragments?: string[];
  /**
   * Sources only: an object linked from several sources (`bpftool gen object`, scx_cargo's
   * `compile_link_gen()`): the other sources in link order, the part objects the build compiles
   * first (intermediates libbpf never loads), and the rule or build-script call that links them.
   */
  linked?: { sources: string[]; partObjects: string[]; by: Location; outputNames: string[] };
  /**
   * Sources only: where what the source says depends on something the analysis cannot know (a
   * condition on a macro no file of the workspace defines, a clang version), with why. Programs,
   * maps and slots there were read as if both branches were compiled.
   */
  uncertain?: { reason: string; location: Location }[];
  /**
   * Sources only: functions without a section that call something, with their calls outside the
   * file and the functions of the file they call or pass as callbacks.
   */
  helpers?: Record<string, { calls: KfuncCall[]; callees: string[]; callbacks: string[] }>;
}

// ---------------------------------------------------------------------------------------------
// User space

/** How a loader refers to a program or a map of a skeleton. */
export interface SkeletonMemberRef {
  /** The skeleton type (`NAME` in `struct NAME *skel`), when known. */
  skeleton: string | null;
  name: string;
  location: Location;
  /**
   * A program or map the loader names only at run time: `every` one of the object's (the variable
   * of `bpf_object__for_each_map()`/`_program()`), or `some`, by a name computed when it runs
   * (`bpf_object__find_map_by_name(obj, names[i])`). `name` is then empty and `written` says how
   * the loader writes it.
   */
  atRunTime?: 'every' | 'some';
  written?: string;
}

/** Where a call sits relative to the skeleton's lifecycle, as far as the code shows. */
export type LoaderPhase = 'opened' | 'loaded' | 'attached' | 'unknown';

interface LoaderActionBase {
  location: Location;
  phase: LoaderPhase;
  /** Name of the enclosing C function. */
  inFunction: string;
}

export type LoaderAction =
  | (LoaderActionBase & {
      kind: 'open' | 'load' | 'open_and_load' | 'attach' | 'destroy';
      skeleton: string;
      /** An attach that attaches the programs only, no struct_ops map (libbpf-rs's `skel.attach()`: its skeleton has no map links). */
      programsOnly?: boolean;
    })
  | (LoaderActionBase & {
      kind: 'assoc';
      api: 'bpf_program__assoc_struct_ops' | 'bpf_prog_assoc_struct_ops' | 'SCX_OPS_LOAD';
      program: SkeletonMemberRef | null;
      /** For SCX_OPS_LOAD: every non-struct_ops program of the skeleton. */
      allNonStructOps?: boolean;
      map: SkeletonMemberRef | null;
      /** Flags as a number when constant, 'unknown' when not, 0 for NULL opts. */
      flags: number | 'unknown';
      text: string;
    })
  | (LoaderActionBase & { kind: 'set_autoload'; program: SkeletonMemberRef; value: boolean | null })
  | (LoaderActionBase & { kind: 'set_autocreate' | 'set_autoattach'; map: SkeletonMemberRef; value: boolean | null })
  | (LoaderActionBase & { kind: 'attach_struct_ops'; map: SkeletonMemberRef })
  | (LoaderActionBase & {
      kind: 'slot_assign';
      map: SkeletonMemberRef;
      member: string;
      program: SkeletonMemberRef | null;
    })
  /** `skel->struct_ops.M->member = value` with a value that is not a program or NULL: a data member (sched_ext's `sub_cgroup_id`). */
  | (LoaderActionBase & { kind: 'data_assign'; map: SkeletonMemberRef; member: string });

/** A call on the whole skeleton (open, load, open_and_load, attach, destroy), not on one of its programs or maps. */
export type LifecycleAction = Extract<LoaderAction, { kind: 'open' | 'load' | 'open_and_load' | 'attach' | 'destroy' }>;

const LIFECYCLE_KINDS: ReadonlySet<LoaderAction['kind']> = new Set<LifecycleAction['kind']>(['open', 'load', 'open_and_load', 'attach', 'destroy']);

/** The action is a lifecycle call: it names its skeleton, and no program or map. */
export function isLifecycle(a: LoaderAction): a is LifecycleAction {
  return LIFECYCLE_KINDS.has(a.kind);
}

export interface LoaderFacts {
  file: string;
  /** The loader's language: a libbpf C skeleton loader (the default) or a libbpf-rs one (analysis/rust/). */
  language?: 'c' | 'rust';
  /** `#include "NAME.skel.h"` lines. */
  includes: { path: string; location: Location }[];
  /** Skeleton types used (`struct NAME *`, `NAME__open()`). */
  skeletonTypes: string[];
  actions: LoaderAction[];
  problems: ReadProblem[];
  /** The same calls path by path, per lifecycle (loader/paths.ts); absent for loaders read without paths. */
  lifecycles?: import('./loader/paths').LoaderLifecycle[];
  /** Skeletons the loader opens only in code its build is known not to compile (loader/buildConditions.ts). */
  leftOutOpens?: { skeleton: string; directive: string; location: Location }[];
  /** The BPF source each skeleton object is built from, where the loader's build names it (a Rust crate's build.rs), by object name: of two objects of that name, the loader's is that source's. */
  objectSources?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Skeletons

export interface SkeletonFacts {
  file: string;
  /** bpftool's object name: `struct NAME`, `NAME__open()`. */
  objectName: string;
  location: Location;
  maps: string[];
  programs: string[];
  links: string[];
  /** struct_ops shadow types: map name -> function-pointer members. */
  structOpsShadows: { map: string; members: string[] }[];
  /** The embedded object read back, or a problem saying why it could not be. */
  embedded: BpfObjectFacts | null;
  problems: ReadProblem[];
  modified?: number;
}

// ---------------------------------------------------------------------------------------------
// One shape per fact: every reader makes its facts here, every field present (undefined when the
// origin does not say), in one order, so that the model build sees one object layout per kind.

/** A kfunc call; `via` the subprogram or callback it is reached through, if not direct. */
export function kfuncCall(name: string, location: Location, via?: string): KfuncCall {
  return { name, location, via };
}

export function programFact(p: ProgramFact): ProgramFact {
  return {
    name: p.name,
    section: p.section,
    kind: p.kind,
    sleepable: p.sleepable,
    autoload: p.autoload,
    location: p.location,
    extent: p.extent,
    sectionSite: p.sectionSite,
    kfuncCalls: p.kfuncCalls,
    callbacks: p.callbacks,
    sourceHint: p.sourceHint,
    namedUnread: p.namedUnread,
  };
}

export function structOpsMapFact(m: StructOpsMapFact): StructOpsMapFact {
  return {
    name: m.name,
    structType: m.structType,
    kernelType: m.kernelType,
    section: m.section,
    link: m.link,
    autocreate: m.autocreate,
    location: m.location,
    extent: m.extent,
    slots: m.slots,
  };
}

export function bpfObjectFacts(f: BpfObjectFacts): BpfObjectFacts {
  return {
    origin: f.origin,
    file: f.file,
    objectNames: f.objectNames,
    programs: f.programs,
    structOpsMaps: f.structOpsMaps,
    otherMaps: f.otherMaps,
    kfuncDecls: f.kfuncDecls,
    problems: f.problems,
    modified: f.modified,
    newest: f.newest,
    unsaved: f.unsaved,
    functions: f.functions,
    unresolvedSlots: f.unresolvedSlots,
    fragments: f.fragments,
    uncertain: f.uncertain,
    helpers: f.helpers,
  };
}

/** `facts` with some fields changed: a new object of the same shape (the original is shared, never changed). */
export function changedFacts(facts: BpfObjectFacts, changes: Partial<BpfObjectFacts>): BpfObjectFacts {
  return bpfObjectFacts({ ...facts, ...changes });
}
