// `bpf-assoc run`: the VM run from a terminal or CI.
//   bpf-assoc run --target NAME [paths...] [--targets-file F] [--output FILE] [--format json|text]
// Exit status: 0 every target ran and nothing contradicted a prediction, 1 a target failed or
// an answer differed from the prediction, 2 usage or I/O errors.
import { readFileSync, writeFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { loadForCommand } from '../../server/src/node/scan';
import { escapeControls } from '../../server/src/output/escape';
import { builtinTargetNames, formatTable, parseTargets, runAssociationOnTargets, type VmRunResults } from '../../remote/src/index';
import type { VmTarget } from '../../remote/src/targets';
import { parseCommandArgs, UsageError } from './args';

export const RUN_USAGE = `usage: bpf-assoc run --target NAME [paths...] [options]

Runs one BPF object's struct_ops associations on test VMs over ssh and puts what each kernel
answered next to what the analysis predicts. Targets: the built-in qemu VMs "local" (Debian's
Linux 7.3 with the kernel selftests' bpf_testmod.ko) and "local-6.12" (Debian's stock 6.12, without
the association command) — prepare both once with "npm run vm:setup" in a checkout, or
"bash remote/vm/setup.sh" in the installed package — or targets from --targets-file.

options:
  --target NAME         target to run on (repeatable, or NAME,NAME); they run in parallel
  --targets-file FILE   JSON list of targets, the schema of the bpfAssoc.vm.targets setting
  --object NAME         the object to run (default: the only object with a compiled form)
  --loader FILE         the loader to run (default: the first loader of the object); it is built
                        here against libbpf 1.7 and run on the target, or, where it cannot run,
                        its association calls are replayed
  --replay-plan         replay the loader's calls as the analysis reads them, without running it
  --loader-budget SECS  stop a loader that still runs after SECS seconds with SIGINT (default 15)
  --associate-all MAP   associate every non-struct_ops program with MAP, as SCX_OPS_LOAD does
  --kernel FILE         boot this kernel image (e.g. a bzImage you built) for the built-in
                        target "local" instead of Debian's 7.3
  --format json|text    output format (default: json)
  --output FILE, -o     write the results to FILE instead of standard output
  --help, -h            show this help
  --version             print the version

exit status: 0 as predicted, 1 a target failed or an answer differs, 2 usage or I/O error
`;

export interface RunCliOptions {
  paths: string[];
  targets: string[];
  targetsFile: string | null;
  object: string | null;
  loader: string | null;
  associateAll: string | null;
  replayPlan: boolean;
  loaderBudget: number | null;
  kernel: string | null;
  format: 'json' | 'text';
  output: string | null;
}

const RUN_OPTIONS = {
  target: { type: 'string', multiple: true },
  'targets-file': { type: 'string' },
  object: { type: 'string' },
  loader: { type: 'string' },
  'associate-all': { type: 'string' },
  'replay-plan': { type: 'boolean' },
  'loader-budget': { type: 'string' },
  kernel: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** The options, or 'help' / 'version' when those were asked for. */
export function parseRunArgs(args: string[]): RunCliOptions | 'help' | 'version' {
  const { values: v, positionals } = parseCommandArgs(args, RUN_OPTIONS);
  if (v.help) return 'help';
  if (v.version) return 'version';
  let loaderBudget: number | null = null;
  if (v['loader-budget'] !== undefined) {
    loaderBudget = Number(v['loader-budget']);
    if (!Number.isFinite(loaderBudget) || loaderBudget <= 0) throw new UsageError('--loader-budget needs a number of seconds above 0');
  }
  const format = v.format ?? 'json';
  if (format !== 'json' && format !== 'text') throw new UsageError(`unknown format '${format}' (json or text)`);
  const targets = (v.target ?? []).flatMap((t) => t.split(',')).filter(Boolean);
  if (!targets.length) throw new UsageError('--target is required (e.g. --target local)');
  return {
    paths: positionals.length ? positionals : ['.'],
    targets,
    targetsFile: v['targets-file'] ?? null,
    object: v.object ?? null,
    loader: v.loader ?? null,
    associateAll: v['associate-all'] ?? null,
    replayPlan: v['replay-plan'] ?? false,
    loaderBudget,
    kernel: v.kernel ?? null,
    format,
    output: v.output ?? null,
  };
}

function resolveTargets(o: RunCliOptions): { configured: VmTarget[]; builtin: string[] } {
  let configured: VmTarget[] = [];
  if (o.targetsFile) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(o.targetsFile, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read ${o.targetsFile}: ${(e as Error).message}`);
    }
    const parsed = parseTargets(json);
    for (const p of parsed.problems) process.stderr.write(`bpf-assoc: ${o.targetsFile}: ${p.message}\n`);
    configured = parsed.targets;
  }
  const builtins = builtinTargetNames();
  const chosen: VmTarget[] = [];
  const builtin: string[] = [];
  for (const name of o.targets) {
    const t = configured.find((x) => x.name === name);
    if (t) chosen.push(t);
    else if (builtins.includes(name)) builtin.push(name);
    else throw new UsageError(`no target named "${name}" (built-in: ${builtins.join(', ')}${configured.length ? `; in ${o.targetsFile}: ${configured.map((x) => x.name).join(', ')}` : ''})`);
  }
  return { configured: chosen, builtin };
}

export async function runCommand(args: string[], version = ''): Promise<number> {
  let o: RunCliOptions;
  let targets: { configured: VmTarget[]; builtin: string[] };
  try {
    const parsed = parseRunArgs(args);
    if (parsed === 'help') {
      process.stdout.write(RUN_USAGE);
      return 0;
    }
    if (parsed === 'version') {
      process.stdout.write(`bpf-assoc ${version}\n`);
      return 0;
    }
    o = parsed;
    targets = resolveTargets(o);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bpf-assoc: ${e.message}\n\n${RUN_USAGE}`);
    return 2;
  }
  const loaded = await loadForCommand(o.paths);
  if (!loaded) return 2;
  const model = loaded.workspace.model();
  const runnable = model.objects.filter((x) => x.skeletons.length || x.objectFiles.length);
  const objectId = o.object ?? (runnable.length === 1 ? runnable[0]?.id : undefined);
  if (!objectId) {
    process.stderr.write(`bpf-assoc: ${runnable.length ? `several objects; choose one with --object (${runnable.map((x) => x.id).join(', ')})` : 'no compiled BPF object (.bpf.o or skeleton) under the given paths'}\n`);
    return 2;
  }
  const abort = new AbortController();
  // Ctrl-C cancels at whatever step each target is in. ssh runs in process groups of its own, so
  // a terminal's Ctrl-C reaches only this process: the master connection stays up until the
  // agents have been told to clean up. A second Ctrl-C does not cut that short.
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      process.stderr.write('bpf-assoc: still cancelling: waiting for the agents to free what they loaded\n');
      return;
    }
    process.stderr.write('bpf-assoc: cancelling (the agents detach and free what they loaded)...\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let results: VmRunResults;
  try {
    results = await runAssociationOnTargets({
      model,
      objectId,
      planOptions: { ...(o.loader ? { loader: o.loader } : {}), ...(o.associateAll ? { associateAllWith: o.associateAll } : {}) },
      replayPlan: o.replayPlan,
      ...(o.loaderBudget !== null ? { loaderBudget: o.loaderBudget } : {}),
      readFile: (p) => {
        try {
          return new Uint8Array(readFileSync(p));
        } catch {
          return null;
        }
      },
      targets: targets.configured,
      builtin: targets.builtin,
      ...(o.kernel ? { localKernel: o.kernel } : {}),
      signal: abort.signal,
      onProgress: (t, step) => process.stderr.write(`${escapeControls(`[${t}] ${step}`)}\n`),
    });
  } catch (e) {
    process.stderr.write(`bpf-assoc: ${(e as Error).message}\n`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
  }
  const text = o.format === 'text' ? formatTable(results.plan, results.targets) : JSON.stringify(results, null, 2) + '\n';
  try {
    if (o.output) writeFileSync(o.output, text);
    else process.stdout.write(text);
  } catch (e) {
    process.stderr.write(`bpf-assoc: cannot write ${o.output}: ${(e as Error).message}\n`);
    return 2;
  }
  if (abort.signal.aborted) return 130;
  const failed = results.targets.some((t) => t.status !== 'completed');
  const differs = results.rows.some((r) => Object.values(r.observed).some((c) => c.verdict === 'mismatch'));
  return failed || differs ? 1 : 0;
}
