// Project macros that put what follows them in a section (`__attribute__((section(...)))`,
// directly or through other macros): they count as `SEC` (macros.ts).
import type { Token } from './lexer';
import type { MacroDef } from './macros';
import { hostOnlySection, hostOnlySectionStart } from '../sections';

/** `SEC` is handled by the expander itself: it becomes a section marker. */
export const SECTION_MACRO = 'SEC';

/**
 * A body that names its section with a string libbpf never reads as a program or map
 * (sections.ts hostOnlySection): systemd's `_section_("SYSTEMD_STATIC_DESTRUCT")`, glibc-style
 * `section(".note.dlopen")`. Such a macro registers something in a host binary; it is not `SEC`.
 */
function namesHostSection(body: readonly Token[], sectionNames: ReadonlySet<string>): boolean {
  const code = body.filter((t) => t.kind !== 'ws' && t.kind !== 'nl' && t.kind !== 'comment');
  for (let i = 0; i + 2 < code.length; i++) {
    const t = code[i] as Token;
    if (t.kind !== 'id' || !sectionNames.has(t.text) || code[i + 1]?.text !== '(') continue;
    const arg = code[i + 2] as Token;
    // Only a whole name: `"?" section` (a literal joined to a parameter) names no section yet, unless
    // its start already rules every libbpf section out (u-boot's `"__u_boot_list_2_" #_list ...`).
    const whole = code[i + 3]?.text === ')' || code[i + 3]?.text === ',';
    const name = arg.text.replace(/^[A-Za-z0-9]*"|"$/g, '');
    if (arg.kind === 'str' && (whole ? hostOnlySection(name) : hostOnlySectionStart(name))) return true;
  }
  return false;
}

const SECTION_WORDS: ReadonlySet<string> = new Set(['section', '__section__']);

/** A definition whose expansion is itself `__attribute__((section(...)))` with a name libbpf may read. */
export function directlySection(d: MacroDef): boolean {
  const ids = d.body.filter((t) => t.kind === 'id').map((t) => t.text);
  const at = ids.indexOf('__attribute__');
  return at >= 0 && (ids.indexOf('section', at) > at || ids.indexOf('__section__', at) > at) && !namesHostSection(d.body, SECTION_WORDS);
}

/** Adds to `out` the definitions of `all` that use one of its names, round after round, in `all`'s order. */
export function spreadSection(all: readonly MacroDef[], out: Set<string>): void {
  for (let changed = out.size > 0; changed; ) {
    changed = false;
    for (const d of all) {
      if (out.has(d.name) || d.name === SECTION_MACRO) continue;
      if (d.body.some((t) => t.kind === 'id' && out.has(t.text)) && !namesHostSection(d.body, out)) {
        out.add(d.name);
        changed = true;
      }
    }
  }
}

/**
 * Project macros that put what follows them in a section: their expansion is
 * `__attribute__((section(...)))`, directly or through other such macros (cilium/ebpf's
 * `#define __section(NAME) __attribute__((section(NAME), used))`). They count as `SEC`.
 */
export function sectionAttributeMacros(defs: Iterable<MacroDef>): Set<string> {
  const all = [...defs];
  const out = new Set<string>();
  for (const d of all) if (directlySection(d)) out.add(d.name);
  spreadSection(all, out);
  return out;
}
