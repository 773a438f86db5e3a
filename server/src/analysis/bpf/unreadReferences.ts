// struct_ops programs that no slot the reader found holds, but that the file names in a designated
// initialiser outside every function and every struct_ops map it read: `.init_task = (void *)p`
// inside a macro invocation whose definition the workspace does not have (sched_ext's
// SCX_OPS_CID_DEFINE, new in Linux 7.3, when tools/sched_ext/include is not part of the check).
// Something there may well put the program in a slot, so "libbpf refuses it, it is referenced
// nowhere" cannot be said of it from the sources.
import type { ProgramFact, StructOpsMapFact } from '../facts';

/** `.member = (void *)NAME` or `.member = NAME` (a designated initialiser naming a function): NAME is group 1. */
const INITIALISER = /\.\s*[A-Za-z_]\w*\s*=\s*(?:\(\s*void\s*\*\s*\)\s*)?([A-Za-z_]\w*)\b/g;

/**
 * For each struct_ops program of the file that no slot of its maps holds, the first designated
 * initialiser naming it outside what the reader read: `read` holds the [start, end) of the
 * function definitions and struct_ops maps in the expanded text (anything else, a declaration, an
 * item the parser could not read, is not).
 */
export function unreadReferences(expanded: string, read: readonly (readonly [number, number])[], programs: readonly ProgramFact[], maps: readonly StructOpsMapFact[]): Map<string, [number, number]> {
  const found = new Map<string, [number, number]>();
  const inSlot = new Set<string>();
  for (const m of maps) for (const s of m.slots) if (s.program) inSlot.add(s.program);
  const candidates = new Set(programs.filter((p) => p.kind === 'struct_ops' && !inSlot.has(p.name)).map((p) => p.name));
  if (!candidates.size) return found;
  // One pass over the text, whatever the number of candidates.
  for (const m of expanded.matchAll(INITIALISER)) {
    const name = m[1] as string;
    if (!candidates.has(name) || found.has(name)) continue;
    const at = m.index ?? 0;
    if (read.some(([a, b]) => at >= a && at < b)) continue;
    found.set(name, [at, at + m[0].length]);
  }
  return found;
}
