// The Rust grammar (tree-sitter-rust, pinned in package.json), loaded only when a workspace needs it:
// one with BPF code and a Cargo.toml (Workspace.wantsRustGrammar()). Parsing never throws: a parse
// that runs past its budget or fails gives null.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Tree } from 'web-tree-sitter';
import { loadGrammar } from '../c/parser';

let ready: Promise<Language> | undefined;
let parser: Parser | undefined;

function locate(name: string, packagePath: string): string {
  // Bundled: beside dist/*.js. From sources (tests): in node_modules.
  const beside = join(__dirname, name);
  if (existsSync(beside)) return beside;
  return require.resolve(packagePath);
}

/** Loads the Rust grammar (after the tree-sitter runtime the C grammar brings). Safe to call many times. */
export function loadRustGrammar(): Promise<Language> {
  ready ??= (async () => {
    await loadGrammar();
    const language = await Language.load(locate('tree-sitter-rust.wasm', 'tree-sitter-rust/tree-sitter-rust.wasm'));
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

const PARSE_BUDGET_MS = 2000;

/** Parses Rust text; null when the grammar is not loaded, the parse ran out of budget or failed. */
export function parseRust(text: string, budgetMs = PARSE_BUDGET_MS): Tree | null {
  if (!parser) return null;
  const deadline = performance.now() + budgetMs;
  try {
    const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
    if (!tree) parser.reset();
    return tree;
  } catch {
    parser.reset();
    return null;
  }
}
