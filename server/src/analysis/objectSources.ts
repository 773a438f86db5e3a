// The workspace's BPF objects as their sources give them: one per object source, each its own
// translation unit, with the programs and maps of the files it includes merged in (fragments.ts).
// What an object reads of each file (which reading, with which includer's macros) and its merged
// facts are kept per object while their inputs are the same objects as last time: after an edit,
// only the objects whose unit reaches the edited file are planned and merged again, and the others
// keep facts of the same identity (so the engine keeps their replays and model parts).
import type { MacroDef } from './c/macros';
import { decisionsKey, type Decisions, type UnitReading } from './c/preprocess';
import type { BpfObjectFacts } from './facts';
import { changedFacts } from './facts';
import { LICENSE } from './fileKinds';
import type { FileFacts } from './fileFacts';
import type { FileMacros } from './fileMacros';
import { mergeFragments } from './fragments';
import { includerDefines, includerKey } from './includers';
import { linkSources, ObjectLinks } from './linkedSources';
import { compiledLines } from './macroScopes';
import { sameData } from './rust/sameFacts';
import { withSavedState } from './savedState';
import type { TranslationUnits } from './units';
import { emptySource, type FileEntry, type Wanted } from './workspaceFile';

/** The per-file error boundary of the workspace (Workspace.guarded). */
export type Guard = <T>(path: string, read: () => T, fallback?: () => void) => T | undefined;

/** The parts of one object: each file it reads, with the reading asked of it. */
interface ObjectPlan {
  /** What the plan was made from, compared by identity: the unit, the macro scopes, the entries of the unit's files. */
  inputs: unknown[];
  parts: { path: string; key: string; wanted: Wanted }[];
}

/** An object's merged facts, and the readings and unit they were merged from. */
interface MergedObject {
  inputs: unknown[];
  merged: BpfObjectFacts;
  /** With the saved state and the uncertain includes: the facts handed to the engine. */
  stated?: BpfObjectFacts;
  final?: BpfObjectFacts;
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A file's own definitions that the unit may compile: a default under `#ifndef NAME` that the
 * includer's `#define NAME` skips is not one (xdp-tools' xdpfilt_prog.h names its program FUNCNAME,
 * `xdp_filt_unknown` unless each of its ten includers defined it first). Without its directives, all.
 */
function compiledDefines(f: FileEntry, decisions: Decisions | undefined): MacroDef[] {
  if (!f.directives || !decisions?.size) return f.defines;
  const compiled = compiledLines(f.directives, decisions);
  return f.defines.filter((d) => d.location === undefined || compiled.has(d.location.range.start.line));
}

/** Files read for programs, maps or the functions programs call. */
function isFragmentCandidate(f: FileEntry): boolean {
  return f.kind === 'bpf' || !!f.holdsPrograms || !!f.definesFunctions;
}

export class BpfObjectSources {
  private readonly plans = new Map<string, ObjectPlan>();
  private readonly merged = new Map<string, MergedObject>();
  private readonly links = new ObjectLinks();

  constructor(
    private readonly files: ReadonlyMap<string, FileEntry>,
    private readonly units: TranslationUnits,
    private readonly macros: FileMacros,
    private readonly facts: FileFacts,
    private readonly guarded: Guard,
  ) {}

  /**
   * One BPF object per object source, each its own translation unit: a BPF source no other source
   * includes, and one that others include but that carries its own license section (a whole object
   * by itself, as scx_p2dq's main.bpf.c that scx_chaos includes). A `.bpf.c` without one that
   * another source includes is a part of that object only (scx_flow's dispatch.bpf.c). Sources
   * the build links into one object (linkedSources.ts) are that object.
   */
  objects(): BpfObjectFacts[] {
    const units = new Map<string, UnitReading>();
    for (const [path, f] of this.files) if (f.kind === 'bpf') units.set(path, this.units.unit(path));
    const included = new Set<string>();
    for (const u of units.values()) for (const x of u.files) if (x !== u.root) included.add(x);
    const roots = [...units.keys()].filter((p) => !included.has(p) || LICENSE.test(this.files.get(p)?.text ?? ''));
    this.units.prune(new Set([...units.keys(), ...[...this.files].filter(([, f]) => f.kind === 'loader').map(([p]) => p)]));
    for (const r of this.plans.keys()) if (!units.has(r)) this.plans.delete(r);
    for (const r of this.merged.keys()) if (!units.has(r)) this.merged.delete(r);
    // Each file's readings needed, by the values of its conditionals in each unit.
    // (No decisions: the file read alone, as its own unit.)
    const wanted = new Map<string, Map<string, Wanted>>();
    const want = (path: string, key: string, w: Wanted): void => {
      let m = wanted.get(path);
      if (!m) wanted.set(path, (m = new Map()));
      if (!m.has(key)) m.set(key, w);
    };
    const plans = new Map(roots.map((root) => [root, this.planOf(units.get(root) as UnitReading)] as const));
    for (const plan of plans.values()) for (const p of plan.parts) want(p.path, p.key, p.wanted);
    // A header with programs nobody includes is still read (alone), for the editor's features.
    for (const [path, f] of this.files) if (f.holdsPrograms && !wanted.has(path)) want(path, 'alone', { decisions: undefined, includer: [] });
    for (const [path, keys] of wanted) {
      const f = this.files.get(path) as FileEntry;
      this.guarded(path, () => this.facts.readingsOf(path, f, keys), () => (f.readings = new Map([...keys.keys()].map((k) => [k, emptySource(path, f.modified)]))));
      const own = keys.keys().next().value as string;
      f.facts = f.readings?.get(plans.get(path)?.parts[0]?.key ?? own);
    }
    const out: BpfObjectFacts[] = [];
    for (const root of roots) {
      const facts = this.mergedOf(units.get(root) as UnitReading, (plans.get(root) as ObjectPlan).parts);
      if (facts) out.push(facts);
    }
    // Objects a Makefile or build script links from several sources: one object of them all.
    return linkSources(out, this.links.of(this.files, (p) => this.units.unaliased(p) ?? p));
  }

  /** What one object reads of each file: planned again only when its unit, the scopes or one of its files changed. */
  private planOf(u: UnitReading): ObjectPlan {
    const scopes = this.macros.scopes;
    const inputs: unknown[] = [u, scopes, ...u.files.map((p) => this.files.get(p))];
    const last = this.plans.get(u.root);
    if (last && sameInputs(last.inputs, inputs)) return last;
    const root = u.root;
    // The root's own #defines reach the code of the files it includes, and so do the definitions
    // its includes give names that headers define differently (the workspace's are everywhere already).
    const rootEntry = this.files.get(root) as FileEntry;
    const rootDefs = rootEntry.defines;
    const overrides = scopes.overrides(u, this.macros.scopeFiles);
    const contextOf = (p: string): MacroDef[] => {
      const f = this.files.get(p) as FileEntry;
      if (p === root || (!rootDefs.length && !overrides.length) || f.text === undefined) return [];
      const used = this.macros.identifiersOf(f);
      // The unit's definitions its code (or its own macros) reaches through the workspace's macros count too.
      const reached = overrides.length ? scopes.reachable(overrides, new Set([...used, ...f.defines.flatMap((d) => d.body.filter((t) => t.kind === 'id').map((t) => t.text))])) : [];
      return includerDefines([...rootDefs, ...reached], new Set([...used, ...reached.map((d) => d.name)]), compiledDefines(f, u.decisions.get(p)));
    };
    // A file is a part when it has programs or helpers, or uses a macro of the root that makes
    // programs (an X-macro list the root defines and the file lists: cgroup_getset_retval_hooks.h).
    const rootSec = rootEntry.defines.length ? this.macros.tableFor(root, rootEntry).projectMacros().filter((d) => d.location?.file === root).map((d) => d.name) : [];
    const parts = u.files.filter((p) => {
      const f = this.files.get(p);
      if (f === undefined) return false;
      if (isFragmentCandidate(f)) return true;
      return p !== root && rootSec.length > 0 && (f.kind === 'header' || f.kind === 'other') && rootSec.some((n) => this.macros.identifiersOf(f).has(n));
    });
    const plan: ObjectPlan = {
      inputs,
      parts: parts.map((p) => {
        const decisions: Decisions = u.decisions.get(p) ?? new Map();
        const includer = contextOf(p);
        return { path: p, key: decisionsKey(decisions) + (includer.length ? `|${includerKey(includer)}` : ''), wanted: { decisions, includer } };
      }),
    };
    this.plans.set(root, plan);
    return plan;
  }

  /** The object's facts: its source merged with its parts, with its saved state and uncertain includes; kept while its readings are the same. */
  private mergedOf(u: UnitReading, parts: ObjectPlan['parts']): BpfObjectFacts | undefined {
    const readings = parts.map((p) => this.files.get(p.path)?.readings?.get(p.key));
    const [main, ...rest] = readings;
    if (!main) return undefined;
    const inputs: unknown[] = [u, ...readings];
    let m = this.merged.get(u.root);
    if (!m || !sameInputs(m.inputs, inputs)) {
      const merged = this.guarded(u.root, () => mergeFragments(main, rest as BpfObjectFacts[]));
      if (!merged) return undefined;
      // Readings that say what the last ones said (an edit in a comment, or one that moved nothing
      // the facts place) keep the last facts object: the engine then keeps the object's replays and
      // its part of the model instead of making them again from equal facts.
      m = { inputs, merged: m && sameData(m.merged, merged) ? m.merged : merged };
      this.merged.set(u.root, m);
    }
    const entry = m;
    const stated = this.guarded(u.root, () => withSavedState(entry.merged, u.files.map((p) => [p, this.files.get(p)] as const)));
    if (!stated) return undefined;
    if (m.stated === stated && m.final) return m.final;
    const candidates = new Set(parts.map((p) => p.path));
    const uncertain: NonNullable<BpfObjectFacts['uncertain']> = u.uncertainIncludes
      .filter((i) => candidates.has(i.target))
      .map((i) => ({ reason: `${i.target.split('/').pop()} is included under a condition that cannot be known (${i.reason})`, location: { file: i.file, range: { start: { line: i.line, character: 0 }, end: { line: i.line, character: 0 } } } }));
    m.stated = stated;
    m.final = uncertain.length ? changedFacts(stated, { uncertain: [...(stated.uncertain ?? []), ...uncertain] }) : stated;
    return m.final;
  }
}
