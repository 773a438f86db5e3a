// scx_utils' compat helpers that turn programs on when the running kernel has what they hook
// (rust/scx_utils/src/compat.rs): cond_kprobe_enable(SYM, &P) and cond_tracepoint_enable(TP, &P)
// call bpf_program__set_autoload(P, true) when the symbol or tracepoint exists and return
// Ok(true), else Ok(false); cond_kprobes_enable(vec![(SYM, &P), ..]) and
// cond_tracepoints_enable(..) do it for all of them only when every one exists; cond_kprobe_load
// also turns its autoattach off. Which kernel runs is not known: the path forks on the call, as on
// a condition (`on the path where compat::cond_kprobes_enable(ftraces)`), and the side where it
// is true turns the programs on.
import type { Node } from '../c/parser';
import type { SkeletonMemberRef } from '../facts';
import type { PathState } from '../loader/pathState';

export const SCX_COND_ENABLE = new Set(['cond_kprobe_enable', 'cond_kprobes_enable', 'cond_tracepoint_enable', 'cond_tracepoints_enable', 'cond_kprobe_load']);

/** `.progs.P` (`.progs_mut().P`); the receiver before it is read backwards (linear: no backtracking over long dotted chains). */
const PROGRAM = /\.\s*progs(?:_mut)?(?:\(\))?\s*\.\s*(\w+)/g;

/** `skel` of `&mut skel.progs.P`, `self.skel` of `self.skel.progs.P`: the dotted name ending at `end`. */
function receiverBefore(text: string, end: number): string {
  let i = end;
  while (i > 0 && end - i < 200 && /[\w.]/.test(text[i - 1] as string)) i--;
  return text.slice(i, end);
}

/** What the reader resolves for a compat call. */
export interface CompatContext {
  skeletonByName(text: string, st: PathState): string | null;
  /** The text a variable was bound to in the function (`let ftraces = vec![...]`). */
  boundList(name: string, st: PathState): string | undefined;
  location(n: Node): SkeletonMemberRef['location'];
}

/** A compat call's fork: its condition text and the programs the true side turns on; null when it is none or names no program. */
export function compatFork(call: Node, st: PathState, ctx: CompatContext): { text: string; programs: SkeletonMemberRef[] } | null {
  const fn = call.childForFieldName('function');
  const name = fn?.text.replace(/^.*::/, '') ?? '';
  if (!SCX_COND_ENABLE.has(name)) return null;
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && !/comment/.test(a.type));
  const plural = name === 'cond_kprobes_enable' || name === 'cond_tracepoints_enable';
  const arg = plural ? args[0] : args[1];
  if (!arg) return null;
  const text = arg.type === 'identifier' ? (ctx.boundList(arg.text, st) ?? '') : arg.text;
  const programs: SkeletonMemberRef[] = [];
  const location = ctx.location(arg);
  for (const m of text.matchAll(PROGRAM)) {
    const program = m[1];
    if (!program || programs.some((p) => p.name === program)) continue;
    programs.push({ skeleton: ctx.skeletonByName(receiverBefore(text, m.index ?? 0), st), name: program, location });
  }
  if (!programs.length) return null;
  return { text: call.text.replace(/\s+/g, ' '), programs };
}
