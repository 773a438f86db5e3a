// Conditionals that split a definition: bpftune writes each program's section and signature twice,
//
//   #ifdef BPFTUNE_LEGACY
//   SEC("kretprobe/enqueue_to_backlog")
//   int BPF_KRETPROBE(bpftune_enqueue_to_backlog, int ret)
//   #else
//   SEC("fexit/enqueue_to_backlog")
//   int BPF_PROG(bpftune_enqueue_to_backlog, struct sk_buff *skb, int cpu, unsigned int *qtail, int ret)
//   #endif
//   { ... }
//
// The C grammar cannot hold a definition whose parts stand in different branches (it reads one
// declarator running across `#else`), so no branch can be chosen on the tree (conditions.ts). Such
// a file is read from its text with the branches its unit does not compile blanked (same offsets and
// lines): what the preprocessor hands the compiler. A split conditional whose value cannot be known
// is read as the compiler reads it when nothing defines the unknown names (`#ifdef X` false,
// `#ifndef X` true; an `#if` whose value cannot be known takes its branch), and the reading says it
// is uncertain there.
import type { Directive } from '../c/directives';
import type { Node } from '../c/parser';
import type { Decisions } from '../c/preprocess';

interface Group {
  /** The lines of its `#if`, each `#elif`/`#else`, and its `#endif` (the last). */
  lines: number[];
  /** The directive kind at each of its lines. */
  kinds: Directive['kind'][];
}

const OPEN = new Set(['if', 'ifdef', 'ifndef']);
const BRANCH = new Set(['elif', 'elifdef', 'elifndef', 'else']);
const ITEMS = new Set(['function_definition', 'declaration']);

/** The conditional groups of a file's directives, complete ones only (an unclosed `#if` is left out). */
function groupsOf(dirs: readonly Directive[]): Group[] {
  const out: Group[] = [];
  const stack: Group[] = [];
  for (const d of dirs) {
    if (OPEN.has(d.kind)) stack.push({ lines: [d.line], kinds: [d.kind] });
    else if (BRANCH.has(d.kind)) {
      stack[stack.length - 1]?.lines.push(d.line);
      stack[stack.length - 1]?.kinds.push(d.kind);
    } else if (d.kind === 'endif') {
      const g = stack.pop();
      if (g) {
        g.lines.push(d.line);
        g.kinds.push(d.kind);
        out.push(g);
      }
    }
  }
  return out;
}

/**
 * The groups (by the line of their `#if`) that split a definition or declaration the parser read:
 * the item holds some of the group's directive lines but not all (a group inside a function body is
 * whole inside it).
 */
export function splitGroups(root: Node, dirs: readonly Directive[], lineOf: (offset: number) => number): Set<number> {
  const groups = groupsOf(dirs);
  const out = new Set<number>();
  if (!groups.length) return out;
  const ranges: [number, number][] = [];
  const walk = (n: Node, depth: number): void => {
    if (depth > 64) return;
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (ITEMS.has(c.type)) ranges.push([lineOf(c.startIndex), lineOf(c.endIndex)]);
      else if (c.type.startsWith('preproc_') || c.type === 'ERROR') walk(c, depth + 1);
    }
  };
  walk(root, 0);
  for (const g of groups) {
    for (const [s, e] of ranges) {
      const inside = g.lines.filter((l) => l >= s && l <= e).length;
      if (inside > 0 && inside < g.lines.length) {
        out.add(g.lines[0] as number);
        break;
      }
    }
  }
  return out;
}

/** A line's extent, through the backslash continuations of a directive. */
function directiveEnd(lineStarts: readonly number[], text: string, line: number): number {
  let l = line;
  while (l + 1 < lineStarts.length) {
    const end = (lineStarts[l + 1] as number) - 1;
    if (text.charCodeAt(end - (text.charCodeAt(end - 1) === 13 ? 2 : 1)) !== 92) break;
    l++;
  }
  return l;
}

/**
 * The text with the branches this unit does not compile blanked, and the directives of the
 * conditionals decided (or, for split ones, chosen); every other conditional stays as written.
 * Returns the lines where a split conditional's branch was chosen without knowing its value.
 */
export function blankUntakenBranches(text: string, dirs: readonly Directive[], decisions: Decisions, split: ReadonlySet<number>): { text: string; chosen: { line: number; reason: string }[] } {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const blank = new Uint8Array(lineStarts.length);
  const chosen: { line: number; reason: string }[] = [];
  const blankLines = (from: number, to: number): void => {
    for (let l = Math.max(0, from); l <= to && l < blank.length; l++) blank[l] = 1;
  };
  for (const g of groupsOf(dirs)) {
    const open = g.lines[0] as number;
    const branches = g.lines.slice(0, -1);
    const values = branches.map((l) => decisions.get(l)?.value);
    // The branch compiled: the first true one; none when all are false. An unknown value leaves
    // the group as written unless it splits a definition: then names nobody defines are undefined.
    let taken = -1;
    let unknown: number | null = null;
    for (let i = 0; i < values.length; i++) {
      let v = values[i];
      if (v === null || v === undefined) {
        unknown ??= i;
        const kind = g.kinds[i];
        v = kind !== 'ifdef' && kind !== 'elifdef';
      }
      if (v) {
        taken = i;
        break;
      }
    }
    if (unknown !== null) {
      if (!split.has(open)) continue;
      const line = branches[unknown] as number;
      chosen.push({ line, reason: decisions.get(line)?.reason ?? 'the preprocessor did not reach this conditional' });
    }
    branches.forEach((line, i) => {
      const next = g.lines[i + 1] as number;
      if (i === taken) blankLines(line, directiveEnd(lineStarts, text, line));
      else blankLines(line, next - 1);
    });
    blankLines(g.lines[g.lines.length - 1] as number, g.lines[g.lines.length - 1] as number);
  }
  if (!blank.includes(1)) return { text, chosen };
  let out = '';
  let from = 0;
  for (let l = 0; l < blank.length; l++) {
    if (!blank[l]) continue;
    const start = lineStarts[l] as number;
    const end = l + 1 < lineStarts.length ? (lineStarts[l + 1] as number) - 1 : text.length;
    out += text.slice(from, start) + text.slice(start, end).replace(/[^\r]/g, ' ');
    from = end;
  }
  return { text: out + text.slice(from), chosen };
}
