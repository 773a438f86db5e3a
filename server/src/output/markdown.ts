// Markdown (CommonMark, as VS Code renders hovers) around user-controlled strings: section, map
// and program names, file names, messages that quote them. What the user wrote is always data:
// a code span it cannot leave, text whose metacharacters are escaped, a link whose target is a
// percent-encoded file uri. Control characters are escaped first (a newline would start a block).
import { escapeControls } from './escape';
import { fileUri } from './uri';

/** Characters that start markup anywhere in a line: code, emphasis, links, HTML, entities, tables. */
const INLINE = /[\\`*[\]<>&|~@]/g;
/** An underscore that can open or close emphasis: not between two letters or digits. */
const EMPHASIS_UNDERSCORE = /(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;

/**
 * Plain text: rendered as written, with no emphasis, link, autolink (`https://`, `www.`, `a@b.c`),
 * HTML or block of its own. Identifiers (`st_ops_map_a.test_1`) come out unchanged.
 */
export function mdText(s: string): string {
  return escapeControls(s)
    .replace(INLINE, '\\$&')
    .replace(EMPHASIS_UNDERSCORE, '\\_')
    .replace(/(https?|ftp):\/\//gi, '$1\\://')
    .replace(/\bwww\./gi, 'www\\.')
    // What makes a block when it starts a line: list item, heading, quote, setext underline.
    .replace(/^[-+#>=]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A code span: the fence is one backtick longer than the longest run inside. */
export function mdCode(s: string): string {
  const content = escapeControls(s);
  if (content === '') return '';
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick (or a space) needs a space that CommonMark strips.
  const pad = /^[`\s]|[`\s]$/.test(content) && content.trim() !== '' ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** `[label](file:///path#Lline)`: a link to a zero-based line of a file. */
export function mdPlaceLink(path: string, line: number): string {
  const name = path.split('/').pop() ?? path;
  return `[${mdText(`${name}:${line + 1}`)}](${fileUri(path)}#L${line + 1})`;
}
