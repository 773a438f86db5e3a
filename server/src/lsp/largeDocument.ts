// Open documents too large to be kept as one string per version. vscode-languageserver-textdocument
// rebuilds the whole string on every incremental change (a 20 MB buffer: a 20 MB copy, 0.3 s per
// keystroke here); a large document is kept as its lines instead, an edit replaces only the lines
// it touches, and the whole text is joined only when someone asks for it (once per analysis).
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextDocumentContentChangeEvent, TextDocumentsConfiguration } from 'vscode-languageserver/node';

/** Documents larger than this (characters) are kept as lines. */
export const LARGE_DOCUMENT_CHARS = 1 << 20;

/** Lines with their terminators (\r\n, \r or \n, as LSP counts lines); the last has none. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) {
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function contentLength(line: string): number {
  if (line.endsWith('\r\n')) return line.length - 2;
  return line.endsWith('\n') || line.endsWith('\r') ? line.length - 1 : line.length;
}

export class LargeDocument implements TextDocument {
  /** Split from `text` when first needed (an edit, a position): opening costs nothing more. */
  private split: string[] | undefined;
  private text: string | undefined;
  /** Offset of each line's start, computed when first needed after an edit. */
  private starts: number[] | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    content: string,
  ) {
    this.text = content;
  }

  private get lines(): string[] {
    this.split ??= splitLines(this.text ?? '');
    return this.split;
  }

  private set lines(lines: string[]) {
    this.split = lines;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  getText(range?: Range): string {
    this.text ??= this.lines.join('');
    return range ? this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : this.text;
  }

  offsetAt(position: Position): number {
    const starts = this.lineStarts();
    if (position.line >= this.lines.length) return starts[this.lines.length] as number;
    if (position.line < 0) return 0;
    const line = this.lines[position.line] as string;
    return (starts[position.line] as number) + Math.max(0, Math.min(position.character, contentLength(line)));
  }

  positionAt(offset: number): Position {
    const starts = this.lineStarts();
    const at = Math.max(0, Math.min(offset, starts[this.lines.length] as number));
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(at - (starts[lo] as number), contentLength(this.lines[lo] as string)) };
  }

  getLineRange(line: number): Range {
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    if (line >= this.lines.length) {
      const end = this.positionAt(Number.MAX_SAFE_INTEGER);
      return { start: end, end };
    }
    return { start: { line, character: 0 }, end: { line, character: contentLength(this.lines[line] as string) } };
  }

  getEOLCharacters(line: number): string {
    const text = this.lines[line];
    return text === undefined ? '' : text.slice(contentLength(text));
  }

  /** Applies the editor's changes: only the lines an incremental change touches are rebuilt. */
  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change) || !change.range) {
        this.split = undefined;
        this.text = change.text;
        this.starts = undefined;
      } else this.replace(change.range, change.text);
    }
    this.version = version;
  }

  private replace(range: Range, inserted: string): void {
    const clamp = (p: Position): Position => (p.line >= this.lines.length ? { line: this.lines.length - 1, character: Number.MAX_SAFE_INTEGER } : p.line < 0 ? { line: 0, character: 0 } : p);
    let start = clamp(range.start);
    let end = clamp(range.end);
    if (end.line < start.line || (end.line === start.line && end.character < start.character)) [start, end] = [end, start];
    // A line before that ends in a lone \r joins an inserted leading \n into one line break: take it in.
    const from = start.line > 0 && (this.lines[start.line - 1] as string).endsWith('\r') ? start.line - 1 : start.line;
    const first = this.lines[start.line] as string;
    const last = this.lines[end.line] as string;
    const before = (from < start.line ? (this.lines[from] as string) : '') + first.slice(0, Math.min(start.character, contentLength(first)));
    const after = last.slice(Math.min(end.character, contentLength(last)));
    const replacement = splitLines(before + inserted + after);
    // Unless the region ends the document, it ends with a line break: no partial line after it.
    if (end.line < this.lines.length - 1) replacement.pop();
    this.lines.splice(from, end.line - from + 1, ...replacement);
    this.text = undefined;
    this.starts = undefined;
  }

  private lineStarts(): number[] {
    if (!this.starts) {
      const starts = new Array<number>(this.lines.length + 1);
      let offset = 0;
      for (let i = 0; i < this.lines.length; i++) {
        starts[i] = offset;
        offset += (this.lines[i] as string).length;
      }
      starts[this.lines.length] = offset;
      this.starts = starts;
    }
    return this.starts;
  }
}

/** For TextDocuments: small documents as vscode-languageserver-textdocument keeps them, large ones as lines. */
export const documentsConfiguration: TextDocumentsConfiguration<TextDocument> = {
  create: (uri, languageId, version, content) =>
    content.length > LARGE_DOCUMENT_CHARS ? new LargeDocument(uri, languageId, version, content) : TextDocument.create(uri, languageId, version, content),
  update: (document, changes, version) => {
    if (document instanceof LargeDocument) {
      document.update(changes, version);
      return document;
    }
    return TextDocument.update(document, changes, version);
  },
};

/** Whether reading the whole text of this document is worth deferring (it is joined from lines). */
export function isLargeDocument(document: TextDocument): boolean {
  return document instanceof LargeDocument;
}
