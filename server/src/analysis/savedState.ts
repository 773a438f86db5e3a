// A translation unit's saved state, from what the caller says of each file: when it was last
// saved (its mtime; the editor's buffer does not change it) and whether the editor's buffer
// differs from the saved file. No clock and no disk here: both are inputs.
import type { BpfObjectFacts } from './facts';
import { changedFacts } from './facts';

export interface SavedState {
  modified?: number;
  unsaved?: boolean;
}

/** The newest saved time of the unit's files, which file it is, and the files with unsaved edits. */
export function savedStateOf(files: Iterable<readonly [string, SavedState | undefined]>): { modified?: number; newest?: string; unsaved?: string[] } {
  let modified: number | undefined;
  let newest: string | undefined;
  const unsaved: string[] = [];
  for (const [path, f] of files) {
    if (!f) continue;
    if (f.unsaved) unsaved.push(path);
    if (f.modified !== undefined && (modified === undefined || f.modified > modified)) {
      modified = f.modified;
      newest = path;
    }
  }
  return { ...(modified !== undefined ? { modified, newest } : {}), ...(unsaved.length ? { unsaved } : {}) };
}

const derived = new WeakMap<BpfObjectFacts, { key: string; facts: BpfObjectFacts }>();

/**
 * The unit's facts with its saved state. The same object as last time while neither the facts nor
 * the state changed: the engine keeps an object's replays while its facts are identical.
 */
export function withSavedState(facts: BpfObjectFacts, files: Iterable<readonly [string, SavedState | undefined]>): BpfObjectFacts {
  const state = savedStateOf(files);
  const key = JSON.stringify([state.modified, state.newest, state.unsaved]);
  const last = derived.get(facts);
  if (last?.key === key) return last.facts;
  const next = changedFacts(facts, { modified: state.modified, newest: state.newest, unsaved: state.unsaved });
  derived.set(facts, { key, facts: next });
  return next;
}
