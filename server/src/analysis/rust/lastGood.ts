// Error tolerance while typing a Rust loader, as lastGoodFacts.ts gives C: while an editor's buffer
// parses with errors its last clean text did not have (a half-typed `links.push(` swallows the rest
// of the function), its facts are those of the last clean text, moved to where the edits put that
// text; they are read again once the file parses cleanly (or its errors were there before: then
// the grammar's gap is not the typist's, and the text is read as it is). Only editors' buffers are
// held: the CLI reads final texts as they are.
import { LineIndex } from '../c/lineIndex';
import type { LoaderFacts } from '../facts';
import { appendEdit, relocateFacts, spanEdit, type SpanEdit } from '../relocate';

interface Clean {
  text: string;
  lines: LineIndex;
  facts: LoaderFacts;
  /** The text of the latest reading (held or not) and the edits from `text` to it, keystroke by keystroke. */
  latest: string;
  trail: SpanEdit[];
}

export class RustLastGood {
  private readonly clean = new Map<string, Clean>();

  /** The facts of `text` as `read` gives them, or the last clean reading's, moved, while `broken`. */
  read(path: string, text: string, live: boolean, broken: boolean, key: string, read: () => LoaderFacts): LoaderFacts {
    if (!live) {
      this.clean.delete(path);
      return read();
    }
    const good = this.clean.get(`${path}\n${key}`);
    if (good && broken && good.text !== text) {
      const step = spanEdit(good.latest, text);
      if (step) appendEdit(good.trail, step);
      good.latest = text;
      return relocateFacts(good.facts, path, good.trail, good.lines, new LineIndex(text));
    }
    const facts = read();
    if (!broken) {
      for (const k of this.clean.keys()) if (k.startsWith(`${path}\n`)) this.clean.delete(k);
      this.clean.set(`${path}\n${key}`, { text, lines: new LineIndex(text), facts, latest: text, trail: [] });
    }
    return facts;
  }

  forget(path: string): void {
    for (const k of this.clean.keys()) if (k.startsWith(`${path}\n`)) this.clean.delete(k);
  }
}
