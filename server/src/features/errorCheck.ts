// How a loader checks the calls around the point where a quick fix adds one, so the added call is
// checked the same way: `err = CALL; if (err) goto out;`, `if (CALL) { fprintf(...); return 1; }`,
// `if (!ASSERT_OK(CALL, "name")) goto cleanup;`, `TRY(CALL);`, `err = err ?: CALL;`. The template is
// read from the loader's own code, in this order: an association call it already checks, the
// skeleton's load, its attach, then the null check after open/open_and_load (whose body gets the
// skeleton destroyed before it returns: the skeleton exists by then). Messages in the copied
// check are rewritten to say what failed; a loader that checks nothing gets the bare call.
import { closing, escapeRegExp, indentAt, lineStartOffset, skipBlank, statementEnd } from './sourceText';

/** A call the loader makes, as a candidate template; offsets into the loader's text. */
export interface TemplateCall {
  start: number;
  end: number;
  /** `int`: returns 0 or a negative error (load, attach, assoc); `pointer`: the skeleton (open, open_and_load). */
  returns: 'int' | 'pointer';
  /** For an association call: its program and map, renamed in the copied messages. */
  names?: { program: string; map: string };
}

export interface AddedCall {
  /** The call to add, without `;`. */
  call: string;
  program: string;
  map: string;
  skeletonVar: string;
  /** `NAME__destroy(skel)`: before a `return` copied from a check where the skeleton did not exist yet. */
  destroy: string;
}

const STRING = /"(?:[^"\\\n]|\\.)*"/g;
const CONVERSION = /%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|j|z|t|L)?[diouxXeEfFgGaAcspn%]|\\./g;

/** A message or test name from the template, made to say the added call failed. */
export function rewriteMessage(body: string, added: AddedCall, names?: TemplateCall['names']): string {
  if (names) {
    const words = (s: string, from: string, to: string): string => s.replace(new RegExp(`(?<!\\w)${escapeRegExp(from)}(?!\\w)`, 'g'), () => to);
    return words(words(body, names.program, added.program), names.map, added.map);
  }
  // A bare name such as ASSERT_OK's "skel_load": the API's name.
  const conversions = [...body.matchAll(CONVERSION)];
  if (!/\s/.test(body) && !conversions.some((m) => m[0].startsWith('%'))) return 'bpf_program__assoc_struct_ops';
  // The longest run of text between conversions and escapes carries the words; conversions and
  // their arguments stay as they are.
  const pieces: { at: number; text: string }[] = [];
  let last = 0;
  for (const m of conversions) {
    pieces.push({ at: last, text: body.slice(last, m.index) });
    last = (m.index ?? 0) + m[0].length;
  }
  pieces.push({ at: last, text: body.slice(last) });
  const longest = pieces.filter((p) => /[A-Za-z]/.test(p.text)).sort((a, b) => b.text.length - a.text.length)[0];
  if (!longest) return body;
  const core = /[A-Za-z0-9_][^]*[A-Za-z0-9_)]|[A-Za-z]/.exec(longest.text);
  if (!core) return body;
  const phrase = `${/^[A-Z]/.test(core[0]) ? 'Failed' : 'failed'} to associate ${added.program} with ${added.map}`;
  const at = longest.at + (core.index ?? 0);
  return body.slice(0, at) + phrase + body.slice(at + core[0].length);
}

function rewriteLiterals(code: string, added: AddedCall, names?: TemplateCall['names']): string {
  return code.replace(STRING, (lit) => `"${rewriteMessage(lit.slice(1, -1), added, names)}"`);
}

/** The `||` operand of a condition that holds `at` (offsets relative to the condition). */
function operandAt(cond: string, at: number): string {
  let depth = 0;
  let from = 0;
  for (let i = 0; i < cond.length; i++) {
    const ch = cond[i] as string;
    if (ch === '"' || ch === "'") {
      for (i++; i < cond.length && cond[i] !== ch; i++) if (cond[i] === '\\') i++;
    } else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (depth === 0 && cond.startsWith('||', i)) {
      if (at < i) return cond.slice(from, i).trim();
      from = i + 2;
    }
  }
  return cond.slice(from).trim();
}

/** `if (...)` starting at `at`: the condition's parenthesis range and the end of its body (an `else` is left out). */
function ifStatement(text: string, at: number): { open: number; close: number; bodyEnd: number } | null {
  if (!/^if\s*\(/.test(text.slice(at, at + 20))) return null;
  const open = text.indexOf('(', at);
  const close = closing(text, open);
  return { open, close, bodyEnd: statementEnd(text, close) };
}

/** A body copied from a check made before the skeleton existed: destroy it before returning. */
function destroyingBody(text: string, from: number, to: number, base: string, added: AddedCall): string {
  const body = text.slice(from, to);
  if (/\bgoto\b/.test(body) || !/\breturn\b/.test(body)) return body;
  const braced = text[skipBlank(text, from)] === '{';
  if (braced) {
    const lines = body.split('\n');
    const k = lines.findIndex((l) => /\breturn\b/.test(l));
    const indent = /^[ \t]*/.exec(lines[k] ?? '')?.[0] ?? `${base}\t`;
    lines.splice(k, 0, `${indent}${added.destroy};`);
    return lines.join('\n');
  }
  const statement = body.trim();
  const inner = body.startsWith('\n') || body.startsWith('\r\n') ? indentAt(text, skipBlank(text, from)) : `${base}\t`;
  return ` {\n${inner}${added.destroy};\n${inner}${statement}\n${base}}`;
}

/** A check that passes when the call fails (the selftests' ASSERT_ERR): no model for a call meant to succeed. */
const FAILURE_CHECK = /^(?:\w+_)?ERR(?:_PTR)?$/;

function expectsFailure(code: string): boolean {
  return FAILURE_CHECK.test(code) || [...code.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].some((m) => FAILURE_CHECK.test(m[1] ?? ''));
}

/** The check around one template call, rewritten for the added call; null when the call is not checked there. */
function mirror(text: string, t: TemplateCall, added: AddedCall, insertAt: number): string | null {
  const lineStart = lineStartOffset(text, t.start);
  const base = indentAt(text, lineStart);
  const stmt = lineStart + base.length;
  const prefix = text.slice(stmt, t.start);
  const callText = text.slice(t.start, t.end);
  const lit = (code: string): string => rewriteLiterals(code, added, t.names);
  // if (... CALL ...) BODY
  const ifs = /^if\s*\(/.test(prefix) ? ifStatement(text, stmt) : null;
  if (ifs && t.end <= ifs.close - 1) {
    if (t.returns === 'pointer') return null;
    const cond = text.slice(ifs.open + 1, ifs.close - 1);
    const operand = operandAt(cond, t.start - (ifs.open + 1));
    const at = operand.indexOf(callText);
    if (at < 0 || expectsFailure(operand)) return null;
    return `if (${lit(operand.slice(0, at))}${added.call}${lit(operand.slice(at + callText.length))})${lit(text.slice(ifs.close, ifs.bodyEnd))}`;
  }
  // VAR = CALL;  [TYPE] VAR = CALL;  VAR = VAR ?: CALL;
  const assign = /^([A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)\s*=\s*(?:(\2)\s*\?:\s*)?$/.exec(prefix);
  if (assign?.[2]) {
    const v = assign[2];
    // `int ret = NAME__attach(skel);` below the added code: `ret` is not declared yet where it goes.
    if (assign[1] && t.start >= insertAt) return null;
    const end = statementEnd(text, stmt);
    if (text.slice(t.end, end).trim() !== ';') return null;
    if (assign[3]) return t.returns === 'int' ? `${v} = ${v} ?: ${added.call};` : null;
    const next = skipBlank(text, end);
    const uses = new RegExp(`\\b${v}\\b`);
    const check = ifStatement(text, next);
    if (t.returns === 'pointer') {
      if (v !== added.skeletonVar || !check) return null;
      const cond = text.slice(check.open + 1, check.close - 1).trim();
      const assertPtr = new RegExp(`^!\\s*ASSERT_OK_PTR\\s*\\(\\s*${v}\\s*,(.*)\\)$`, 's').exec(cond);
      const isNull = new RegExp(`^(?:!\\s*${v}|${v}\\s*==\\s*NULL|NULL\\s*==\\s*${v})$`).test(cond);
      if (!assertPtr && !isNull) return null;
      const newCond = assertPtr ? `!ASSERT_OK(${added.call},${lit(assertPtr[1] ?? '')})` : added.call;
      return `if (${newCond})${lit(destroyingBody(text, check.close, check.bodyEnd, base, added))}`;
    }
    const condition = check ? text.slice(check.open, check.close) : '';
    if (check && uses.test(condition) && !expectsFailure(condition)) return `${v} = ${added.call};\n${base}${lit(text.slice(next, check.bodyEnd))}`;
    // ASSERT_OK(err, "load");
    const macroEnd = statementEnd(text, next);
    const macro = text.slice(next, macroEnd);
    const name = /^([A-Za-z_]\w*)\s*\(/.exec(macro)?.[1];
    if (name && !expectsFailure(name) && uses.test(macro) && macro.trimEnd().endsWith(';')) return `${v} = ${added.call};\n${base}${lit(macro)}`;
    return null;
  }
  // TRY(CALL);  ASSERT_OK(CALL, "load");  CHECK(CALL)
  const wrapped = /^([A-Za-z_]\w*)\s*\(\s*$/.exec(prefix);
  if (wrapped?.[1] && t.returns === 'int' && !expectsFailure(wrapped[1]) && (/^[A-Z_][A-Z0-9_]*$/.test(wrapped[1]) || /assert|check|try|expect/i.test(wrapped[1]))) {
    let end = closing(text, stmt + prefix.indexOf('('));
    const semi = /^[ \t]*;/.exec(text.slice(end));
    if (semi) end += semi[0].length;
    return `${lit(prefix)}${added.call}${lit(text.slice(t.end, end))}`;
  }
  return null;
}

/**
 * The lines to add (the first without indentation, the others indented as the template was,
 * relative to `base`), and the template's own indentation.
 */
export function checkedCall(text: string, templates: TemplateCall[], added: AddedCall, insertAt = text.length): { block: string; base: string } {
  for (const t of templates) {
    const block = mirror(text, t, added, insertAt);
    if (block !== null) return { block, base: indentAt(text, lineStartOffset(text, t.start)) };
  }
  return { block: `${added.call};`, base: '' };
}
