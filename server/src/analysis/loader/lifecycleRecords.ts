// The lifecycles a loader's paths walk through, collected as the paths end: each segment (from an
// open to its destroy, the next open, the end of its function) becomes one path of its lifecycle,
// paths with the same calls merged; and every call once, in source order, for the flat list.
import type { SyntaxNode as Node } from '../c/syntaxNode';
import { isLifecycle, type LoaderAction } from '../facts';
import type { PathState } from './pathState';
import { loaderPath, MAX_PATHS, type LoaderLifecycle, type LoaderPath } from './paths';
import { stepCallee } from './stepIndex';

interface LifecycleRecord {
  lifecycle: LoaderLifecycle;
  paths: Map<string, LoaderPath>;
  /** The texts of each path's conditions (`when`) so far, by the path's key. */
  whens: Map<string, Set<string>>;
  order: number;
}

/**
 * An action's key, kept on the action itself (not enumerable: facts compare and serialise as
 * before). A WeakMap keyed by actions makes every scavenge of the young generation walk its entries.
 */
const KEY = Symbol('actionKey');
type Keyed = LoaderAction & { [KEY]?: string };

/** Identity of an action on a path: what it does and where (a helper followed twice makes two). */
export function actionKey(a: LoaderAction): string {
  const known = (a as Keyed)[KEY];
  if (known !== undefined) return known;
  const key = describeAction(a);
  Object.defineProperty(a, KEY, { value: key, enumerable: false, writable: true });
  return key;
}

function describeAction(a: LoaderAction): string {
  const r = a.location.range.start;
  const what = 'map' in a && a.map ? a.map.name : '';
  const prog = 'program' in a && a.program ? a.program.name : '';
  const value = 'value' in a ? String(a.value) : '';
  return `${a.kind}@${r.line}:${r.character}:${what}:${prog}:${value}:${a.phase}`;
}

export function actionSkeleton(a: LoaderAction): string | null {
  if (isLifecycle(a)) return a.skeleton;
  switch (a.kind) {
    case 'assoc':
      return a.program?.skeleton ?? a.map?.skeleton ?? null;
    case 'set_autoload':
      return a.program.skeleton;
    default:
      return a.map.skeleton;
  }
}

const EINVAL = 22;
const EBADF = 9;

export class LifecycleRecords {
  private readonly flat = new Map<string, LoaderAction>();
  private readonly records = new Map<string, LifecycleRecord>();

  emit(st: PathState, a: LoaderAction, node: Node, root: string): void {
    const key = actionKey(a);
    if (!this.flat.has(key)) this.flat.set(key, a);
    // An attach call's result, so that `if (!link)` can say which side it failed on.
    // An association call's too: the engine drops a path whose checked call it predicts otherwise.
    if (a.kind === 'attach' || a.kind === 'attach_struct_ops' || (a.kind === 'assoc' && a.api !== 'SCX_OPS_LOAD')) {
      const returnsPointer = a.kind === 'attach_struct_ops' && stepCallee(node) !== 'bpf_link__update_map';
      // A new entry, never one changed in place: paths cloned before share their entries.
      st.nodeActions.set(node.id, { actions: [a], returnsPointer });
    }
    // An association call whose first checks fail whatever the kernel holds returns that error on
    // every path (engine/explicit.ts answers the same): `err = err ?: associate()` can test it.
    if (a.kind === 'assoc' && a.api !== 'SCX_OPS_LOAD') {
      const raw = a.api === 'bpf_prog_assoc_struct_ops';
      const v = raw && typeof a.flags === 'number' && a.flags !== 0 ? -EINVAL : a.phase === 'opened' ? (raw ? -EBADF : -EINVAL) : null;
      if (v !== null) st.callValues.set(node.id, v);
    }
    const skel = actionSkeleton(a);
    if ((a.kind === 'open' || a.kind === 'open_and_load') && skel) {
      if (st.segments.has(skel)) this.close(st, skel);
      const r = a.location.range.start;
      st.segments.set(skel, { key: `${r.line}:${r.character}:${skel}`, skeleton: skel, open: a.location, inFunction: a.inFunction, depth: st.frames.length, actions: [a], literals: [...st.buildLiterals], givesUp: false, actionsSignature: undefined });
      return;
    }
    const own = skel ? st.segments.get(skel) : undefined;
    const targets = own ? [own] : skel === null ? [...st.segments.values()].filter((s) => s.open) : [];
    if (!targets.length) {
      // Closing or destroying what this path did not open changes nothing.
      if (a.kind === 'destroy') return;
      let headless = st.segments.get('');
      if (!headless) {
        headless = { key: `fn:${root}`, skeleton: null, open: null, inFunction: root, depth: 1, actions: [], literals: [], givesUp: false, actionsSignature: undefined };
        st.segments.set('', headless);
      }
      targets.push(headless);
    }
    for (const t of targets) t.actions.push(a);
    if (a.kind === 'destroy' && own) this.close(st, skel as string);
  }

  close(st: PathState, skeleton: string): void {
    const seg = st.segments.get(skeleton);
    if (!seg) return;
    st.segments.delete(skeleton);
    // The lifecycle is over: its phase no longer tells paths apart.
    if (seg.skeleton) st.phases.delete(seg.skeleton);
    // A failed attach associates nothing; a failed association call was still made (its errno is predicted).
    const actions = seg.actions.filter((a) => !st.failed.has(a) || a.kind === 'assoc');
    const checked = actions.filter((a) => a.kind === 'assoc' && (st.failed.has(a) || st.succeeded.has(a)));
    let rec = this.records.get(seg.key);
    if (!rec) {
      const order = seg.open ? seg.open.range.start.line * 10000 + seg.open.range.start.character : 1e12 + this.records.size;
      rec = { lifecycle: { skeleton: seg.skeleton, open: seg.open, inFunction: seg.inFunction, paths: [], truncated: this.pendingTruncation.has(seg.key) }, paths: new Map(), whens: new Map(), order };
      this.records.set(seg.key, rec);
    }
    const sig = `${seg.givesUp ? '!' : ''}${actions.map((a) => `${actionKey(a)}${st.failed.has(a) ? 'x' : st.succeeded.has(a) ? 'o' : ''}`).join('|')}`;
    let path = rec.paths.get(sig);
    if (!path) {
      if (rec.paths.size >= MAX_PATHS) {
        rec.lifecycle.truncated = true;
        return;
      }
      path = loaderPath(actions, seg.givesUp, checked.length ? checked.map((a) => ({ action: a, succeeded: st.succeeded.has(a) })) : undefined);
      rec.paths.set(sig, path);
    }
    const text = seg.literals.map((l) => `${l.guard ? '~' : ''}${l.text}`).join('&&');
    let texts = rec.whens.get(sig);
    if (!texts) rec.whens.set(sig, (texts = new Set()));
    if (!texts.has(text)) {
      texts.add(text);
      path.when.push(seg.literals);
    }
  }

  truncate(st: PathState): void {
    for (const seg of st.segments.values()) {
      const rec = this.records.get(seg.key);
      if (rec) rec.lifecycle.truncated = true;
      else this.pendingTruncation.add(seg.key);
    }
  }

  private readonly pendingTruncation = new Set<string>();

  /** Every call on any path, once, in source order. */
  actions(): LoaderAction[] {
    return [...this.flat.values()].sort((a, b) => a.location.range.start.line - b.location.range.start.line || a.location.range.start.character - b.location.range.start.character);
  }

  /** The lifecycles in the order of their opens (functions that open nothing last). */
  lifecycles(): LoaderLifecycle[] {
    return [...this.records.values()].sort((a, b) => a.order - b.order).map((r) => ({ ...r.lifecycle, paths: [...r.paths.values()] }));
  }
}
