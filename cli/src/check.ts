// `bpf-assoc check`: the language server's analysis from a terminal or CI, as text, JSON or SARIF.
import { writeFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { loadForCommand, skippedFindings } from '../../server/src/node/scan';
import { formatText } from '../../server/src/output/text';
import { escapeControls } from '../../server/src/output/escape';
import { modelToJson } from '../../server/src/output/json';
import { modelToSarif } from '../../server/src/output/sarif';
import { parseDefineOption } from '../../server/src/analysis/c/buildDefines';
import { parseCommandArgs, UsageError } from './args';
import { keepYoungGenerationSmall } from './memory';

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

export function parseCheckArgs(args: string[]): CheckOptions {
  const { values, positionals } = parseCommandArgs(args, CHECK_OPTIONS);
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
  keepYoungGenerationSmall();
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
