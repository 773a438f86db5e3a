// The opening of every webview page of the extension: UTF-8, a content security policy that
// allows only what the page names (our stylesheet, images from the extension, and a script only
// when it carries the page's nonce), and one stylesheet. Pure, so the escaping is unit-tested.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export interface PageHead {
  /** The webview's `cspSource`. */
  cspSource: string;
  styleUri: string;
  title: string;
  /** Allows `<script nonce="...">` of this nonce; without it the page runs no script at all. */
  scriptNonce?: string;
}

export function pageHead(h: PageHead): string {
  const csp = [`default-src 'none'`, `style-src ${h.cspSource}`, `img-src ${h.cspSource}`, ...(h.scriptNonce ? [`script-src 'nonce-${h.scriptNonce}'`] : [])].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(h.styleUri)}">
<title>${escapeHtml(h.title)}</title>
</head>`;
}
