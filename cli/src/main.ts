// bpf-assoc from a terminal or CI: the same analysis as the language server.
//   bpf-assoc check [paths...] [--format text|json|sarif] [--output FILE] [--kfunc NAME]...  (check.ts)
//   bpf-assoc run --target NAME [paths...]   (run.ts: the association on a test VM)
// Exit status: 0 without error-level findings, 1 with them, 2 on usage or I/O errors.
// The CLI composes the server's analysis (server/src) and the VM run (remote/src); neither
// imports it.
import { TOOL_VERSION } from '../../server/src/output/json';
import { UsageError } from './args';
import { check, parseCheckArgs } from './check';

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
    if (command === 'run') {
      // The VM run (ssh, qemu, the targets' schema validator) is initialised only for `run`; esbuild
      // bundles this require and runs the module's top level on first use.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runCommand } = require('./run') as typeof import('./run');
      return await runCommand(rest, TOOL_VERSION);
    }
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
