// The C grammar, loaded once. Parsing never throws: a parse that runs past its budget is
// cancelled and reported, and the caller gets null.
// eslint-disable-next-line no-restricted-imports -- reads only the grammar wasm shipped with bpf-assoc (beside dist/*.js or in node_modules), never workspace input
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

export type { Node, Range, Tree } from 'web-tree-sitter';

let ready: Promise<Language> | undefined;
let language: Language | undefined;
let parser: Parser | undefined;

/** A file shipped with bpf-assoc: beside the bundle, or in node_modules when run from sources. */
export function locateShipped(name: string, packagePath: string): string {
  // Bundled: beside dist/*.js. From sources (tests): in node_modules.
  const beside = join(__dirname, name);
  if (existsSync(beside)) return beside;
  return require.resolve(packagePath);
}

/** Loads the tree-sitter runtime and the C grammar. Safe to call many times. */
export function loadGrammar(): Promise<Language> {
  ready ??= (async () => {
    const runtime = locateShipped('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
    await Parser.init({ locateFile: () => runtime });
    language = await Language.load(locateShipped('tree-sitter-c.wasm', 'tree-sitter-c/tree-sitter-c.wasm'));
    parser = new Parser();
    parser.setLanguage(language);
    return language;
  })();
  return ready;
}

export function grammar(): Language {
  if (!language) throw new Error('loadGrammar() has not finished');
  return language;
}

/**
 * Default budget for one parse, in work: tree-sitter's progress callbacks, one per 100 parser
 * operations, so a result never depends on how busy the machine is. About 2 s of an idle core
 * here; a kernel's 3 MB vmlinux.h needs 22,186, and files past MAX_PARSED_BYTES (4 MiB) are not
 * parsed at all, so only pathological input reaches it.
 */
export const PARSE_BUDGET_STEPS = 60_000;

/**
 * The other half of a parse's work: the characters tree-sitter's lexer reads. A token's lookahead
 * can run far and back up, uncounted by the progress callbacks: from each `/*` with no `*\/` after
 * it the lexer reads to the end of the file, so 30,000 of them read about 10^9 characters within
 * the first 10,000 steps (34 s). A parse reads each character about twice (vmlinux.h: 5.2 million
 * reads for 3.0 million characters); 16 Mi is four times the largest file parsed, under 1 s.
 */
export const PARSE_READ_BUDGET = 16 * 1024 * 1024;

/** The web binding hands the lexer at most this many UTF-16 units per read (its 10 KiB buffer). */
const READ_CHUNK = 5119;

/**
 * Parses `text` with `p` within the budget: cancelled (null) past `budgetSteps` progress callbacks
 * or past `PARSE_READ_BUDGET` characters read. Never throws.
 */
export function parseWithinBudget(p: Parser, text: string, old: Tree | null, budgetSteps: number): Tree | null {
  let steps = 0;
  let read = 0;
  let parsing = true;
  // The tree keeps this function to give node texts once the parse is over: then whole.
  const input = (index: number): string => {
    if (!parsing) return text.slice(index);
    const chunk = text.slice(index, index + READ_CHUNK);
    read += chunk.length;
    return chunk;
  };
  try {
    const tree = p.parse(input, old, {
      progressCallback: () => ++steps > budgetSteps || read > PARSE_READ_BUDGET,
    });
    parsing = false;
    // A cancelled parse would otherwise resume on the next call, with the next file's text.
    if (!tree) p.reset();
    return tree;
  } catch {
    parsing = false;
    p.reset();
    return null;
  }
}

/**
 * Parses C text, reusing `old` (already edited) for incremental parsing.
 * Returns null when the parse ran out of budget (`budgetSteps` progress callbacks, or
 * `PARSE_READ_BUDGET` characters read) or the parser failed.
 */
export function parseC(text: string, old?: Tree | null, budgetSteps = PARSE_BUDGET_STEPS): Tree | null {
  if (!parser) throw new Error('loadGrammar() has not finished');
  return parseWithinBudget(parser, text, old ?? null, budgetSteps);
}
