// Typing sessions as data: a workspace, the file typed into, and keystrokes (move the cursor, type
// text, backspace, delete). replaySession() sends them to a real language server one character
// at a time as incremental didChange notifications, and after each one asks for the model (which
// rebuilds it at once, as the debounced rebuild would when the typist pauses). Lines the session
// touched are tracked, so what the server says about every other line can be followed.
import { readFileSync } from 'node:fs';
import type { Position } from 'vscode-languageserver-protocol/node';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { ModelRequest } from '../../server/src/protocol';
import type { TestClient } from './client';

/** Where the cursor goes: right after (or before) the `nth` occurrence of a text. */
export interface CursorTarget {
  after?: string;
  before?: string;
  nth?: number;
}

/** `type`: one change per character; `paste`: the whole text in one change; `backspace`/`delete`: characters before/after the cursor, one change each. */
export type Keystroke = { cursor: CursorTarget } | { type: string } | { paste: string } | { backspace: number } | { delete: number };

export interface TypingSession {
  /** What the typist does, in words. */
  description: string;
  /** A directory of the repository, or an absolute path (its build/ is left out), copied for the session. */
  workspace: string;
  /** The file typed into, relative to the workspace. */
  file: string;
  /** Its text when the session starts; the workspace's copy when absent. */
  text?: string;
  keys: Keystroke[];
}

export function loadSession(path: string): TypingSession {
  const s = JSON.parse(readFileSync(path, 'utf8')) as TypingSession;
  if (typeof s.workspace !== 'string' || typeof s.file !== 'string' || !Array.isArray(s.keys)) throw new Error(`${path}: a session needs workspace, file and keys`);
  return s;
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** One step: the text after it, and the model the server built for it. */
export interface Step {
  index: number;
  /** What was typed, for messages: `'{'`, `backspace`. */
  key: string;
  text: string;
  model: WorkspaceModel;
  /** For each line of the edited file now: its line in the starting text, or null when the session touched it. */
  origin: (number | null)[];
}

/**
 * Replays a session against `client` (the workspace indexed and the file open with `startText`).
 * `onStep` sees every state, starting with the untouched one (index 0).
 */
export async function replaySession(client: TestClient, path: string, startText: string, keys: Keystroke[], onStep: (step: Step) => void): Promise<Step> {
  let text = startText;
  let cursor = 0;
  const origin: (number | null)[] = text.split('\n').map((_, i) => i);
  let index = 0;
  const model = async (): Promise<WorkspaceModel> => (await client.request<ModelRequest.Result>(ModelRequest.method, {})).model;
  let last: Step = { index, key: '(start)', text, model: await model(), origin: [...origin] };
  onStep(last);
  const send = async (start: number, end: number, insert: string, key: string): Promise<void> => {
    const range = { start: positionAt(text, start), end: positionAt(text, end) };
    // Lines the change touches become touched; lines it adds are touched; lines it joins go away.
    const removedLines = range.end.line - range.start.line;
    const added = insert.split('\n').length - 1;
    origin.splice(range.start.line, removedLines + 1, ...new Array<null>(added + 1).fill(null));
    text = text.slice(0, start) + insert + text.slice(end);
    cursor = start + insert.length;
    await client.change(path, [{ range, text: insert }]);
    last = { index: ++index, key, text, model: await model(), origin: [...origin] };
    onStep(last);
  };
  for (const k of keys) {
    if ('cursor' in k) {
      const needle = k.cursor.after ?? k.cursor.before;
      if (needle === undefined) throw new Error('a cursor move needs after or before');
      let at = -1;
      for (let i = 0; i <= (k.cursor.nth ?? 0); i++) {
        at = text.indexOf(needle, at + 1);
        if (at < 0) throw new Error(`cursor: '${needle}' (#${k.cursor.nth ?? 0}) is not in the text`);
      }
      cursor = k.cursor.after !== undefined ? at + needle.length : at;
    } else if ('type' in k) {
      for (const ch of k.type) await send(cursor, cursor, ch, JSON.stringify(ch));
    } else if ('paste' in k) {
      await send(cursor, cursor, k.paste, 'paste');
    } else if ('backspace' in k) {
      for (let i = 0; i < k.backspace && cursor > 0; i++) await send(cursor - 1, cursor, '', 'backspace');
    } else {
      for (let i = 0; i < k.delete && cursor < text.length; i++) await send(cursor, cursor + 1, '', 'delete');
    }
  }
  return last;
}
