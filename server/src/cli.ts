// bpf-assoc from a terminal or CI: the same analysis as the language server.
//   bpf-assoc check [paths...] [--format text|json|sarif] [--output FILE] [--kfunc NAME]...
//   bpf-assoc run --target NAME [paths...]   (remote/src/cli.ts: the association on a test VM)
// Exit status: 0 without error-level findings, 1 with them, 2 on usage or I/O errors.
import { writeFileSync } from 'node:fs';
import { loadForCommand } from './node/scan';
import { formatText } from './output/text';
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
  --define NAME[=VALUE]      compile BPF sources with -DNAME[=VALUE] (-UNAME to undefine; repeatable)
                             where no compile_commands.json or Makefile gives their -D flags
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
}

export function parseCheckArgs(args: string[]): CheckOptions {
  const o: CheckOptions = { paths: [], format: 'text', output: null, kfuncs: [], defines: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--format' || a.startsWith('--format=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : value();
      if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`unknown format '${v}' (text, json or sarif)`);
      o.format = v;
    } else if (a === '--output' || a === '-o') o.output = value();
    else if (a === '--kfunc') o.kfuncs.push(value());
    else if (a === '--define' || a.startsWith('--define=')) {
      const v = a.includes('=') && a.startsWith('--define=') ? a.slice('--define='.length) : value();
      if (!parseDefineOption(v)) throw new UsageError(`--define needs NAME, NAME=VALUE or -UNAME, not '${v}'`);
      o.defines.push(v);
    }
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else o.paths.push(a);
  }
  if (!o.paths.length) o.paths.push('.');
  return o;
}

export async function check(o: CheckOptions): Promise<number> {
  const loaded = await loadForCommand(o.paths);
  if (!loaded) return 2;
  for (const s of loaded.scan.skipped) process.stderr.write(`bpf-assoc: skipped ${s.path}: ${s.reason}\n`);
  const model = loaded.workspace.model({ extraKfuncs: o.kfuncs, defines: o.defines });
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
  return model.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE);
      return command ? 0 : 2;
    }
    if (command === '--version') {
      process.stdout.write(`bpf-assoc ${TOOL_VERSION}\n`);
      return 0;
    }
    if (command === 'check') {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(USAGE);
        return 0;
      }
      return await check(parseCheckArgs(rest));
    }
    if (command === 'run') return await runCommand(rest);
    throw new UsageError(`unknown command '${command}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bpf-assoc: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`bpf-assoc: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
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
