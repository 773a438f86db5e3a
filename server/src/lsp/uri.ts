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
