// The TextMate injection grammar (syntaxes/bpf-sections.injection.tmLanguage.json), run by
// vscode-textmate with the Oniguruma engine VS Code uses, injected into a small stand-in for
// VS Code's C grammar (strings and comments, which the injection must leave alone).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';

const ROOT = resolve(__dirname, '..', '..');
const INJECTION = join(ROOT, 'syntaxes/bpf-sections.injection.tmLanguage.json');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { grammars: { scopeName: string; path: string; injectTo: string[] }[] };
};

const standInC = {
  scopeName: 'source.c',
  patterns: [
    { begin: '//', end: '$', name: 'comment.line.double-slash.c' },
    { begin: '"', end: '"', name: 'string.quoted.double.c' },
    { match: '\\b[A-Za-z_]\\w*\\b', name: 'meta.identifier.c' },
  ],
};

async function cGrammar(): Promise<IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => {
      if (scope === 'source.c') return parseRawGrammar(JSON.stringify(standInC), 'c.json');
      if (scope === 'source.c.bpf-sections') return parseRawGrammar(readFileSync(INJECTION, 'utf8'), INJECTION);
      return null;
    },
    getInjections: (scope) => (scope === 'source.c' ? pkg.contributes.grammars.filter((g) => g.injectTo.includes('source.c')).map((g) => g.scopeName) : []),
  });
  const grammar = await registry.loadGrammar('source.c');
  assert.ok(grammar);
  return grammar;
}

/** `text → innermost scope` for each token of the line. */
function tokens(grammar: IGrammar, line: string): [string, string][] {
  return grammar.tokenizeLine(line, INITIAL).tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.at(-1) ?? '']);
}

describe('SEC() injection grammar', () => {
  let grammar: IGrammar;
  before(async () => (grammar = await cGrammar()));

  it('is contributed as an injection into source.c, with no language of its own', () => {
    assert.deepEqual(pkg.contributes.grammars.map((g) => [g.scopeName, g.injectTo]), [['source.c.bpf-sections', ['source.c']]]);
    assert.equal((pkg.contributes as Record<string, unknown>).languages, undefined);
  });

  it('highlights struct_ops map sections, with and without the ? prefix', () => {
    assert.deepEqual(tokens(grammar, 'SEC(".struct_ops.link")').slice(0, 4), [
      ['SEC', 'support.function.macro.section.bpf'],
      ['(', 'punctuation.section.arguments.begin.bracket.round.c'],
      ['"', 'punctuation.definition.string.begin.c'],
      ['.struct_ops.link', 'storage.type.struct-ops-map.bpf'],
    ]);
    const optional = tokens(grammar, 'SEC("?.struct_ops")');
    assert.deepEqual(optional.slice(3, 5), [
      ['?', 'keyword.operator.optional.bpf'],
      ['.struct_ops', 'storage.type.struct-ops-map.bpf'],
    ]);
  });

  it('splits a program section into its kind and target', () => {
    const t = tokens(grammar, 'SEC("?struct_ops.s/test_1") int BPF_PROG(test_1)');
    assert.deepEqual(t.slice(3, 7), [
      ['?', 'keyword.operator.optional.bpf'],
      ['struct_ops.s', 'entity.name.tag.section-kind.bpf'],
      ['/', 'punctuation.separator.section.bpf'],
      ['test_1', 'entity.name.function.section-target.bpf'],
    ]);
  });

  it('leaves other struct_ops-looking sections, comments and strings to the C grammar', () => {
    assert.ok(!tokens(grammar, 'SEC(".struct_ops.foo")').some(([, s]) => s === 'storage.type.struct-ops-map.bpf'));
    assert.ok(tokens(grammar, '// SEC(".struct_ops")').every(([, s]) => s === 'comment.line.double-slash.c'));
    assert.ok(tokens(grammar, 'puts("SEC(\\".struct_ops\\")")').every(([, s]) => !s.endsWith('.bpf')));
  });
});
