// The grammar, the queries, and the parser's behaviour at its limits.
import { strict as assert } from 'node:assert';
import { Query } from 'web-tree-sitter';
import { grammar, loadGrammar, parseC } from '../../server/src/analysis/c/parser';
import { allQueryNames, query } from '../../server/src/analysis/c/queries';

describe('parser', () => {
  before(async () => {
    await loadGrammar();
  });

  it('compiles every query in server/queries', () => {
    const names = allQueryNames();
    assert.ok(names.length >= 1, names.join(','));
    for (const n of names) assert.ok(query(n) instanceof Query, n);
    assert.ok(grammar().name === 'c' || grammar().name === null || typeof grammar().name === 'string');
  });

  it('a parse cancelled for its budget does not leak into the next parse', () => {
    const big = 'int f(void) { return 0; }\n'.repeat(200_000);
    assert.equal(parseC(big, null, 0.01), null, 'cancelled');
    const tree = parseC('int only_this(void) { return 1; }\n');
    assert.ok(tree);
    assert.equal(tree.rootNode.namedChildren.length, 1);
    assert.match(tree.rootNode.text, /only_this/);
    tree.delete();
  });
});
