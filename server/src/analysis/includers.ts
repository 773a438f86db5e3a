// Sources that are objects only through what they include, and the macros an includer gives the
// file it includes. Linux's pyperf600.c is `#define STACK_MAX_LEN 600` and `#include "pyperf.h"`;
// arena_htab_asm.c renames arena_htab.c's program with `#define arena_htab_llvm arena_htab_asm`.
import { codeText } from './c/commentScan';
import type { MacroDef } from './c/macros';

/** The identifiers of C code, directive lines and comments left out. */
export function codeIdentifiers(text: string): Set<string> {
  // A directive's first line is left out; its continued lines count (a macro body's names).
  const code = codeText(text, { comments: 'space' }).replace(/^[ \t]*#.*$/gm, '');
  return new Set(code.match(/[A-Za-z_]\w*/g) ?? []);
}

/**
 * The includer's definitions that reach an included file's code: the names its code uses and does
 * not define itself (the compiler expands them there with the includer's bodies).
 */
export function includerDefines(includer: readonly MacroDef[], used: ReadonlySet<string>, own: readonly MacroDef[]): MacroDef[] {
  if (!includer.length) return [];
  const defined = new Set(own.map((d) => d.name));
  const seen = new Set<string>();
  const out: MacroDef[] = [];
  for (const d of includer) {
    if (!used.has(d.name) || defined.has(d.name) || seen.has(d.name)) continue;
    seen.add(d.name);
    out.push(d);
  }
  return out;
}

/** A stable key for the includer's definitions a reading was made with ('' for none). */
export function includerKey(defs: readonly MacroDef[]): string {
  return defs.map((d) => `${d.name}(${d.params?.join(',') ?? ''})=${d.body.map((t) => t.text).join('')}`).join('\n');
}
