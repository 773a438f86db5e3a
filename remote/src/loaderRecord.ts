// What the user's loader really did, from the recorder's log (remote/loader/recorder.c) and the
// associations the agent read back at its checkpoints, turned into the report's usual fields
// (object, programs, maps, associations, attachments). Pure; never throws on odd lines.
import type { ObservedAssociationState, ReportAssociation, ReportAttachment, ReportMap, ReportProgram } from './report';

/** The agent's "loader" object when the loader ran (docs/vm-report.md). */
export interface ExecutedLoader {
  executed: true;
  file: string;
  /** The object of the run (the plan's), whose rows are derived. */
  object?: string;
  exitStatus: number | null;
  signal?: number;
  /** null: it exited by itself; "time-budget": it outlived its budget; "cancel": the run was cancelled. */
  stoppedBy: 'time-budget' | 'cancel' | null;
  budgetMs: number;
  runMs: number;
  record: string[];
  snapshots: LoaderSnapshot[];
  output: string;
  /** struct_ops maps the loader left registered, unregistered by the agent afterwards. */
  unregistered: number;
}

export interface LoaderSnapshot {
  /** Lines of the record before it. */
  afterLine: number;
  /** destroy:OBJECT (before its NAME__destroy()) | exit | time-budget */
  why: string;
  method: 'debugfs' | 'bpf-iter' | 'none';
  note?: string;
  programs: { id: number; state: ObservedAssociationState; mapId?: number }[];
}

export type RecordEvent =
  | { kind: 'libbpf'; version: string }
  | { kind: 'open' | 'load' | 'attached'; object: string; errno: number }
  | { kind: 'prog'; object: string; name: string; section: string; type: string; autoload: boolean; loaded: boolean; id: number }
  | { kind: 'map'; object: string; name: string; type: string; autocreate: boolean; id: number }
  | { kind: 'assoc'; api: 'libbpf' | 'syscall'; object: string; program: string; map: string; flags: number; phase: string; answeredBy: 'libbpf' | 'kernel'; errno: number }
  | { kind: 'attach'; object: string; map: string; errno: number }
  | { kind: 'checkpoint' | 'hold'; what: string }
  | { kind: 'destroy'; object: string };

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 7: 'E2BIG', 8: 'ENOEXEC', 9: 'EBADF', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT',
  16: 'EBUSY', 17: 'EEXIST', 22: 'EINVAL', 28: 'ENOSPC', 34: 'ERANGE', 38: 'ENOSYS', 40: 'ELOOP', 61: 'ENODATA', 71: 'EPROTO', 95: 'EOPNOTSUPP', 125: 'ECANCELED',
  524: 'ENOTSUPP',
};

/** A positive errno as the report names it ("EINVAL", "E<n>"), or null for 0. */
export function errnoName(n: number): string | null {
  return n === 0 ? null : (ERRNO_NAMES[Math.abs(n)] ?? `E${Math.abs(n)}`);
}

const int = (s: string | undefined): number => {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? n : -1;
};

/** One record line as an event, or null when it is not one (a truncated or unknown line). */
export function parseRecordLine(line: string): RecordEvent | null {
  const f = line.split('\t');
  const [kind] = f;
  const errnoAt = (i: number): number | null => {
    const n = int(f[i]);
    return n >= 0 ? n : null;
  };
  switch (kind) {
    case 'libbpf':
      return f.length === 2 ? { kind, version: f[1] ?? '' } : null;
    case 'open':
    case 'load':
    case 'attached': {
      const errno = errnoAt(2);
      return f.length === 3 && errno !== null ? { kind, object: f[1] ?? '', errno } : null;
    }
    case 'prog':
      return f.length === 8 ? { kind, object: f[1] ?? '', name: f[2] ?? '', section: f[3] ?? '', type: f[4] ?? '', autoload: f[5] === '1', loaded: f[6] === '1', id: Math.max(0, int(f[7])) } : null;
    case 'map':
      return f.length === 6 ? { kind, object: f[1] ?? '', name: f[2] ?? '', type: f[3] ?? '', autocreate: f[4] === '1', id: Math.max(0, int(f[5])) } : null;
    case 'assoc': {
      const errno = errnoAt(9);
      const api = f[1];
      if (f.length !== 10 || errno === null || (api !== 'libbpf' && api !== 'syscall')) return null;
      return { kind, api, object: f[2] ?? '', program: f[3] ?? '', map: f[4] ?? '', flags: Math.max(0, int(f[5])), phase: f[6] ?? '-', answeredBy: f[7] === 'libbpf' ? 'libbpf' : 'kernel', errno };
    }
    case 'attach': {
      const errno = errnoAt(3);
      return f.length === 4 && errno !== null ? { kind, object: f[1] ?? '', map: f[2] ?? '', errno } : null;
    }
    case 'checkpoint':
    case 'hold':
      return f.length === 2 ? { kind, what: f[1] ?? '' } : null;
    case 'destroy':
      return f.length === 2 ? { kind, object: f[1] ?? '' } : null;
    default:
      return null;
  }
}

export interface LoaderFacts {
  libbpf: string | null;
  object: {
    file: string;
    open: { ok: boolean; errno: string | null };
    load: { attempted: boolean; ok: boolean; errno: string | null };
    libbpfLog: string;
    /** The loader never opened this object's skeleton. */
    neverOpened: boolean;
  };
  programs: ReportProgram[];
  maps: ReportMap[];
  associations: (ReportAssociation & { lifecycle: number })[];
  attachments: ReportAttachment[];
  /** Which snapshot the programs' associations come from. */
  observedAt: string | null;
  /** NAME__attach() failed (the maps it did attach have their attachments). */
  attachError: string | null;
  lifecycles: number;
}

/**
 * The report's rows for `object` from what its loader did: its first lifecycle's programs and
 * maps (listed after its first load), every association call the loader made with a program of
 * it (or with fds the recorder could not name), its attachments, and each program's association
 * as read back at the first checkpoint after that load.
 */
export function factsFromRecord(loader: ExecutedLoader, object: string): LoaderFacts {
  const events = loader.record.map((line, i) => ({ line: i, e: parseRecordLine(line) }));
  const ofObject = (o: string): boolean => o === object || o === '-';
  const facts: LoaderFacts = {
    libbpf: null,
    object: { file: loader.file, open: { ok: false, errno: null }, load: { attempted: false, ok: false, errno: null }, libbpfLog: loader.output, neverOpened: true },
    programs: [],
    maps: [],
    associations: [],
    attachments: [],
    observedAt: null,
    attachError: null,
    lifecycles: 0,
  };
  let firstLoadLine = -1;
  // Every map the loader's objects created, by id: a program may be associated with a map of
  // another object (a sub-scheduler's program with its root's map).
  const anyMap = new Map<number, string>();
  for (const { line, e } of events) {
    if (!e) continue;
    if (e.kind === 'map' && e.id > 0 && !anyMap.has(e.id)) anyMap.set(e.id, e.name);
    if (e.kind === 'libbpf') facts.libbpf = e.version;
    else if (e.kind === 'open' && e.object === object) {
      facts.lifecycles++;
      if (facts.lifecycles === 1) {
        facts.object.neverOpened = false;
        facts.object.open = { ok: e.errno === 0, errno: errnoName(e.errno) };
      }
    } else if (e.kind === 'load' && e.object === object && firstLoadLine < 0) {
      firstLoadLine = line;
      facts.object.load = { attempted: true, ok: e.errno === 0, errno: errnoName(e.errno) };
    } else if (e.kind === 'prog' && e.object === object && facts.lifecycles === 1) {
      facts.programs.push({ name: e.name, section: e.section, type: e.type, autoload: e.autoload, loaded: e.loaded, ...(e.id ? { id: e.id } : {}) });
    } else if (e.kind === 'map' && e.object === object && facts.lifecycles === 1) {
      facts.maps.push({ name: e.name, type: e.type, autocreate: e.autocreate, created: e.id > 0, ...(e.id ? { id: e.id } : {}) });
    } else if (e.kind === 'assoc' && ofObject(e.object)) {
      const errno = errnoName(e.errno);
      facts.associations.push({
        index: facts.associations.length,
        phase: e.phase === '-' ? 'unknown' : e.phase,
        api: e.api,
        program: e.program,
        map: e.map,
        flags: e.flags,
        performed: true,
        via: `loader (libbpf ${facts.libbpf ?? '?'})`,
        answeredBy: e.answeredBy,
        result: e.errno ? -e.errno : 0,
        errno,
        lifecycle: Math.max(0, facts.lifecycles - 1),
      });
    } else if (e.kind === 'attached' && e.object === object && facts.lifecycles === 1 && e.errno) {
      facts.attachError = errnoName(e.errno);
    } else if (e.kind === 'attach' && e.object === object && facts.lifecycles === 1) {
      facts.attachments.push({ map: e.map, performed: true, ok: e.errno === 0, errno: errnoName(e.errno) });
    }
  }
  // The associations read when the loader destroyed this object (everything it did to it done,
  // nothing freed yet), else at the first checkpoint after its first load (another object's
  // destroy, the loader's exit, the end of its time budget).
  const after = firstLoadLine < 0 ? [] : loader.snapshots.filter((s) => s.afterLine > firstLoadLine);
  const snapshot = after.find((s) => s.why === `destroy:${object}`) ?? after[0];
  if (snapshot && snapshot.method !== 'none') {
    facts.observedAt = snapshot.why.replace(/:.*/, '');
    const maps = new Map([...anyMap, ...facts.maps.filter((m) => m.id).map((m) => [m.id, m.name] as [number, string])]);
    for (const p of facts.programs) {
      const seen = p.id ? snapshot.programs.find((x) => x.id === p.id) : undefined;
      if (seen) p.association = { state: seen.state, ...(seen.mapId ? { mapId: seen.mapId, map: maps.get(seen.mapId) ?? null } : {}) };
    }
  }
  return facts;
}
