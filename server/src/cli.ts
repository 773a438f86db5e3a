// bpf-assoc from a terminal or CI: the same analysis as the language server.
//   bpf-assoc check [paths...] [--format text|json|sarif] [--output FILE] [--kfunc NAME]...
//   bpf-assoc run --target NAME [paths...]   (remote/src/cli.ts: the association on a test VM)
// Exit status: 0 without error-level findings, 1 with them, 2 on usage or I/O errors.
import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadForCommand, skippedFindings } from './node/scan';
import { formatText } from './output/text';
import { escapeControls } from './output/escape';
import { modelToJson, TOOL_VERSION } from './output/json';
import { modelToSarif } from './output/sarif';
import { runCommand } from '../../remote/src/cli';
import { parseDefineOption } from './analysis/c/buildDefines';

const USAGE = `usage: bpf-assoc check [paths...] [options]
       bpf-assoc run --target NAME [paths...] [options]   (see bpf-assoc run --help)

Analyses libbpf C (BPF sources, loaders, bpftool skeletons, .bpf.o objects) and reports how
each BPF program is associated with struct_ops maps (BPF_PROG_ASSOC_STRUCT_OPS, Linux 7.0+).

options:
  --format text|json|sarif   output format (default: text)
  --output FILE, -o FILE     write the report to FILE instead of standard output
  --kfunc NAME               treat kfunc NAME as association-dependent (repeatable)
  --define NAME[=VALUE]      compile BPF sources with -DNAME[=VALUE] (--define=-UNAME to undefine;
                             repeatable) where no compile_commands.json or Makefile gives their -D flags
  --help, -h                 show this help
  --version                  print the version

exit status: 0 no errors, 1 error-level findings, 2 usage or I/O error
`;

export class UsageError extends Error {}

export interface CheckOptions {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  output: string | null;
  kfuncs: string[];
  /** -D/-U for BPF sources: `NAME`, `NAME=VALUE`, `-UNAME`. */
  defines: string[];
  help: boolean;
  version: boolean;
}

const CHECK_OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  kfunc: { type: 'string', multiple: true },
  define: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** node:util parseArgs, with its errors (unknown option, missing value) as usage errors. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, makeError: (message: string) => Error) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) throw makeError(e.message.replace(/\s*\n\s*/g, ' '));
    throw e;
  }
}

export function parseCheckArgs(args: string[]): CheckOptions {
  const { values, positionals } = parseCommandArgs(args, CHECK_OPTIONS, (m) => new UsageError(m));
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`unknown format '${format}' (text, json or sarif)`);
  const defines = values.define ?? [];
  for (const v of defines) if (!parseDefineOption(v)) throw new UsageError(`--define needs NAME, NAME=VALUE or -UNAME, not '${v}'`);
  return {
    paths: positionals.length ? positionals : ['.'],
    format,
    output: values.output ?? null,
    kfuncs: values.kfunc ?? [],
    defines,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

export async function check(o: CheckOptions): Promise<number> {
  const loaded = await loadForCommand(o.paths);
  if (!loaded) return 2;
  for (const s of loaded.scan.skipped) process.stderr.write(`bpf-assoc: skipped ${escapeControls(`${s.path}: ${s.reason}`)}\n`);
  // What could not be read is in the report too (unreadable-file), and is an I/O error: exit 2.
  const built = loaded.workspace.model({ extraKfuncs: o.kfuncs, defines: o.defines });
  const model = { ...built, findings: [...skippedFindings(loaded.scan), ...built.findings] };
  const report =
    o.format === 'json'
      ? JSON.stringify(modelToJson(model), null, 2) + '\n'
      : o.format === 'sarif'
        ? JSON.stringify(modelToSarif(model), null, 2) + '\n'
        : formatText(model);
  try {
    if (o.output) writeFileSync(o.output, report);
    else process.stdout.write(report);
  } catch (e) {
    process.stderr.write(`bpf-assoc: cannot write ${o.output}: ${(e as Error).message}\n`);
    return 2;
  }
  if (loaded.scan.skipped.some((s) => s.unreadable)) return 2;
  return model.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command) {
      // Like other CLIs: no command is a usage error, and usage goes to standard error.
      process.stderr.write(USAGE);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command === '--version') return printVersion();
    if (command === 'check') {
      const options = parseCheckArgs(rest);
      if (options.help) {
        process.stdout.write(USAGE);
        return 0;
      }
      if (options.version) return printVersion();
      return await check(options);
    }
    if (command === 'run') return await runCommand(rest, TOOL_VERSION);
    throw new UsageError(command.startsWith('-') ? `unknown option '${command}' (a command comes first: check or run)` : `unknown command '${command}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bpf-assoc: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`bpf-assoc: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

function printVersion(): number {
  process.stdout.write(`bpf-assoc ${TOOL_VERSION}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 2;
    },
  );
}
