// struct_ops programs that no slot the reader found holds, but that the file names in a designated
// initialiser outside every function and every struct_ops map it read: `.init_task = (void *)p`
// inside a macro invocation whose definition the workspace does not have (sched_ext's
// SCX_OPS_CID_DEFINE, new in Linux 7.3, when tools/sched_ext/include is not part of the check).
// Something there may well put the program in a slot, so "libbpf refuses it, it is referenced
// nowhere" cannot be said of it from the sources.
import type { ProgramFact, StructOpsMapFact } from '../facts';

/** `.member = (void *)NAME` or `.member = NAME` (a designated initialiser naming a function). */
function initialiserNaming(name: string): RegExp {
  return new RegExp(`\\.\\s*[A-Za-z_]\\w*\\s*=\\s*(?:\\(\\s*void\\s*\\*\\s*\\)\\s*)?${name}\\b`, 'g');
}

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
  const candidates = programs.filter((p) => p.kind === 'struct_ops' && !inSlot.has(p.name) && /^[A-Za-z_]\w*$/.test(p.name));
  if (!candidates.length) return found;
  for (const p of candidates) {
    if (!expanded.includes(p.name)) continue;
    for (const m of expanded.matchAll(initialiserNaming(p.name))) {
      const at = m.index ?? 0;
      if (read.some(([a, b]) => at >= a && at < b)) continue;
      found.set(p.name, [at, at + m[0].length]);
      break;
    }
  }
  return found;
}
