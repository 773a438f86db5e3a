// The workspace model: one picture of every BPF object, its programs and struct_ops maps, how
// each program is associated and what libbpf and the kernel will do. The CLI prints it as JSON
// (docs/model.md), the language server turns it into diagnostics, hovers and the tree view.
import type { FactOrigin, KfuncCall, Location, ProgramKind } from './facts';
import type { RuleId, Severity } from './rules';

export type Errno = 'EINVAL' | 'EBUSY' | 'EBADF' | 'EOPNOTSUPP';

/** A slot (map member) that holds a program, and where that is written. */
export interface SlotRef {
  map: string;
  member: string;
  location: Location;
}

export type AssociationState =
  | { state: 'none'; reason: string }
  | { state: 'auto'; map: string; slots: SlotRef[] }
  | { state: 'explicit'; map: string; calls: Location[] }
  | { state: 'poisoned'; maps: string[]; slots: SlotRef[] }
  | { state: 'rejected'; reason: string; errno: Errno; calls: Location[] }
  | { state: 'not-loaded'; reason: string };

export type AssociationStateName = AssociationState['state'];

/** What a loader run does with an object; `assumed` when no loader for it is in the workspace. */
export interface Scenario {
  /** The user-space file whose calls drive this run, or null for the assumed default lifecycle. */
  loader: string | null;
  /** Which lifecycle of the loader (0-based), when it opens the skeleton more than once. */
  lifecycle?: number;
  description: string;
  /** When the loader's paths attach different maps: the one path a replay (a VM run) follows, and the maps it attaches. */
  replays?: { when: string; attaches: string[]; notLoaded: string[]; notCreated: string[] };
}

/**
 * The loader that decided a program's state. `loader` is null when no loader of any kind is in the
 * workspace: the state then says what attaching every map would do, and nothing claims it happens.
 */
export interface DecidedBy {
  loader: string | null;
  /** The kind of loader: a libbpf C skeleton loader or a libbpf-rs (Rust) one; null with no loader. */
  kind: 'c' | 'rust' | null;
  /** Where the lifecycle is: `in test_hotplug()`. */
  lifecycle?: string;
  /** The loader's condition for this state when its paths disagree: `` `cbs_defined` ``. */
  when?: string;
  /** Distinct paths of the lifecycle replayed. */
  paths: number;
  /** The loader call that decided it on the shown path (the attach, the association call, the autoload change or slot write). */
  at?: Location;
  /** More paths than the reader keeps: some branches were read in sequence. */
  truncated?: boolean;
  /** With several scenarios (loaders, lifecycles): the index in the object's `scenarios` of the one that decided it. */
  scenario?: number;
}

export interface ModelKfuncCall extends KfuncCall {
  /** Why the kfunc reads the association (declaration, built-in list, setting). */
  dependsOnAssociation: string;
}

export interface ModelProgram {
  /** `OBJECT/NAME`: programs of different objects are different programs. */
  id: string;
  object: string;
  name: string;
  section: string;
  kind: ProgramKind;
  sleepable: boolean;
  /** Effective autoload after '?' prefixes, loader calls and libbpf's struct_ops adjustment. */
  autoload: boolean;
  location: Location;
  association: AssociationState;
  /** The association under every scenario, when there is more than one loader. */
  byScenario: { scenario: Scenario; association: AssociationState }[];
  /** What decided `association` (the first scenario's loader, lifecycle and path condition). */
  decidedBy?: DecidedBy;
  /** The association on each of the first scenario's paths, when they disagree. */
  byPath?: { when: string; association: AssociationState }[];
  /** Calls to association-dependent kfuncs reached from this program. */
  kfuncCalls: ModelKfuncCall[];
  callbacks: string[];
}

export interface ModelSlot {
  member: string;
  /** Program name in the same object, or null when the loader sets the slot to NULL. */
  program: string | null;
  location: Location;
  /** Where the slot's value comes from: the source, a compiled object, or a loader's re-pointing. */
  origin: FactOrigin | 'loader';
}

export interface ModelMap {
  /** `OBJECT/NAME`. */
  id: string;
  object: string;
  name: string;
  structType: string;
  kernelType: string;
  section: string;
  link: boolean;
  /** Effective autocreate after '?' prefixes and loader calls. */
  autocreate: boolean;
  /** Whether some loader run updates (attaches) the map, which associates its programs. */
  attached: boolean;
  location: Location;
  slots: ModelSlot[];
}

export interface ModelAssociationCall {
  object: string;
  loader: string;
  /** The loader's lifecycle the call is in, when it opens the skeleton more than once. */
  lifecycle?: number;
  api: string;
  /** Program name, null when the code does not say which program. */
  program: string | null;
  map: string | null;
  flags: number | 'unknown';
  location: Location;
  phase: string;
  /** What libbpf and a kernel with BPF_PROG_ASSOC_STRUCT_OPS (Linux 7.0+) answer. */
  predicted: { result: 0 | Errno | 'unknown'; reason: string };
}

export interface ModelObject {
  /** The object's name (bpftool's skeleton name); unique in the workspace. */
  id: string;
  sources: string[];
  objectFiles: string[];
  skeletons: string[];
  loaders: string[];
  /** Where slots and programs were taken from: the skeleton's embedded object is what libbpf loads. */
  truth: FactOrigin;
  scenarios: Scenario[];
  /** Set when libbpf will refuse to load the object (the findings say why). */
  loadFails: boolean;
  /** Where its build (.bpf.o, skeleton) stands against the sources, when it has one. */
  build?: ModelBuild;
}

/**
 * An object's last build against its sources: `behind` (an output is older than the saved
 * sources), `editing` (sources have unsaved edits), `disagrees` (built after the sources were
 * saved, and still differs), `current`.
 */
export interface ModelBuild {
  state: 'current' | 'behind' | 'editing' | 'disagrees';
  outputs: string[];
  /** Outputs older than the saved sources. */
  behind: string[];
  /** Files of the source with unsaved edits. */
  unsaved?: string[];
  /** What the last build says where it differs from the sources, at the place in the sources. */
  differences: RelatedInfo[];
}

export interface RelatedInfo {
  location: Location;
  message: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  message: string;
  location: Location;
  related: RelatedInfo[];
  object?: string;
  program?: string;
}

export interface WorkspaceModel {
  version: 1;
  objects: ModelObject[];
  programs: ModelProgram[];
  maps: ModelMap[];
  associationCalls: ModelAssociationCall[];
  findings: Finding[];
  /** Association-dependent kfuncs known to this analysis, and why. */
  kfuncs: { name: string; reason: string; location?: Location }[];
  stats: { files: number; sources: number; loaders: number; skeletons: number; objectFiles: number; headers: number };
}
