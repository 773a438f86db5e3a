// The agent's JSON report (schema in docs/vm-report.md): parsed and validated into typed data,
// then compared with the plan's predictions. Pure. Version 2 adds "loader": when the user's loader
// ran, its record becomes the report's object, programs, maps, associations and attachments.
import type { Errno } from '../../server/src/analysis/model';
import { factsFromRecord, type ExecutedLoader } from './loaderRecord';

export const REPORT_SCHEMA = 'bpf-assoc-vm-report';
/** Versions this reader accepts: 1 (agents before the loader ran) and 2. */
export const REPORT_VERSIONS: readonly number[] = [1, 2];

export type AssocCommand = 'supported' | 'missing' | 'unknown';
export type AssocObservation = 'debugfs' | 'bpf-iter' | 'none';
export type ObservedAssociationState = 'none' | 'associated' | 'poisoned' | 'freed';
const OBSERVED_STATES: readonly string[] = ['none', 'associated', 'poisoned', 'freed'];

export interface KmsgCounts {
  available: boolean;
  errno?: string | null;
  errors?: number;
  oopses?: number;
  newLines?: string;
}

export interface ReportProgram {
  name: string;
  section: string;
  type: string;
  autoload: boolean;
  loaded: boolean;
  id?: number;
  /**
   * The association the kernel reports for the program, read back after the run (the bpf-assoc
   * test kernel's debugfs file); absent when the kernel has no way to tell. `freed`: it points at
   * a map being freed. `map` is null when the map is not one of the object's.
   */
  association?: { state: ObservedAssociationState; mapId?: number; map?: string | null };
}

export interface ReportMap {
  name: string;
  type: string;
  autocreate: boolean;
  created: boolean;
  id?: number;
}

export interface ReportAssociation {
  index: number;
  phase: string;
  api: string;
  program: string;
  map: string;
  flags: number;
  performed: boolean;
  via?: string | null;
  /** Who refused or accepted the call: libbpf's own checks, the kernel, or the agent (name not found). */
  answeredBy?: 'libbpf' | 'kernel' | 'agent';
  missing?: 'program' | 'map';
  /** 0 or -errno. */
  result?: number;
  errno?: string | null;
}

/** A slot the loader re-points before load, replayed through the skeleton's struct_ops shadow. */
export interface ReportSlot {
  map: string;
  member: string;
  /** null: the slot is cleared. */
  program: string | null;
  performed: boolean;
  ok?: boolean;
  errno?: string | null;
}

export interface ReportAttachment {
  map: string;
  performed: boolean;
  ok?: boolean;
  errno?: string | null;
}

/** The user's loader ran: what the agent reported, plus what its record says (loaderRecord.ts). */
export interface LoaderExecuted extends ExecutedLoader {
  /** libbpf the loader was linked with ("1.7.0"), from its record. */
  libbpf: string | null;
  /** The checkpoint the programs' associations were read at: destroy, exit, time-budget (null: none). */
  observedAt: string | null;
  /** How many times the loader opened the object's skeleton. */
  lifecycles: number;
  /** The loader never opened the object's skeleton. */
  neverOpened: boolean;
  /** NAME__attach() failed with this errno. */
  attachError: string | null;
}

/** The plan was replayed instead: no C loader, or it did not build (why, filled in by run.ts). */
export interface LoaderReplayed {
  executed: false;
  file?: string | null;
  why?: string;
}

export interface AgentReport {
  schema: typeof REPORT_SCHEMA;
  version: number;
  /**
   * libbpf: the libbpf that made the association calls (the loader's when it ran); ownLibbpf:
   * the agent's own, when different; assocApi "loader" when the loader made the calls.
   */
  agent: { version: string; libbpf: string; assocApi: string; ownLibbpf?: string };
  /** Absent in version 1 reports (the plan was replayed). */
  loader?: LoaderExecuted | LoaderReplayed;
  kernel: {
    release: string;
    version: string;
    machine: string;
    assocCommand: AssocCommand;
    assocProbeErrno: string | null;
    /**
     * How associations are read back: the test kernel's debugfs file, a bpf_prog iterator reading
     * prog->aux->st_ops_assoc (Linux 7.0), or not at all (absent in older agents).
     */
    assocObservation?: AssocObservation;
    assocObservationNote?: string;
    bpffs: boolean;
    euid: number;
  };
  object?: { file: string; open: { ok: boolean; errno: string | null }; load: { attempted: boolean; ok: boolean; errno: string | null }; libbpfLog: string };
  slots: ReportSlot[];
  programs: ReportProgram[];
  maps: ReportMap[];
  associations: ReportAssociation[];
  attachments: ReportAttachment[];
  cleanup?: { linksDestroyed: number; detachErrors: number; objectClosed: boolean };
  dmesg: { before: KmsgCounts; after: KmsgCounts };
  cancelled: boolean;
  signal?: number;
  durationMs: number;
}

export class ReportError extends Error {}

type Shape = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null';

function check(v: Record<string, unknown>, path: string, fields: Record<string, Shape>, optional: string[] = []): void {
  for (const [k, shape] of Object.entries(fields)) {
    const x = v[k];
    if (x === undefined && optional.includes(k)) continue;
    const ok =
      shape === 'array' ? Array.isArray(x)
      : shape === 'object' ? typeof x === 'object' && x !== null && !Array.isArray(x)
      : shape === 'string|null' ? x === null || typeof x === 'string'
      : typeof x === shape;
    if (!ok) throw new ReportError(`${path}.${k} should be ${shape === 'array' ? 'an array' : shape === 'object' ? 'an object' : `a ${shape}`}`);
  }
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ReportError(`${path} should be an object`);
  return v as Record<string, unknown>;
}

/**
 * Parses the agent's stdout: the whole text, or else its last line that starts with '{' (a
 * target's shell may print something first). Throws ReportError naming the first bad field.
 */
export function parseReport(text: string): AgentReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const line = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{')).pop();
    if (!line) throw new ReportError('the agent printed no JSON report');
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new ReportError(`the report is not valid JSON: ${(e as Error).message}`);
    }
  }
  const r = obj(raw, 'report');
  if (r.schema !== REPORT_SCHEMA) throw new ReportError(`report.schema should be "${REPORT_SCHEMA}"`);
  if (typeof r.version !== 'number' || !REPORT_VERSIONS.includes(r.version)) throw new ReportError(`report.version ${String(r.version)} is not supported (this bpf-assoc reads versions ${REPORT_VERSIONS.join(' and ')}; update the agent and the extension together)`);
  check(r, 'report', { agent: 'object', kernel: 'object', dmesg: 'object', cancelled: 'boolean', durationMs: 'number' });
  check(r, 'report', { slots: 'array', programs: 'array', maps: 'array', associations: 'array', attachments: 'array', object: 'object', cleanup: 'object' }, ['slots', 'programs', 'maps', 'associations', 'attachments', 'object', 'cleanup']);
  check(obj(r.agent, 'report.agent'), 'report.agent', { version: 'string', libbpf: 'string', assocApi: 'string' });
  const k = obj(r.kernel, 'report.kernel');
  check(k, 'report.kernel', { release: 'string', version: 'string', machine: 'string', assocCommand: 'string', assocProbeErrno: 'string|null', bpffs: 'boolean', euid: 'number' });
  if (!['supported', 'missing', 'unknown'].includes(k.assocCommand as string)) throw new ReportError('report.kernel.assocCommand should be supported, missing or unknown');
  if (k.assocObservation !== undefined && !['debugfs', 'bpf-iter', 'none'].includes(k.assocObservation as string)) throw new ReportError('report.kernel.assocObservation should be debugfs, bpf-iter or none');
  if (r.object !== undefined) {
    const o = obj(r.object, 'report.object');
    check(o, 'report.object', { file: 'string', open: 'object', load: 'object', libbpfLog: 'string' });
    check(obj(o.open, 'report.object.open'), 'report.object.open', { ok: 'boolean', errno: 'string|null' });
    check(obj(o.load, 'report.object.load'), 'report.object.load', { attempted: 'boolean', ok: 'boolean', errno: 'string|null' });
  }
  ((r.programs as unknown[]) ?? []).forEach((p, i) => {
    const x = obj(p, `report.programs[${i}]`);
    check(x, `report.programs[${i}]`, { name: 'string', section: 'string', type: 'string', autoload: 'boolean', loaded: 'boolean', id: 'number', association: 'object' }, ['id', 'association']);
    if (x.association !== undefined) {
      const a = obj(x.association, `report.programs[${i}].association`);
      if (!OBSERVED_STATES.includes(a.state as string)) throw new ReportError(`report.programs[${i}].association.state should be ${OBSERVED_STATES.join(', ')}`);
    }
  });
  ((r.slots as unknown[]) ?? []).forEach((x, i) =>
    check(obj(x, `report.slots[${i}]`), `report.slots[${i}]`, { map: 'string', member: 'string', program: 'string|null', performed: 'boolean', ok: 'boolean', errno: 'string|null' }, ['ok', 'errno']),
  );
  ((r.maps as unknown[]) ?? []).forEach((m, i) =>
    check(obj(m, `report.maps[${i}]`), `report.maps[${i}]`, { name: 'string', type: 'string', autocreate: 'boolean', created: 'boolean', id: 'number' }, ['id']),
  );
  ((r.associations as unknown[]) ?? []).forEach((a, i) =>
    check(obj(a, `report.associations[${i}]`), `report.associations[${i}]`, { index: 'number', phase: 'string', api: 'string', program: 'string', map: 'string', flags: 'number', performed: 'boolean', result: 'number', errno: 'string|null', via: 'string|null', answeredBy: 'string' }, ['result', 'errno', 'via', 'answeredBy']),
  );
  ((r.attachments as unknown[]) ?? []).forEach((a, i) =>
    check(obj(a, `report.attachments[${i}]`), `report.attachments[${i}]`, { map: 'string', performed: 'boolean', ok: 'boolean', errno: 'string|null' }, ['ok', 'errno']),
  );
  const d = obj(r.dmesg, 'report.dmesg');
  check(obj(d.before, 'report.dmesg.before'), 'report.dmesg.before', { available: 'boolean' });
  check(obj(d.after, 'report.dmesg.after'), 'report.dmesg.after', { available: 'boolean' });
  const parsed = { ...r, slots: r.slots ?? [], programs: r.programs ?? [], maps: r.maps ?? [], associations: r.associations ?? [], attachments: r.attachments ?? [] } as unknown as AgentReport;
  return r.loader === undefined ? parsed : withLoader(parsed, obj(r.loader, 'report.loader'));
}

/** A version 2 report's "loader": when it ran, its record replaces the plan's rows. */
function withLoader(report: AgentReport, l: Record<string, unknown>): AgentReport {
  check(l, 'report.loader', { executed: 'boolean' });
  if (l.executed !== true) return { ...report, loader: { executed: false, ...(typeof l.file === 'string' ? { file: l.file } : {}), ...(typeof l.why === 'string' ? { why: l.why } : {}) } };
  check(l, 'report.loader', { file: 'string', record: 'array', snapshots: 'array', output: 'string', stoppedBy: 'string|null', budgetMs: 'number', runMs: 'number', unregistered: 'number', object: 'string', libbpf: 'string|null' }, ['object', 'libbpf']);
  if (l.exitStatus !== null && typeof l.exitStatus !== 'number') throw new ReportError('report.loader.exitStatus should be a number or null');
  (l.record as unknown[]).forEach((x, i) => {
    if (typeof x !== 'string') throw new ReportError(`report.loader.record[${i}] should be a string`);
  });
  (l.snapshots as unknown[]).forEach((x, i) => {
    const s = obj(x, `report.loader.snapshots[${i}]`);
    check(s, `report.loader.snapshots[${i}]`, { afterLine: 'number', why: 'string', method: 'string', programs: 'array' });
    (s.programs as unknown[]).forEach((p, k) => {
      const x2 = obj(p, `report.loader.snapshots[${i}].programs[${k}]`);
      check(x2, `report.loader.snapshots[${i}].programs[${k}]`, { id: 'number', state: 'string' });
      if (!OBSERVED_STATES.includes(x2.state as string)) throw new ReportError(`report.loader.snapshots[${i}].programs[${k}].state should be ${OBSERVED_STATES.join(', ')}`);
    });
  });
  const loader = l as unknown as ExecutedLoader;
  const facts = factsFromRecord(loader, loader.object ?? '');
  const links = facts.attachments.filter((a) => a.ok).length;
  return {
    ...report,
    loader: { ...loader, libbpf: facts.libbpf, observedAt: facts.observedAt, lifecycles: facts.lifecycles, neverOpened: facts.object.neverOpened, attachError: facts.attachError },
    object: { file: facts.object.file, open: facts.object.open, load: facts.object.load, libbpfLog: facts.object.libbpfLog },
    programs: facts.programs,
    maps: facts.maps,
    associations: facts.associations,
    attachments: facts.attachments,
    // The loader's links and fds went with it; maps it left registered the agent unregistered.
    cleanup: { linksDestroyed: links, detachErrors: 0, objectClosed: true },
  };
}

/** What one call's observed answer means. */
export type CallVerdict = 'match' | 'mismatch' | 'kernel-lacks-command' | 'not-run' | 'unpredicted';

export function observedResult(a: ReportAssociation): 0 | string | null {
  if (!a.performed) return null;
  return a.result === 0 ? 0 : (a.errno ?? `E${-(a.result ?? 0)}`);
}

export function callVerdict(predicted: 0 | Errno | 'unknown', a: ReportAssociation | undefined, kernel: AgentReport['kernel']): CallVerdict {
  if (!a || !a.performed) return 'not-run';
  const observed = observedResult(a);
  // A kernel without command 38 answers EINVAL to every call that reaches it.
  if (kernel.assocCommand === 'missing' && a.answeredBy === 'kernel' && observed === 'EINVAL') return 'kernel-lacks-command';
  if (predicted === 'unknown') return 'unpredicted';
  return observed === predicted ? 'match' : 'mismatch';
}

/** New kernel errors and oopses during the run (null when the log could not be read). */
export function dmesgDelta(r: AgentReport): { errors: number; oopses: number; lines: string[] } | null {
  const { before, after } = r.dmesg;
  if (!before.available || !after.available) return null;
  return {
    errors: Math.max(0, (after.errors ?? 0) - (before.errors ?? 0)),
    oopses: Math.max(0, (after.oopses ?? 0) - (before.oopses ?? 0)),
    lines: (after.newLines ?? '').split('\n').filter((l) => l.trim()),
  };
}

/**
 * What libbpf's log says the kernel lacks when an object does not load: a struct_ops type or a
 * kfunc the object needs (null: it failed for another reason).
 */
export function kernelLacks(libbpfLog: string): string | null {
  const type = /struct_ops init_kern: struct (\S+) is not found in kernel BTF/.exec(libbpfLog);
  if (type) return `struct_ops type ${type[1]}`;
  const member = /struct_ops init_kern (\S+): Cannot find member (\S+) in kernel BTF/.exec(libbpfLog);
  if (member) return `member ${member[2]} of ${member[1]}'s struct_ops type`;
  const kfunc = /extern \(func ksym\) '([^']+)': not found in kernel or module BTFs/.exec(libbpfLog);
  if (kfunc) return `kfunc ${kfunc[1]}`;
  return null;
}
