// A loader that opens a skeleton more than once — a test file with one function per case, or a
// tool that reloads — runs independent lifecycles: each open starts one. What one lifecycle sets
// (autoload, autocreate, slots) and calls does not carry into the next. The reader gives each
// lifecycle its distinct paths (loader/paths.ts); here they are narrowed to one object's calls, and
// the calls of functions that open nothing themselves (a harness hands them the skeleton: sched_ext
// selftests' run(ctx)) are appended to every lifecycle of the object.
import type { LoaderAction, LoaderFacts } from '../facts';
import { actionKey } from '../loader/loader';
import { MAX_PATHS, type LoaderLifecycle, type LoaderPath, type PathLiteral } from '../loader/paths';
import type { LinkedLoader } from './link';

export type ActionTarget<G> = (a: LoaderAction) => G | undefined;

const pathKey = (p: LoaderPath): string => {
  const checked = (p.checked ?? []).map((c) => `${actionKey(c.action)}${c.succeeded ? 'o' : 'x'}`).join('|');
  return `${p.givesUp ? '!' : ''}${p.actions.map(actionKey).join('|')}${checked ? `#${checked}` : ''}`;
};

function dedupe(paths: LoaderPath[]): LoaderPath[] {
  const out = new Map<string, LoaderPath>();
  for (const p of paths) {
    const k = pathKey(p);
    const seen = out.get(k);
    if (seen) seen.when.push(...p.when.filter((w) => !seen.when.includes(w)));
    else out.set(k, { ...p, when: [...p.when] });
  }
  return [...out.values()];
}

/**
 * The paths of one list (already deduplicated) as `combine` makes them: the first MAX_PATHS, each
 * with its first 4 ways. No copies: the lists are made for the lifecycle being linked.
 */
function alone(list: LoaderPath[]): { paths: LoaderPath[]; truncated: boolean } {
  const paths: LoaderPath[] = [];
  for (const b of list) {
    if (paths.length >= MAX_PATHS) break;
    const when = b.when.length > 4 ? b.when.slice(0, 4) : b.when;
    paths.push(b.checked?.length ? { actions: b.actions, when, givesUp: b.givesUp, checked: b.checked } : { actions: b.actions, when, givesUp: b.givesUp });
  }
  return { paths, truncated: list.length > MAX_PATHS };
}

/** Every combination of one path from each list, in order, up to MAX_PATHS. */
function combine(lists: LoaderPath[][]): { paths: LoaderPath[]; truncated: boolean } {
  // One lifecycle and no shared calls (the common case): its own paths, as they are.
  const nonEmpty = lists.filter((l) => l.length);
  if (nonEmpty.length === 1) return alone(nonEmpty[0] as LoaderPath[]);
  let out: LoaderPath[] = [{ actions: [], when: [[]], givesUp: false }];
  let truncated = false;
  for (const list of lists) {
    if (!list.length) continue;
    const next: LoaderPath[] = [];
    for (const a of out) {
      for (const b of list) {
        if (next.length >= MAX_PATHS) {
          truncated = true;
          break;
        }
        const when: PathLiteral[][] = [];
        // A build condition both parts are under (`#if HAVE_X` around the opener and its helper) is said once.
        for (const x of a.when) for (const y of b.when) if (when.length < 4) when.push([...x, ...y.filter((l) => l.build === undefined || !x.some((k) => k.build !== undefined && k.text === l.text))]);
        const checked = [...(a.checked ?? []), ...(b.checked ?? [])];
        next.push({ actions: [...a.actions, ...b.actions], when, givesUp: a.givesUp || b.givesUp, ...(checked.length ? { checked } : {}) });
      }
    }
    out = dedupe(next);
  }
  return { paths: out, truncated };
}

function union(paths: LoaderPath[]): LoaderAction[] {
  const seen = new Map<string, LoaderAction>();
  for (const p of paths) for (const a of p.actions) if (!seen.has(actionKey(a))) seen.set(actionKey(a), a);
  return [...seen.values()].sort((a, b) => a.location.range.start.line - b.location.range.start.line || a.location.range.start.character - b.location.range.start.character);
}

/** A loader read without paths: all its calls as one path of one lifecycle. */
function unread(l: LoaderFacts): LoaderLifecycle[] {
  return [{ skeleton: null, open: null, inFunction: '', paths: [{ actions: l.actions, when: [[]], givesUp: false }], truncated: false }];
}

/** The lifecycles of a loader for one object, each with its paths narrowed to the object's calls. */
export function lifecyclesOf<G extends { names: Set<string> }>(l: LoaderFacts, g: G, targetOf: ActionTarget<G>): LinkedLoader[] {
  const all = l.lifecycles ?? unread(l);
  const narrow = (c: LoaderLifecycle): LoaderPath[] => dedupe(c.paths.map((p) => ({ ...p, actions: p.actions.filter((a) => targetOf(a) === g) })));
  // Lifecycles of this object's skeleton type whose calls all went to another object of that name are not its own.
  const opened = all.filter((c) => c.skeleton !== null && g.names.has(c.skeleton) && c.paths.some((p) => p.actions.some((a) => targetOf(a) === g)));
  const shared = all.filter((c) => c.skeleton === null).map((c) => ({ c, paths: narrow(c) })).filter((h) => h.paths.some((p) => p.actions.length));
  const sharedTruncated = shared.some((h) => h.c.truncated);
  if (!opened.length) {
    if (!shared.length) return [];
    const { paths, truncated } = combine(shared.map((h) => h.paths));
    return [{ facts: l, actions: union(paths), paths, truncated: truncated || sharedTruncated, where: `in ${shared.map((h) => `${h.c.inFunction}()`).join(', ')}` }];
  }
  const perFunction = new Map<string, number>();
  return opened.map((c, index) => {
    const nth = (perFunction.get(c.inFunction) ?? 0) + 1;
    perFunction.set(c.inFunction, nth);
    const several = opened.filter((o) => o.inFunction === c.inFunction).length > 1;
    const label = `in ${c.inFunction}()${several ? `, open ${nth}` : ''}`;
    const { paths, truncated } = combine([narrow(c), ...shared.map((h) => h.paths)]);
    return {
      facts: l,
      actions: union(paths),
      paths,
      truncated: truncated || c.truncated || sharedTruncated,
      where: label,
      ...(opened.length > 1 ? { lifecycle: { index, label } } : {}),
    };
  });
}
