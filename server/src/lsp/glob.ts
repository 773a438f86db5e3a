// Glob patterns of the `bpfAssoc.files.exclude` setting, matched against workspace-relative
// paths: `**` any number of path segments, `*` and `?` within one segment, `{a,b}` alternatives.
// A pattern without a slash matches a name at any depth (like `files.exclude`'s `**/name`).

function escape(ch: string): string {
  return /[\\^$.|+()[\]{}*?]/.test(ch) ? `\\${ch}` : ch;
}

export function globToRegExp(glob: string): RegExp {
  // `dir/**` and `dir/` mean the directory itself too, so the walk can skip it whole.
  let g = glob.trim().replace(/^\.\//, '').replace(/(?:\/\*\*)+$/, '').replace(/\/+$/, '');
  if (!g.includes('/')) g = `**/${g}`;
  let re = '';
  let braces = 0;
  for (let i = 0; i < g.length; i++) {
    const ch = g[i] as string;
    if (ch === '*' && g[i + 1] === '*') {
      const slashAfter = g[i + 2] === '/';
      re += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '{') {
      braces++;
      re += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (ch === ',' && braces > 0) re += '|';
    else re += escape(ch);
  }
  // A pattern naming a directory also covers everything below it.
  return new RegExp(`^${re}(?:/.*)?$`);
}

/** One predicate for a list of globs (entries may also be `{ "glob": true }` objects). */
export function excludeMatcher(globs: unknown): (relativePath: string) => boolean {
  const list: string[] = Array.isArray(globs)
    ? globs.filter((g): g is string => typeof g === 'string')
    : globs && typeof globs === 'object'
      ? Object.entries(globs as Record<string, unknown>).filter(([, on]) => on === true).map(([g]) => g)
      : [];
  const res = list.filter((g) => g.trim()).map(globToRegExp);
  return (p) => res.some((re) => re.test(p));
}
