// The bpfAssoc.severity setting in package.json lists one property per rule of
// server/src/analysis/rules.ts, each with the severities the server accepts
// (server/src/lsp/settings.ts): the two are written by hand, so this fails when they drift.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RULES } from '../../server/src/analysis/rules';

const ROOT = resolve(__dirname, '..', '..');

interface SeveritySchema {
  additionalProperties: boolean;
  properties: Record<string, { type: string; enum: string[] }>;
}

describe('bpfAssoc.severity in package.json', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, SeveritySchema> } } };
  const schema = manifest.contributes.configuration.properties['bpfAssoc.severity'];

  it('has exactly the rules of rules.ts, in the same order', () => {
    assert.ok(schema, 'package.json contributes bpfAssoc.severity');
    assert.deepEqual(Object.keys(schema.properties), RULES.map((r) => r.id));
    assert.equal(schema.additionalProperties, false, 'an unknown rule ID is flagged in settings.json');
  });

  it('offers every override the server reads for each rule', () => {
    for (const [id, p] of Object.entries(schema?.properties ?? {})) {
      assert.deepEqual([p.type, p.enum], ['string', ['error', 'warning', 'information', 'hint', 'off']], id);
    }
  });
});
