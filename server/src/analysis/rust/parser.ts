// The Rust grammar (tree-sitter-rust, pinned in package.json), loaded only when a workspace needs it:
// one with BPF code and a Cargo.toml (Workspace.wantsRustGrammar()). Parsing never throws: a parse
// that runs past its budget or fails gives null.
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { loadGrammar, locateShipped, PARSE_BUDGET_STEPS, parseWithinBudget } from '../c/parser';

let ready: Promise<Language> | undefined;
let parser: Parser | undefined;

/** Loads the Rust grammar (after the tree-sitter runtime the C grammar brings). Safe to call many times. */
export function loadRustGrammar(): Promise<Language> {
  ready ??= (async () => {
    await loadGrammar();
    const language = await Language.load(locateShipped('tree-sitter-rust.wasm', 'tree-sitter-rust/tree-sitter-rust.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    return language;
  })();
  return ready;
}

/** The Rust grammar has loaded: Rust loaders can be read. */
export function rustGrammarReady(): boolean {
  return parser !== undefined;
}

/**
 * Parses Rust text (incrementally from `old`, already edited to it, when given); null when the grammar is not loaded, the parse ran out of budget or failed.
 * The budget is C's (c/parser.ts): work, in progress callbacks and characters the lexer reads, so
 * the result never depends on how busy the machine is, and unclosed block comments cannot stall it.
 */
export function parseRust(text: string, budgetSteps = PARSE_BUDGET_STEPS, old: Tree | null = null): Tree | null {
  if (!parser) return null;
  return parseWithinBudget(parser, text, old, budgetSteps);
}
