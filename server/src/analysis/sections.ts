// libbpf's reading of section names, for the parts that matter to struct_ops association.
import type { ProgramKind } from './facts';

export interface ProgramSection {
  kind: ProgramKind;
  sleepable: boolean;
  /** false with a leading '?'. */
  autoload: boolean;
}

/** `struct_ops`, `struct_ops/NAME`, `struct_ops.s`, `struct_ops.s/NAME`, each with an optional '?'. */
export function classifyProgramSection(section: string): ProgramSection {
  const autoload = !section.startsWith('?');
  const s = autoload ? section : section.slice(1);
  // libbpf's "struct_ops+" and "struct_ops.s+": the name itself, or it and `/` then anything (a
  // newline too: `.` would stop there, and `struct_ops/a\nb` would not be a struct_ops program).
  const m = /^struct_ops(\.s)?(\/[\s\S]*)?$/.exec(s);
  if (m) return { kind: 'struct_ops', sleepable: !!m[1], autoload };
  // Other sleepable program types: fentry.s/, lsm.s/, uprobe.s/, syscall is sleepable too.
  const sleepable = /^[a-z_]+\.s(\/|$)/.test(s) || s === 'syscall';
  return { kind: 'other', sleepable, autoload };
}

export interface MapSection {
  link: boolean;
  autocreate: boolean;
}

/** `.struct_ops`, `.struct_ops.link`, with an optional '?'; null for any other section. */
export function classifyMapSection(section: string): MapSection | null {
  const autocreate = !section.startsWith('?');
  const s = autocreate ? section : section.slice(1);
  if (s === '.struct_ops') return { link: false, autocreate };
  if (s === '.struct_ops.link') return { link: true, autocreate };
  return null;
}

/**
 * A section libbpf never reads as a program or a map: an ELF note or a host-side registration
 * table (systemd's `.note.dlopen`, `SYSTEMD_STATIC_DESTRUCT`). A name starting with `.` other than
 * libbpf's data and map sections, an upper-case name without `/`, or a name that does not start
 * with a lower-case letter (the kernel's branch profiling: `_ftrace_annotated_branch`): every program
 * section libbpf defines starts with one (`kprobe/`, `xdp`, `struct_ops`, ...), and `license` too.
 * Anything else may be a BPF section.
 */
export function hostOnlySection(section: string): boolean {
  const s = section.startsWith('?') ? section.slice(1) : section;
  if (s.startsWith('.')) return !/^\.(?:maps|struct_ops|data|rodata|bss|kconfig|ksyms|addr_space)(?:\.|$)/.test(s);
  // (An empty name is the `"?"` of `"?" section`, a prefix: not decided here.)
  if (s.length > 0 && !/^[a-z]/.test(s)) return true;
  return !s.includes('/') && /[A-Z]/.test(s);
}

/**
 * The start of a section name (a literal the rest is joined to) that no libbpf section can have:
 * libbpf's program sections start with a lower-case letter, its data and map sections with `.`.
 */
export function hostOnlySectionStart(start: string): boolean {
  const s = start.startsWith('?') ? start.slice(1) : start;
  // A dot: only if no data or map section of libbpf's can begin so (u-boot's `".u_boot_list_2_" #_list`).
  if (s.startsWith('.')) return !LIBBPF_DOT_SECTIONS.some((d) => d.startsWith(s) || s.startsWith(d));
  return s.length > 0 && !/^[a-z]/.test(s);
}

const LIBBPF_DOT_SECTIONS = ['.maps', '.struct_ops', '.data', '.rodata', '.bss', '.kconfig', '.ksyms', '.addr_space'];

/**
 * The kernel type name libbpf looks up for a CO-RE flavoured local type: cut at the last `X___Y`
 * where X and Y are not `_` (`bpf_testmod_ops___v1` -> `bpf_testmod_ops`, `a___b___c` -> `a___b`).
 */
export function essentialTypeName(name: string): string {
  for (let i = name.length - 4; i >= 1; i--) {
    if (name.startsWith('___', i) && name[i - 1] !== '_' && name[i + 3] !== '_') return name.slice(0, i);
  }
  return name;
}
