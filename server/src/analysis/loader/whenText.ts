// A path's decisions in words: the loader's own conditions as written (`cbs && !dry_run`), and
// build conditions nothing in the workspace decides as what they are, a build's (`the loader is
// built with \`HAVE_SECOND_MAP\``), never as if the loader tested them at run time.
import type { PathLiteral } from './paths';

const quote = (s: string): string => `\`${s}\``;

/** `the loader is built with \`X\``, `... built without \`X\`` (for `!X`), `... built with \`A > 2\``. */
function builtWith(texts: string[]): string {
  const without = texts.filter((t) => /^!\s*\w+$/.test(t)).map((t) => t.replace(/^!\s*/, ''));
  const withs = texts.filter((t) => !/^!\s*\w+$/.test(t));
  const parts: string[] = [];
  if (withs.length) parts.push(`built with ${withs.map(quote).join(' and ')}`);
  if (without.length) parts.push(`${withs.length ? '' : 'built '}without ${without.map(quote).join(' and ')}`);
  return `the loader is ${parts.join(' and ')}`;
}

/**
 * Each way's decisions that say something (error checks left out; a decision met twice said once),
 * as text: `\`cbs\``, `the loader is built with \`HAVE_X\``, `\`cbs\` and the loader is built with \`HAVE_X\``.
 */
export function describeWays(when: PathLiteral[][]): string[] {
  const out: string[] = [];
  for (const way of when) {
    const said = way.filter((l) => !l.guard);
    const runtime = [...new Set(said.filter((l) => l.build === undefined).map((l) => l.text))];
    const build = [...new Set(said.filter((l) => l.build !== undefined).map((l) => l.text))];
    const text = [runtime.length ? quote(runtime.join(' && ')) : '', build.length ? builtWith(build) : ''].filter(Boolean).join(' and ');
    if (text) out.push(text);
  }
  return out;
}
