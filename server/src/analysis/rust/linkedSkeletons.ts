// Skeletons linked from several BPF sources (scx_cargo's compile_link_gen(): enable_skel + each
// add_source, one bpf.bpf.o). The engine keeps each source an object of its own; the Rust reader
// makes each call on such a skeleton once per source's object.
import type { LoaderAction, SkeletonMemberRef } from '../facts';
import { actionSkeleton } from '../loader/lifecycleRecords';

/**
 * A call on a skeleton linked from several sources, as a call on each source's object: the engine
 * models each source as an object of its own, so each gets the lifecycle (open, load, attach) and
 * the member calls; a member another source defines is not in its object and changes nothing there.
 */
export function linkedParts(a: LoaderAction, parts: ReadonlyMap<string, string[]>): LoaderAction[] {
  const skel = actionSkeleton(a);
  const names = skel ? parts.get(skel) : undefined;
  if (!names) return [];
  const ref = <T extends SkeletonMemberRef | null>(r: T, p: string): T => (r && r.skeleton === skel ? { ...r, skeleton: p } : r);
  return names.map((p): LoaderAction => {
    switch (a.kind) {
      case 'open':
      case 'load':
      case 'open_and_load':
      case 'attach':
      case 'destroy':
        return { ...a, skeleton: p };
      case 'assoc':
        return { ...a, program: ref(a.program, p), map: ref(a.map, p) };
      case 'set_autoload':
        return { ...a, program: ref(a.program, p) };
      default:
        return { ...a, map: ref(a.map, p) };
    }
  });
}
