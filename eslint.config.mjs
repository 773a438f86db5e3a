// ESLint with typescript-eslint over the TypeScript sources; formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.build/', 'examples/', 'test/fixtures/', 'test/.artifacts/', '**/*.mjs', 'remote/agent/', 'kernel/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-namespace': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The client sees the server only through its protocol module (custom methods, wire types).
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)server/src/(?!protocol$)',
              message: 'The client imports the server only through server/src/protocol.ts: export the type from there.',
            },
          ],
        },
      ],
    },
  },
  {
    // Packages depend one way: cli -> remote -> server's pure parts. The server and the VM run
    // never import the CLI; the server never imports the VM run or the client.
    files: ['server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+(remote|client|cli)/', message: 'The server imports neither the CLI, the VM run nor the client.' }] },
      ],
    },
  },
  {
    files: ['remote/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)server/src/(?!analysis/|output/)', message: 'The VM run uses only the server\'s pure parts (analysis/, output/); file reading and LSP stay in the server and the CLI.' },
            { regex: '^(\\.\\./)+(cli|client)/', message: 'The VM run imports neither the CLI nor the client.' },
          ],
        },
      ],
    },
  },
  {
    // The analysis core is pure: text in, model out. No IO, no clock, no editor, no LSP; the
    // edges (server/src/lsp, features, node, cli) read files and talk to clients.
    files: ['server/src/analysis/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:path', 'path'].map((name) => ({
            name,
            importNames: ['resolve'],
            message: 'path.resolve reads the working directory: the core works on the absolute paths it is given.',
          })),
          patterns: [
            {
              regex: '^(node:(?!path$)|(fs|fs/promises|child_process|os|net|http|https|http2|worker_threads|perf_hooks|timers|timers/promises|readline|dgram|cluster|process|inspector)$)',
              message: 'The analysis core does no IO: take the data as an argument (node:path is allowed).',
            },
            {
              regex: '^(vscode|vscode-languageserver|vscode-languageserver-protocol|vscode-languageserver-textdocument|vscode-languageclient|vscode-jsonrpc|vscode-uri)($|/)',
              message: 'The analysis core knows no editor and no LSP: convert in server/src/features or server/src/lsp.',
            },
            {
              regex: '^(\\.\\./)+(lsp|features|node|output|server|cli|protocol|remote|client)(/|$)',
              message: 'The analysis core imports nothing from the edges that depend on it.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'performance', 'Date', 'console', 'setTimeout', 'setInterval', 'setImmediate', 'fetch'].map((name) => ({
          name,
          message: 'The analysis core is deterministic: no clock, no timers, no environment, no output. Budgets count work, not time.',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'The analysis core is deterministic.' },
        { object: 'globalThis', message: 'The analysis core reaches no globals behind the lint rule.' },
      ],
    },
  },
);
