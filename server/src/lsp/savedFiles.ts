// What the disk holds for an open buffer: the saved file's mtime and text, re-read only when its
// mtime or size changed. The analysis core gets both as inputs (when a build is behind its
// sources; whether a buffer has unsaved edits), never a clock.
import { statSync } from 'node:fs';
import { MAX_FILE_BYTES, readSourceFile } from '../node/readSource';

interface SavedFile {
  mtimeMs: number;
  size: number;
  text: string | undefined;
}

export class SavedFiles {
  private readonly files = new Map<string, SavedFile>();

  /** The saved state of `path` against the editor's `buffer`. */
  stateOf(path: string, buffer: string): { modified?: number; unsaved: boolean } {
    const disk = this.read(path);
    if (!disk) return { unsaved: true };
    return { modified: disk.mtimeMs, unsaved: disk.text === undefined || disk.text !== buffer };
  }

  forget(path: string): void {
    this.files.delete(path);
  }

  private read(path: string): SavedFile | undefined {
    try {
      const st = statSync(path);
      const known = this.files.get(path);
      if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return known;
      // Too large to compare: counted as differing (the analysis then treats it as being edited).
      // Only a regular file is read (node/readSource.ts): an open FIFO or /dev/zero link never hangs or floods.
      const disk = st.size <= MAX_FILE_BYTES ? readSourceFile(path) : undefined;
      const text = disk?.ok ? Buffer.from(disk.bytes.buffer, disk.bytes.byteOffset, disk.bytes.byteLength).toString('utf8').replace(/^\uFEFF/, '') : undefined;
      const saved = { mtimeMs: st.mtimeMs, size: st.size, text };
      this.files.set(path, saved);
      return saved;
    } catch {
      this.files.delete(path);
      return undefined;
    }
  }
}
