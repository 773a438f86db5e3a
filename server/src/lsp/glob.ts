// Glob patterns of the `bpfAssoc.files.exclude` setting, matched by picomatch against
// workspace-relative paths: `**`, `*`, `?`, `[...]`, `{a,b}` and extglobs as picomatch reads them.
// A pattern without a slash matches a name at any depth (like `files.exclude`'s `**/name`); a
// pattern that matches a directory covers everything below it (so the walk skips it whole). As in
// `files.exclude`, there are no `!` patterns (picomatch would read one as "everything else").
import picomatch from 'picomatch';

const OPTIONS: picomatch.PicomatchOptions = { dot: true };

/** `./dir/**` and `dir/` name the directory `dir` itself; `name` is `**` + `/name`. */
function normalize(glob: string): string {
  const g = glob.trim().replace(/^\.\//, '').replace(/(?:\/\*\*)+$/, '').replace(/\/+$/, '');
  return g && !g.includes('/') ? `**/${g}` : g;
}

/** One predicate for a list of globs (entries may also be `{ "glob": true }` objects). */
export function excludeMatcher(globs: unknown): (relativePath: string) => boolean {
  const list: string[] = Array.isArray(globs)
    ? globs.filter((g): g is string => typeof g === 'string')
    : globs && typeof globs === 'object'
      ? Object.entries(globs as Record<string, unknown>).filter(([, on]) => on === true).map(([g]) => g)
      : [];
  const patterns = list.filter((g) => !g.trim().startsWith('!')).map(normalize).filter(Boolean);
  if (!patterns.length) return () => false;
  const isExcluded = picomatch(patterns, OPTIONS);
  return (path) => {
    // The path itself, or a directory above it.
    for (let end = path.length; end > 0; end = path.lastIndexOf('/', end - 1)) {
      if (isExcluded(path.slice(0, end))) return true;
    }
    return false;
  };
}
