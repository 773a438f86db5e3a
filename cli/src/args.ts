// What the CLI's commands share: node:util parseArgs with its errors as usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad arguments: the command prints the message and its usage, and exits 2. */
export class UsageError extends Error {}

/** node:util parseArgs, with its errors (unknown option, missing value) as usage errors. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(e.message.replace(/\s*\n\s*/g, ' '));
    throw e;
  }
}
