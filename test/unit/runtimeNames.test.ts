// Loaders that name their maps at run time (the kernel's tools/testing/selftests/hid/hid_bpf.c:
// every struct_ops map off with bpf_object__for_each_map(), then the ones a test names turned on
// and attached by name): what the model and the editor say about such calls.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hover } from '../../server/src/features/hover';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';
import { listCaseFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'fixtures', 'cases', 'loader-runtime-names');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');

function workspace(): Workspace {
  const ws = new Workspace();
  for (const f of [...listCaseFiles(CASE), ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
  return ws;
}

describe('maps named at run time', () => {
  before(async () => {
    await loadGrammar();
  });

  it('a poisoning that rests on them is an info naming the calls, and every map may be created and attached', () => {
    const model = workspace().model();
    const poisoned = model.findings.filter((f) => f.rule === 'poisoned-association');
    assert.equal(poisoned.length, 1);
    assert.equal(poisoned[0]?.severity, 'info');
    assert.match(poisoned[0]?.message ?? '', /maps it names only at run time \(bpf_map__attach_struct_ops\(a\) in load_maps\(\) and bpf_map__attach_struct_ops\(b\) in load_maps\(\)\)/);
    assert.deepEqual(model.maps.map((m) => `${m.name} ${m.autocreate} ${m.attached}`).sort(), ['first_ops true true', 'left_ops true true', 'right_ops true true']);
  });

  it('the hover of an attach call on one says that it may be any of the maps', () => {
    const ws = workspace();
    const view = { model: ws.model(), version: 1, indexing: false, facts: (p: string) => ws.facts(p), text: (p: string) => ws.text(p), readErrors: new Map<string, string>() };
    const loader = join(CASE, 'loader.c');
    const lines = readFileSync(loader, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('bpf_map__attach_struct_ops(a)'));
    const shown = hover(view, { textDocument: { uri: pathToFileURL(loader).href }, position: { line, character: (lines[line] ?? '').indexOf('bpf_map__attach') + 3 } });
    const text = shown && typeof shown.contents === 'object' && 'value' in shown.contents ? shown.contents.value : '';
    assert.match(text, /attaches the struct_ops map it names at run time \(`a`\), any of these/);
    assert.doesNotMatch(text, /no struct_ops map/);
    for (const m of ['first_ops', 'left_ops', 'right_ops']) assert.match(text, new RegExp(`\`${m}\``));
  });
});
