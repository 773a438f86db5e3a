// The C grammar, loaded once. Parsing never throws: a parse that runs past its budget is
// cancelled and reported, and the caller gets null.
// eslint-disable-next-line no-restricted-imports -- reads only the grammar wasm shipped with bpf-assoc (beside dist/*.js or in node_modules), never workspace input
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';

export type { Node, Tree } from 'web-tree-sitter';

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
 * Parses C text, reusing `old` (already edited) for incremental parsing.
 * Returns null when the parse ran out of budget (`budgetSteps` progress callbacks) or the parser failed.
 */
export function parseC(text: string, old?: Tree | null, budgetSteps = PARSE_BUDGET_STEPS): Tree | null {
  if (!parser) throw new Error('loadGrammar() has not finished');
  let steps = 0;
  try {
    const tree = parser.parse(text, old ?? null, {
      progressCallback: () => ++steps > budgetSteps,
    });
    // A cancelled parse would otherwise resume on the next call, with the next file's text.
    if (!tree) parser.reset();
    return tree;
  } catch {
    parser.reset();
    return null;
  }
}
