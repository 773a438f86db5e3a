// Replays every path of a loader's lifecycle and merges the outcomes: a program is poisoned when
// one path attaches two maps that hold it ("on the path where ..." when not every path does);
// paths that give up at an error check count only for what they share with the others.
import type { AssociationState, DecidedBy, Finding, ModelAssociationCall } from '../model';
import type { DependentKfunc } from '../kfuncs';
import type { LoaderAction } from '../facts';
import type { LoaderPath, PathLiteral } from '../loader/paths';
import { describeWays } from '../loader/whenText';
import { actionKey } from '../loader/lifecycleRecords';
import type { LinkedLoader } from './link';
import { pickedContext, poisonFindings, runScenario, type ObjectView, type ScenarioOutcome } from './scenario';
import { quote } from './findingText';
import { decidingCall } from './decidingCall';
import { replayedPath } from './replayedPath';

export interface ReplayOutcome extends ScenarioOutcome {
  decidedBy: Map<string, DecidedBy>;
  byPath: Map<string, { when: string; association: AssociationState }[]>;
}

interface Run {
  path: LoaderPath;
  out: ScenarioOutcome;
}

function stateKey(a: AssociationState | undefined): string {
  if (!a) return '';
  const maps = a.state === 'auto' || a.state === 'explicit' ? [a.map] : a.state === 'poisoned' ? a.maps : [];
  return `${a.state} ${maps.join(' ')}`;
}

/** The loader's condition for a set of paths, or null when their decisions do not tell them apart. */
function conditionOf(runs: Run[], loader: LinkedLoader): string | null {
  const parts: string[] = [];
  for (const r of runs) {
    const described = describeWays(r.path.when);
    if (!described.length) return null;
    for (const d of described) if (!parts.includes(d)) parts.push(d);
  }
  const shown = parts.slice(0, 3).join(' or ');
  const more = parts.length > 3 ? ` or ${parts.length - 3} more` : '';
  return `${shown}${more} (${loader.where ? `${loader.where} of ` : ''}${loader.facts.file.split('/').pop()})`;
}

/**
 * The build conditions (`#if HAVE_BPF_FRAMEWORK` that nothing in the workspace decides) every way
 * through every one of the runs takes: what they decide holds only when the build compiles that code.
 */
function buildConditionsOf(runs: Run[]): PathLiteral[] {
  const ways = runs.flatMap((r) => (r.path.when.length ? r.path.when : [[]]));
  // Each condition once, however many times the way meets it (the lifecycle's `#if` and its helper's).
  const first = (ways[0]?.filter((l) => l.build !== undefined) ?? []).filter((l, i, all) => all.findIndex((k) => k.text === l.text) === i);
  return first.filter((l) => ways.every((w) => w.some((x) => x.build !== undefined && x.text === l.text)));
}

/** `HAVE_BPF_FRAMEWORK` as a condition: the build's, not one of the loader's paths. */
function buildConditionText(literals: PathLiteral[], loader: LinkedLoader): string {
  const file = loader.facts.file.split('/').pop();
  return `${literals.map((l) => quote(l.text)).join(' and ')} (a build condition of ${file} that nothing in the workspace decides: ${literals[0]?.build ?? ''})`;
}

const NO_SLOTS: ReadonlySet<string> = new Set();

/** Everything of a call a scenario reads, as a string: two calls with the same key replay alike. */
function callKey(a: LoaderAction): string {
  const base = `${actionKey(a)}|${a.location.file}|${a.inFunction}`;
  switch (a.kind) {
    case 'assoc':
      return `${base}|${a.api}|${a.flags}|${a.allNonStructOps ? 1 : 0}|${a.program?.skeleton}|${a.map?.skeleton}|${a.text}`;
    case 'open':
    case 'load':
    case 'open_and_load':
    case 'attach':
    case 'destroy':
      return `${base}|${a.skeleton}|${a.programsOnly ? 1 : 0}`;
    case 'set_autoload':
      return `${base}|${a.program.skeleton}`;
    case 'slot_assign':
      return `${base}|${a.map.skeleton}|${a.member}|${a.program?.skeleton}`;
    case 'data_assign':
      return `${base}|${a.map.skeleton}|${a.member}`;
    default:
      return `${base}|${a.map.skeleton}`;
  }
}

/** A path's calls as one string: two paths with the same key replay alike. */
function callsKey(path: LoaderPath): string {
  return path.actions.map(callKey).join('\n');
}

/** False when the path assumes a checked association call succeeded (or failed) and every answer predicted for it says otherwise. */
function feasible(r: Run): boolean {
  for (const c of r.path.checked ?? []) {
    const at = c.action.location;
    const results = r.out.calls
      .filter((k) => k.location.file === at.file && k.location.range.start.line === at.range.start.line && k.location.range.start.character === at.range.start.character)
      .map((k) => k.predicted.result);
    if (!results.length || results.includes('unknown')) continue;
    if (c.succeeded ? results.every((x) => x !== 0) : results.every((x) => x === 0)) return false;
  }
  return true;
}

export function replayLoader(view: ObjectView, loader: LinkedLoader | null, kfuncs: Map<string, DependentKfunc>): ReplayOutcome {
  if (!loader) {
    const out = runScenario(view, null, kfuncs);
    const decided: DecidedBy = { loader: null, kind: null, paths: 1 };
    return { ...out, decidedBy: new Map([...out.programs.keys()].map((p) => [p, decided])), byPath: new Map() };
  }
  const paths = loader.paths.length ? loader.paths : [{ actions: loader.actions, when: [[]], givesUp: false }];
  // Paths that give up at an error check count only for what they share with the others: they
  // are replayed only when every path gives up.
  const kept = paths.filter((p) => !p.givesUp);
  // A scenario depends only on the calls a path makes (compared whole): paths that differ only in
  // how a checked call turned out (`if (err) fprintf(...)`, then on) make the same calls and share one run.
  // The calls are keyed only once a second path is replayed (most loaders replay one).
  const byCalls = new Map<string, ScenarioOutcome>();
  let firstRun: Run | null = null;
  const replay = (path: LoaderPath): Run => {
    if (!firstRun) return (firstRun = { path, out: runScenario(view, loader, kfuncs, path.actions) });
    if (!byCalls.size) byCalls.set(callsKey(firstRun.path), firstRun.out);
    const key = callsKey(path);
    let out = byCalls.get(key);
    if (!out) byCalls.set(key, (out = runScenario(view, loader, kfuncs, path.actions)));
    return { path, out };
  };
  // Paths that take the side of a checked association call its predicted answer rules out cannot
  // happen. When every kept path is such, the loader stops at an error check: the one that gets
  // furthest (the failure the analysis predicts; earlier checks are errors it does not predict).
  let use: Run[] = (kept.length ? kept : paths).map(replay);
  const possible = use.filter(feasible);
  if (possible.length) use = possible;
  else if (kept.length && kept.length < paths.length) {
    const fallback = paths.filter((p) => p.givesUp).map(replay).filter(feasible);
    const furthest = Math.max(0, ...fallback.map((r) => r.path.actions.length));
    if (fallback.length) use = fallback.filter((r) => r.path.actions.length === furthest);
  }
  const runs = paths;
  const first = (use[0] as Run).out;
  const base = { loader: loader.facts.file, kind: loader.facts.language ?? 'c', ...(loader.where ? { lifecycle: loader.where } : {}), paths: runs.length, ...(loader.truncated ? { truncated: true } : {}) };
  const decidedBy = new Map<string, DecidedBy>();
  const byPath = new Map<string, { when: string; association: AssociationState }[]>();
  const programs: ScenarioOutcome['programs'] = new Map();
  const poisonWhen = new Map<string, string | undefined>();
  const poisonBuild = new Set<string>();
  const everyBuild = buildConditionsOf(use);
  // The slots each program is written into (`map.member`), found once for all its programs when
  // one is not loaded (the only state whose deciding call they choose).
  let slotsOf: Map<string, Set<string>> | null = null;
  const homesOf = (name: string, a: AssociationState | undefined): ReadonlySet<string> => {
    if (a?.state !== 'not-loaded') return NO_SLOTS;
    if (!slotsOf) {
      slotsOf = new Map();
      for (const m of view.truth.structOpsMaps) {
        for (const x of m.slots) {
          if (!x.program) continue;
          let set = slotsOf.get(x.program);
          if (!set) slotsOf.set(x.program, (set = new Set()));
          set.add(`${m.name}.${x.member}`);
        }
      }
    }
    return slotsOf.get(name) ?? NO_SLOTS;
  };
  const alone = use.length === 1;
  for (const name of first.programs.keys()) {
    // One run (the common case): it is the headline and every path agrees.
    const poisoning = alone ? (first.programs.get(name)?.association.state === 'poisoned' ? use : []) : use.filter((r) => r.out.programs.get(name)?.association.state === 'poisoned');
    const headline = (poisoning[0] ?? use[0]) as Run;
    const headlineKey = alone ? '' : stateKey(headline.out.programs.get(name)?.association);
    const same = alone ? use : use.filter((r) => stateKey(r.out.programs.get(name)?.association) === headlineKey);
    const differ = same.length !== use.length;
    const when = differ ? (conditionOf(same, loader) ?? `some of its paths (${loader.facts.file.split('/').pop()})`) : everyBuild.length ? buildConditionText(everyBuild, loader) : undefined;
    programs.set(name, headline.out.programs.get(name) as { autoload: boolean; association: AssociationState });
    const association = headline.out.programs.get(name)?.association;
    const at = decidingCall(name, association ?? { state: 'none', reason: '' }, headline.path.actions, homesOf(name, association));
    const by: DecidedBy = { ...base };
    if (when) by.when = when;
    if (at) by.at = at;
    decidedBy.set(name, by);
    if (poisoning.length) poisonWhen.set(name, when);
    if (poisoning.length && buildConditionsOf(poisoning).length) poisonBuild.add(name);
    if (when && differ) {
      const seen = new Map<string, { when: string; association: AssociationState }>();
      for (const r of use) {
        const a = r.out.programs.get(name)?.association;
        if (!a || seen.has(stateKey(a))) continue;
        const those = use.filter((x) => stateKey(x.out.programs.get(name)?.association) === stateKey(a));
        seen.set(stateKey(a), { when: conditionOf(those, loader) ?? 'some paths', association: a });
      }
      byPath.set(name, [...seen.values()]);
    }
  }
  const attachedBy = new Map<string, string>();
  for (const r of use) for (const [m, how] of r.out.attachedBy) if (!attachedBy.has(m)) attachedBy.set(m, how);
  // A map some path attaches for certain is not picked at run time.
  const picked = new Map<string, string>();
  for (const r of use) for (const [m, why] of r.out.pickedAtRunTime ?? []) if (!picked.has(m)) picked.set(m, why);
  for (const r of use) for (const m of r.out.attachedBy.keys()) if (!r.out.pickedAtRunTime?.has(m)) picked.delete(m);
  // One run: its maps and calls are the outcome's as they are.
  let maps: ScenarioOutcome['maps'] = first.maps;
  if (!alone) {
    maps = new Map();
    for (const [name, m] of first.maps) maps.set(name, { ...m, attached: use.some((r) => r.out.maps.get(name)?.attached) });
  }
  // The path a VM run of this scenario follows, when its paths attach different maps (replayedPath.ts).
  const replays = alone ? null : replayedPath(use, (r) => conditionOf([r], loader));
  return {
    scenario: { ...first.scenario, description: `${first.scenario.description}${runs.length > 1 ? `, ${runs.length} paths${loader.truncated ? ' (capped)' : ''}` : ''}`, ...(replays ? { replays } : {}) },
    programs,
    maps,
    calls: alone ? first.calls : mergeCalls(use),
    findings: mergeFindings(use, loader, view, programs, attachedBy, poisonWhen, poisonBuild, picked),
    loadFails: first.loadFails,
    attachedBy,
    pickedAtRunTime: picked,
    decidedBy,
    byPath,
  };
}

function mergeCalls(use: Run[]): ModelAssociationCall[] {
  const out = new Map<string, ModelAssociationCall>();
  for (const r of use) {
    for (const c of r.out.calls) {
      const key = `${c.location.range.start.line}:${c.location.range.start.character}:${c.program}:${c.map}`;
      const seen = out.get(key);
      if (!seen) out.set(key, { ...c, predicted: { ...c.predicted } });
      else if (seen.predicted.result !== c.predicted.result && !seen.predicted.reason.includes(`other paths: ${c.predicted.result}`)) {
        seen.predicted.reason += ` (on other paths: ${c.predicted.result}, ${c.predicted.reason})`;
      }
    }
  }
  return [...out.values()];
}

function mergeFindings(
  use: Run[],
  loader: LinkedLoader,
  view: ObjectView,
  programs: ScenarioOutcome['programs'],
  attachedBy: Map<string, string>,
  poisonWhen: Map<string, string | undefined>,
  poisonBuild: ReadonlySet<string>,
  picked: ReadonlyMap<string, string>,
): Finding[] {
  const out: Finding[] = [];
  const poisoned = new Map([...programs].filter(([n]) => poisonWhen.has(n)));
  out.push(...poisonFindings((n) => view.programLocation(n), poisoned, attachedBy, (n) => ({ when: poisonWhen.get(n), ...(poisonBuild.has(n) ? { build: true } : {}), ...pickedContext(programs.get(n)?.association, picked) })));
  const everyBuild = buildConditionsOf(use);
  const byKey = new Map<string, { f: Finding; runs: Run[] }>();
  for (const r of use) {
    for (const f of r.out.findings) {
      if (f.rule === 'poisoned-association') continue;
      const key = `${f.rule}|${f.location.file}|${f.location.range.start.line}|${f.location.range.start.character}|${f.program ?? ''}`;
      const seen = byKey.get(key);
      if (seen) {
        if (!seen.runs.includes(r)) seen.runs.push(r);
      } else byKey.set(key, { f, runs: [r] });
    }
  }
  for (const { f, runs } of byKey.values()) {
    if (runs.length === use.length) out.push(everyBuild.length ? { ...f, message: `${f.message} (On the path where ${buildConditionText(everyBuild, loader)}.)` } : f);
    else out.push({ ...f, message: `${f.message} (On the path where ${conditionOf(runs, loader) ?? `some of its paths take (${loader.facts.file.split('/').pop()})`}.)` });
  }
  return out;
}
