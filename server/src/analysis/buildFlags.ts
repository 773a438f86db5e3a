// The -D and -U a build passes when it compiles a BPF source, from the files that say so reliably:
// compile_commands.json (one entry per compiled file) and, failing that, a Makefile's BPF_CFLAGS
// or CFLAGS lines. Anything built from make variables is left out, except libbpf's
// `-D__TARGET_ARCH_$(SRCARCH)`, which is __TARGET_ARCH_x86 on the machines these builds run on.
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { DEFAULT_COMMAND_LINE, parseDefineOption, type CommandLineDefine } from './c/buildDefines';

/** Splits a command line as a shell would for the simple quoting compile databases use. */
function shellWords(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''));
  return out;
}

/** The -D/-U of one argument list (`-DX`, `-D X`, `-UX`, `-U X`). */
export function definesOfArguments(args: readonly string[]): CommandLineDefine[] {
  const out: CommandLineDefine[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    let flag: string | null = null;
    if (/^-[DU].+/.test(a)) flag = a;
    else if ((a === '-D' || a === '-U') && args[i + 1] !== undefined) flag = a + (args[++i] as string);
    if (!flag) continue;
    const d = parseDefineOption(flag);
    if (d) out.push(d);
  }
  return out;
}

/** Per compiled file (absolute, normalized) its defines, from a compile_commands.json text. Null when it is not one. */
export function readCompileCommands(path: string, text: string): Map<string, CommandLineDefine[]> | null {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(entries)) return null;
  const out = new Map<string, CommandLineDefine[]>();
  for (const e of entries as Record<string, unknown>[]) {
    if (!e || typeof e !== 'object' || typeof e.file !== 'string') continue;
    const dir = typeof e.directory === 'string' ? e.directory : dirname(path);
    const file = normalize(isAbsolute(e.file) ? e.file : join(dir, e.file));
    const args = Array.isArray(e.arguments) ? e.arguments.filter((a): a is string => typeof a === 'string') : typeof e.command === 'string' ? shellWords(e.command) : [];
    out.set(file, definesOfArguments(args));
  }
  return out;
}

const FLAG_LINE = /^[ \t]*(?:override[ \t]+)?(BPF_CFLAGS|CLANG_BPF_FLAGS|BPF_EXTRA_CFLAGS|CFLAGS)[ \t]*(?:[:+?]?=)(.*)$/;
const MAKE_IF = /^[ \t]*(?:ifeq|ifneq|ifdef|ifndef)\b/;
const MAKE_ENDIF = /^[ \t]*endif\b/;

/**
 * The -D/-U of a Makefile's flag lines (null when it has none): BPF_CFLAGS (or CLANG_BPF_FLAGS,
 * BPF_EXTRA_CFLAGS) when the Makefile has them, else CFLAGS. Lines inside make conditionals
 * (`ifneq ... endif`) and flags built from make variables are left out.
 */
export function readMakefileDefines(text: string): CommandLineDefine[] | null {
  const lines: { bpf: boolean; words: string[] }[] = [];
  let depth = 0;
  for (const line of text.replace(/\\\r?\n/g, ' ').split('\n')) {
    if (MAKE_IF.test(line)) depth++;
    else if (MAKE_ENDIF.test(line)) depth = Math.max(0, depth - 1);
    const m = depth === 0 ? FLAG_LINE.exec(line) : null;
    if (m) lines.push({ bpf: m[1] !== 'CFLAGS', words: (m[2] ?? '').replace(/#.*$/, '').split(/\s+/).filter(Boolean) });
  }
  const chosen = lines.some((l) => l.bpf) ? lines.filter((l) => l.bpf) : lines;
  const out: CommandLineDefine[] = [];
  let any = false;
  for (const { words } of chosen) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      const flag = (w === '-D' || w === '-U') && words[i + 1] ? w + words[++i] : w;
      if (!/^-[DU]/.test(flag)) continue;
      any = true;
      if (/^-D__TARGET_ARCH_\$[({]\w+[)}]$/.test(flag)) out.push(...DEFAULT_COMMAND_LINE);
      else if (!flag.includes('$')) {
        const d = parseDefineOption(flag);
        if (d) out.push(d);
      }
    }
  }
  return any ? out : null;
}

/** The setting's or the CLI's defines, with the default architecture unless they name one. */
export function definesFromOptions(options: readonly string[]): CommandLineDefine[] {
  const given = options.map(parseDefineOption).filter((d): d is CommandLineDefine => d !== null);
  const namesArch = given.some((d) => d.name.startsWith('__TARGET_ARCH_'));
  return namesArch ? given : [...DEFAULT_COMMAND_LINE, ...given];
}
