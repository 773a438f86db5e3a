// Skeletons linked from several BPF sources (scx_cargo's compile_link_gen(): enable_skel + each
// add_source, one bpf.bpf.o). The engine keeps each source an object of its own; the Rust reader
// makes each lifecycle call (open, load, attach) on such a skeleton once per source's object, and
// each call on a program or map once per source whose text names it (every source when none
// does: a name made by token pasting), so a source's object replays only the calls it can see.
import { isLifecycle, type LoaderAction, type SkeletonMemberRef } from '../facts';
import { actionSkeleton } from '../loader/lifecycleRecords';

/** A linked skeleton's other sources: their object names and, per object, the loader's words its source text holds. */
export interface LinkedParts {
  parts: string[];
  /** By object name (the first source's too): the words of the loader its source mentions. */
  mentions: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * A call on a skeleton linked from several sources, as a call on each source's object: the engine
 * models each source as an object of its own, so each gets the lifecycle (open, load, attach) and
 * the member calls its source names; a member another source defines is not in its object.
 */
export function linkedParts(a: LoaderAction, linked: ReadonlyMap<string, LinkedParts>): LoaderAction[] {
  const skel = actionSkeleton(a);
  const of = skel ? linked.get(skel) : undefined;
  if (!of || !skel) return [];
  const member = memberName(a);
  const naming = member === null ? of.parts : of.parts.filter((p) => of.mentions.get(p)?.has(member));
  const targets = member !== null && !naming.length && !of.mentions.get(skel)?.has(member) ? of.parts : naming;
  const ref = <T extends SkeletonMemberRef | null>(r: T, p: string): T => (r && r.skeleton === skel ? { ...r, skeleton: p } : r);
  return targets.map((p): LoaderAction => {
    if (isLifecycle(a)) return { ...a, skeleton: p };
    switch (a.kind) {
      case 'assoc':
        return { ...a, program: ref(a.program, p), map: ref(a.map, p) };
      case 'set_autoload':
        return { ...a, program: ref(a.program, p) };
      default:
        return { ...a, map: ref(a.map, p) };
    }
  });
}

/** The program or map a call acts on; null for the lifecycle calls. An association names its program (its map is the ops map). */
function memberName(a: LoaderAction): string | null {
  if (isLifecycle(a)) return null;
  switch (a.kind) {
    case 'assoc':
      return a.program?.name ?? a.map?.name ?? null;
    case 'set_autoload':
      return a.program.name;
    default:
      return a.map.name;
  }
}

/** The words of a text (identifiers), for the mention test. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_]\w*/g) ?? []);
}

/** The words a loader may name a program or map with: after `.` (`skel.progs.P`, `struct_ops.M_mut`), `"` (`map_mut("M")`) or `,` (`scx_ops_attach!(skel, M)`). */
export function memberWordsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/[.",]\s*([A-Za-z_]\w*)/g)) if (m[1]) out.add(m[1].replace(/_mut$/, ''));
  return out;
}
