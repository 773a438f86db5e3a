// The one way the CLI and the server read a workspace file from disk. It opens the path without
// blocking (O_NONBLOCK: a FIFO named x.bpf.c can never hang the reader), checks what was opened
// (fstat on that descriptor, so a file swapped after a stat cannot slip through): only a regular
// file is read, and never more than MAX_FILE_BYTES, however much a device (/dev/zero) or a growing
// file would give.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Files larger than this are not read (a BPF object or skeleton is far smaller). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export type SourceRead =
  | { ok: true; bytes: Uint8Array; mtimeMs: number }
  /** `missing`: nothing there to analyse (no such path, or a directory); otherwise a file that cannot be read, and why. */
  | { ok: false; missing: boolean; reason: string };

const NOT_REGULAR: [test: (st: import('node:fs').Stats) => boolean, what: string][] = [
  [(st) => st.isFIFO(), 'a FIFO (named pipe)'],
  [(st) => st.isCharacterDevice(), 'a character device'],
  [(st) => st.isBlockDevice(), 'a block device'],
  [(st) => st.isSocket(), 'a socket'],
];

export function readSourceFile(path: string, maxBytes = MAX_FILE_BYTES): SourceRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR') return { ok: false, missing: true, reason: 'no such file' };
    return { ok: false, missing: false, reason: describe(err) };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, missing: true, reason: 'a directory' };
    if (!st.isFile()) {
      const what = NOT_REGULAR.find(([test]) => test(st))?.[1] ?? 'not a regular file';
      return { ok: false, missing: false, reason: `${what}, not a regular file: only regular files are read` };
    }
    if (st.size > maxBytes) return { ok: false, missing: false, reason: `${mib(st.size)} MiB, larger than the ${mib(maxBytes)} MiB bpf-assoc reads` };
    // Read what fstat announced, and one byte more to notice a file that grew since.
    const buffer = Buffer.allocUnsafe(st.size + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buffer, n, buffer.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buffer.length) return { ok: false, missing: false, reason: `it grew while being read (past the ${st.size} bytes it had); try again once it is written` };
    }
    return { ok: true, bytes: buffer.subarray(0, n), mtimeMs: st.mtimeMs };
  } catch (e) {
    return { ok: false, missing: false, reason: describe(e as NodeJS.ErrnoException) };
  } finally {
    closeSync(fd);
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 1 : 0);
}

function describe(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop)';
    case 'EAGAIN':
      return 'not ready to be read without blocking';
    default:
      return err.message;
  }
}
