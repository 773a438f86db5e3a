// The editor's change ranges (incremental sync), kept for the analysis: each didChange's changes
// as offsets of the text before each of them, so that the analysis re-reads only what an edit
// touched instead of comparing whole texts (c/textEdit.ts, c/document.ts). Documents are kept as
// largeDocument.ts keeps them; this only records, per URI, what changed since the analysis last
// took the text.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from 'vscode-languageserver/node';
import type { SpanEdit } from '../analysis/relocate';
import { composeEdits } from '../analysis/c/textEdit';
import { documentsConfiguration } from './largeDocument';

export class ChangeRanges {
  /** Per URI: the changes since the text was last taken, as one span; null once a change replaced the whole text. */
  private readonly pending = new Map<string, SpanEdit | null>();

  /** For TextDocuments: applies each change as largeDocument.ts does, recording where it falls first. */
  readonly configuration: TextDocumentsConfiguration<TextDocument> = {
    create: documentsConfiguration.create,
    update: (document, changes, version) => this.update(document, changes, version),
  };

  private update(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    let doc = document;
    let span = this.pending.has(document.uri) ? (this.pending.get(document.uri) ?? null) : undefined;
    for (const change of changes) {
      if (!('range' in change) || !change.range || span === null) span = null;
      else {
        let start = doc.offsetAt(change.range.start);
        let end = doc.offsetAt(change.range.end);
        if (end < start) [start, end] = [end, start];
        span = composeEdits(span ?? null, { start, oldEnd: end, newEnd: start + change.text.length });
      }
      doc = documentsConfiguration.update(doc, [change], version);
    }
    this.pending.set(document.uri, span ?? null);
    return doc;
  }

  /**
   * The changes to `uri` since the last call, as one span of the text then (the analysis's text):
   * undefined when there were none, null when the whole text was replaced (compare the texts).
   */
  take(uri: string): SpanEdit | null | undefined {
    if (!this.pending.has(uri)) return undefined;
    const span = this.pending.get(uri) ?? null;
    this.pending.delete(uri);
    return span;
  }

  /** The document was closed (or opened again): what it had pending is not an edit of the next text. */
  forget(uri: string): void {
    this.pending.delete(uri);
  }
}
