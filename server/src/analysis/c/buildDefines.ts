// The macros a BPF build starts from: what `clang -target bpf` predefines, then the command line's
// -D and -U (from compile_commands.json, the Makefile, or the bpfAssoc.defines setting). Also what
// is known about names nobody in the workspace defines: an architecture macro is never defined by
// a header, a project's own macro is not defined by libbpf's headers, but any name may come from
// a header we cannot see.
import { lex } from './lexer';
import type { MacroState } from './ifExpr';
import type { MacroDef } from './macros';
import { clangBpfPredefined, VERSION_DEPENDENT } from './predefined';

/** One -D or -U of a build. */
export interface CommandLineDefine {
  name: string;
  /** The value after `=` (`1` for a bare -DNAME); null for -U. */
  value: string | null;
}

/**
 * Reads `NAME`, `NAME=VALUE`, `-DNAME[=VALUE]`, `-UNAME` (as the setting and `--define` take
 * them). Null when the text names no macro.
 */
export function parseDefineOption(text: string): CommandLineDefine | null {
  const t = text.trim();
  const undef = /^-U\s*([A-Za-z_]\w*)$/.exec(t);
  if (undef) return { name: undef[1] as string, value: null };
  const m = /^(?:-D\s*)?([A-Za-z_]\w*)(?:=([\s\S]*))?$/.exec(t);
  if (!m) return null;
  return { name: m[1] as string, value: m[2] ?? '1' };
}

/**
 * Without a build that says otherwise, libbpf-style Makefiles pass `-D__TARGET_ARCH_$(SRCARCH)`;
 * on the x86 machines these builds run on, that is __TARGET_ARCH_x86.
 */
export const DEFAULT_COMMAND_LINE: readonly CommandLineDefine[] = [{ name: '__TARGET_ARCH_x86', value: '1' }];

function objectLike(name: string, body: string): MacroDef {
  return { name, params: null, variadic: null, body: lex(body, 0, body.length, false).filter((t) => t.kind !== 'comment') };
}

/** Architecture macros a compiler or the command line defines, never a header (clang -target bpf defines none). */
const ARCH = /^(?:__TARGET_ARCH_\w+|__x86_64__?|__i[3-6]86__|__amd64__?|__aarch64__|__arm64__|__arm__|__ARM_\w+|__riscv\w*|__s390x?__|__powerpc\w*__|__PPC\w*__|__ppc\w*__|__mips\w*__|__loongarch\w*|__sparc\w*__|__hppa__|__m68k__|__sh__|__alpha__|__ia64__|__arc__|__csky__|__xtensa__|__nios2__|__microblaze__|__or1k__)$/;

/** Names the headers libbpf installs may define (bpf_helpers.h, bpf_tracing.h, bpf_core_read.h, bpf_endian.h). */
const LIBBPF_NAMES = /^(?:_*[bB][pP][fF]\w*|_*BPF\w*|__\w+|SEC|KERNEL_VERSION|PT_REGS\w*|offsetof|container_of|barrier\w*|likely|unlikely|NULL|ARRAY_SIZE)$/;
/** Names C's own headers may define. */
const STANDARD_NAMES = /^(?:_\w+|E[A-Z0-9]+|bool|true|false|NULL|offsetof|\w+_(?:MAX|MIN|WIDTH|C)|PRI\w+|SCN\w+|assert|static_assert|va_\w+|errno|ATOMIC_\w+|memory_order\w*|kill_dependency|CHAR_BIT|MB_LEN_MAX|alignas|alignof|noreturn)$/;
const STANDARD_HEADERS = /^(?:std\w+|errno|limits|string|strings|inttypes|assert|iso646|float|stdalign|stdnoreturn|wchar|uchar|ctype|math|time|signal|setjmp|locale|fenv|complex|tgmath|threads)\.h$/;

/** Which names a header we cannot see may define: null for any. */
export function headerMayDefine(include: string): RegExp | null {
  if (/(?:^|\/)vmlinux(?:[.-]\w+)?\.h$/.test(include)) return /^__\w+$/;
  if (/^bpf\/bpf_(?:helpers|tracing|core_read|endian|helper_defs)\.h$/.test(include)) return LIBBPF_NAMES;
  if (STANDARD_HEADERS.test(include)) return STANDARD_NAMES;
  return null;
}

/** The command line's view of the macros before any file is read. */
export class BuildDefines {
  private readonly given = new Map<string, MacroState>();

  constructor(commandLine: readonly CommandLineDefine[] = DEFAULT_COMMAND_LINE) {
    for (const d of commandLine) {
      this.given.set(d.name, d.value === null ? { kind: 'undefined' } : { kind: 'defined', def: objectLike(d.name, d.value) });
    }
  }

  /** The key under which readings made with these defines may be shared. */
  get key(): string {
    return [...this.given].map(([n, s]) => `${n}=${s.kind === 'defined' ? s.def.body.map((t) => t.text).join('') : '-'}`).join(' ');
  }

  /**
   * A name no file of the unit has defined or undefined so far: the command line's, then the
   * compiler's, and otherwise undefined unless a header we cannot see may define it.
   */
  initial(name: string, projectDefines: ReadonlySet<string>, unseenHeaders: readonly string[]): MacroState {
    const given = this.given.get(name);
    if (given) return given;
    const predefined = clangBpfPredefined().get(name);
    if (predefined !== undefined) return { kind: 'defined', def: objectLike(name, predefined) };
    if (VERSION_DEPENDENT.test(name)) return { kind: 'unknown', reason: `${name} depends on the clang version and -mcpu the build uses (give it with bpfAssoc.defines or --define)` };
    if (ARCH.test(name) || projectDefines.has(name)) return { kind: 'undefined' };
    for (const h of unseenHeaders) {
      const may = headerMayDefine(h);
      if (!may || may.test(name)) return { kind: 'unknown', reason: `${name} may be defined by ${h}, which is not in the workspace` };
    }
    return { kind: 'undefined' };
  }
}
