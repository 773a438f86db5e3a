// Turning bytes into text we can analyse, with a clear word when we cannot.

export type DecodedText =
  | { ok: true; text: string; lossy: boolean }
  | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** A C file with NUL bytes in its first 8 KiB is not text (a binary saved as `.c`). */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * Decodes a source file. UTF-8 is expected; other encodings are read as Latin-1 so that
 * identifiers and positions of ASCII text stay right, and `lossy` says so.
 */
export function decodeSource(bytes: Uint8Array): DecodedText {
  if (looksBinary(bytes)) return { ok: false, reason: 'the file contains NUL bytes: it is binary, not C source' };
  try {
    return { ok: true, text: utf8.decode(bytes), lossy: false };
  } catch {
    return { ok: true, text: latin1.decode(bytes), lossy: true };
  }
}
