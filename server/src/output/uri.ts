// URIs for paths, as RFC 3986 wants them: every byte of a segment outside the unreserved set
// (A-Z a-z 0-9 - . _ ~) is percent-encoded from UTF-8, so spaces, quotes, <, >, newlines, %, #, ?,
// brackets and parentheses in a file name never end or bend the uri (SARIF, Markdown links).

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) {
    if (UNRESERVED.test(ch)) out += ch;
    // A lone surrogate becomes U+FFFD's bytes: encoding never throws.
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A relative reference: `dir with space/a#b.c` -> `dir%20with%20space/a%23b.c`. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeSegment).join('/');
}

/** `file:///abs/path` for an absolute POSIX path, percent-encoded. */
export function fileUri(absolutePath: string): string {
  return `file://${encodePath(absolutePath.startsWith('/') ? absolutePath : `/${absolutePath}`)}`;
}
