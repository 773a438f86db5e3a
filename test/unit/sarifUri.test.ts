// SARIF uris (issue 12, defect 7): percent-encoded as RFC 3986 wants, relative to %SRCROOT% inside
// the base, absolute file uris outside it; each decodes back to the file's path.
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { modelToSarif } from '../../server/src/output/sarif';
import { analyse, BASE, INJECTED, source } from './hostileNames';

describe('SARIF uris are percent-encoded (RFC 3986)', () => {
  const name = 'dir with space/q"uote\'<a>#b?c%d\ne[f].bpf.c';

  function locations(sarif: unknown): { uri: string; uriBaseId?: string }[] {
    const run = (sarif as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[] }[] }).runs[0];
    return (run?.results ?? []).flatMap((r) => r.locations.map((l) => l.physicalLocation.artifactLocation));
  }

  it('relative uris with %SRCROOT%, and absolute file uris outside it', async () => {
    const { model } = await analyse({ [name]: source(INJECTED) });
    const inside = locations(modelToSarif(model, BASE));
    assert.ok(inside.length > 0);
    for (const l of inside) {
      assert.equal(l.uriBaseId, '%SRCROOT%');
      assert.equal(l.uri, 'dir%20with%20space/q%22uote%27%3Ca%3E%23b%3Fc%25d%0Ae%5Bf%5D.bpf.c');
      assert.equal(decodeURIComponent(l.uri), name);
    }
    const outside = locations(modelToSarif(model, '/elsewhere'));
    for (const l of outside) {
      assert.equal(l.uriBaseId, undefined);
      assert.match(l.uri, /^file:\/\/\/[A-Za-z0-9\-._~/%]*$/);
      assert.equal(fileURLToPath(l.uri), `${BASE}/${name}`);
    }
    const base = (modelToSarif(model, '/a b/#c') as { runs: { originalUriBaseIds: Record<string, { uri: string }> }[] }).runs[0]?.originalUriBaseIds['%SRCROOT%'];
    assert.equal(base?.uri, 'file:///a%20b/%23c/');
  });
});
