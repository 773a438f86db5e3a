// A header's macros reach a translation unit only when its include graph can name that header
// (resolved, or matched loosely by file name): fuzz regression c-loader-20-313, where a header no
// unit includes defined `st_ops_args` and blanked an unrelated object. Real parser, real workspace.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { Workspace } from '../../server/src/analysis/workspace';

const ROOT = resolve(__dirname, '..', '..');
const HEADER = join(ROOT, 'test/fixtures/include/st_ops.h');
const WITNESS = join(ROOT, 'fuzz/witness/fuzz_witness.bpf.c');
const POISON = '/ws/other/scx/compat.bpf.h';

function analyse(files: Record<string, string>): ReturnType<Workspace['model']> {
  const ws = new Workspace();
  ws.setFile(HEADER, readFileSync(HEADER));
  for (const [path, content] of Object.entries(files)) ws.setFile(path, content);
  const model = ws.model();
  ws.dispose();
  return model;
}

describe('macro scopes: which headers reach a unit', () => {
  before(async () => {
    await loadGrammar();
  });

  it('a header no unit can include does not blank another object (fuzz c-loader-20-313)', () => {
    const model = analyse({
      '/ws/witness/witness.bpf.c': readFileSync(WITNESS, 'utf8'),
      [POISON]: '/* mutated */\n#define st_ops_args *args)\n/* end */\n',
    });
    assert.deepEqual(model.programs.map((p) => p.name).sort(), ['witness_shared', 'witness_unassociated']);
    assert.ok(model.findings.some((f) => f.rule === 'poisoned-kfunc-caller'), JSON.stringify(model.findings.map((f) => f.rule)));
  });

  it('a header the unit names only loosely (an include path the workspace does not have) still gives its macros', () => {
    const model = analyse({
      '/ws/prog/prog.bpf.c': '#include <bpf/bpf_helpers.h>\n#include "../../vendor/scx/sections.h"\n\nPROG_SEC\nint from_header(void *ctx)\n{\n\treturn 0;\n}\n',
      '/ws/lib/scx/sections.h': '#define PROG_SEC SEC("syscall")\n',
    });
    assert.deepEqual(model.programs.map((p) => p.name), ['from_header']);
  });
});
