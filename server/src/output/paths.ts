// File paths as users read them: relative to the working directory when inside it.
import { relative, isAbsolute } from 'node:path';

export function displayPath(file: string, base = process.cwd()): string {
  const rel = relative(base, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
