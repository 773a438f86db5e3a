// Host programs that register things in ELF sections through macros (systemd: `_section_`,
// static-destruct.h, bus-error.h, dlfcn-util.h) are not BPF sources: test/fixtures/cases/host-section-macros.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { listCaseFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'fixtures', 'cases', 'host-section-macros');

describe('host section macros', () => {
  before(async () => {
    await loadGrammar();
  });

  it('a host .c that includes them is no BPF object; the BPF source that uses the parameterised one is', () => {
    const ws = new Workspace();
    for (const f of listCaseFiles(CASE)) ws.setFile(f, readFileSync(f));
    for (const f of listCaseFiles(join(ROOT, 'test', 'fixtures', 'include'))) ws.setFile(f, readFileSync(f));
    const objects = ws.model().objects.map((o) => o.id).sort();
    assert.deepEqual(objects, ['prog']);
  });
});
