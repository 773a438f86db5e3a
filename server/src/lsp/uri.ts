// File URIs <-> absolute paths. The server analyses files on disk, so only `file:` URIs map to a
// path; anything else (untitled buffers, git: views) is not ours.
import { fileURLToPath, pathToFileURL } from 'node:url';

export function pathOf(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

export function uriOf(path: string): string {
  return pathToFileURL(path).href;
}

/** `name.bpf.c:12` for a zero-based line, as a markdown link that opens the place. */
export function placeLink(path: string, line: number): string {
  const name = path.split('/').pop() ?? path;
  return `[${name}:${line + 1}](${uriOf(path)}#L${line + 1})`;
}
