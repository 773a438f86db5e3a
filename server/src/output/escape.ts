// User-controlled strings (paths, section and symbol names, messages quoting them) in text that a
// terminal or a CI log shows: characters that end a line, move the cursor, recolour or reorder
// text are written as C-style escapes, so no file can forge a line or hide one.
//   C0 controls and DEL: \n \r \t, else \xHH
//   C1 controls (NEL...), line/paragraph separators, bidi controls, zero-width marks, BOM: \uHHHH

/** Characters escaped: C0, DEL, C1, U+061C, U+200B-U+200F, U+2028-U+202E, U+2060-U+2069, U+FEFF. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control, separator and bidi character written as an escape. */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, escapeOne);
}

