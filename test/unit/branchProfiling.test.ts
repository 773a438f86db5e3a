// A host project's branch-profiling macros (the kernel's and u-boot's compiler.h: a static record in
// `_ftrace_annotated_branch`, `#define if(...)`) are no SEC: with them, every host .c of u-boot
// (in qemu's roms/) that writes `if` was a BPF source, and checking qemu's tree never ended (over
// 200 s of CPU and 3.8 GB). test/fixtures/cases/host-branch-profiling.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { hostOnlySection, hostOnlySectionStart } from '../../server/src/analysis/sections';
import { Workspace } from '../../server/src/analysis/workspace';
import { listCaseFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CASE = join(ROOT, 'test', 'fixtures', 'cases', 'host-branch-profiling');

describe('branch-profiling macros of a host project', () => {
  before(async () => {
    await loadGrammar();
  });

  it('a section name that does not start with a lower-case letter or a dot is no libbpf section', () => {
    assert.deepEqual(['_ftrace_annotated_branch', '_ftrace_branch', '?_x', '1abc'].map(hostOnlySection), [true, true, true, true]);
    // '?' alone is the prefix of `"?" section` (section-attr-xmacro): not decided
    assert.equal(hostOnlySection('?'), false);
    assert.deepEqual(['xdp', 'tc', 'struct_ops/test_1', '?struct_ops.s/x', '.data.once', '.maps', 'license'].map(hostOnlySection), [false, false, false, false, false, false, false]);
  });

  it("a literal the rest of the name is joined to decides only when no libbpf section can start so", () => {
    assert.deepEqual(['.u_boot_list_2_', '__u_boot_list_2_', 'SYSTEMD_'].map(hostOnlySectionStart), [true, true, true]);
    assert.deepEqual(['?', '.', '.data', '.rod', 'struct_ops/', ''].map(hostOnlySectionStart), [false, false, false, false, false, false]);
  });

  it('the host .c that writes `if (likely(x))` is no BPF object; the BPF source is', () => {
    const ws = new Workspace();
    for (const f of listCaseFiles(CASE)) ws.setFile(f, readFileSync(f));
    for (const f of listCaseFiles(join(ROOT, 'test', 'fixtures', 'include'))) ws.setFile(f, readFileSync(f));
    assert.deepEqual(ws.model().objects.map((o) => o.id).sort(), ['prog']);
  });
});
