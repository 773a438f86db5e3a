// A linked skeleton is one object of all its sources (linkedSources.ts); when the loader
// tests a call's result, the failing side has no attach, for that object and for no other object
// made of one of its sources (before the sources were linked, each source's object got a copy of
// the call, and only the last copy was marked failed). Real parser, the real scx-linked crate with
// its loader rewritten to test the attach.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadRustGrammar } from '../../server/src/analysis/rust/parser';
import type { LoaderFacts } from '../../server/src/analysis/facts';
import { Workspace } from '../../server/src/analysis/workspace';
import { listCaseFiles, listCrateFiles } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CRATE = join(ROOT, 'test', 'fixtures', 'rust', 'scx-linked');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');


const CHECKED_ATTACH = `mod bpf_skel;
pub use bpf_skel::*;

use std::mem::MaybeUninit;

use anyhow::Result;
use scx_utils::scx_ops_load;
use scx_utils::scx_ops_open;

fn main() -> Result<()> {
    let mut open_object = MaybeUninit::uninit();
    let skel_builder = BpfSkelBuilder::default();
    let mut skel = scx_ops_open!(skel_builder, &mut open_object, linked_ops, None)?;
    let mut skel = scx_ops_load!(skel, linked_ops, uei)?;
    if skel.attach().is_err() {
        // Attached nothing: try the scheduler's map alone.
        let _link = skel.maps.linked_ops.attach_struct_ops()?;
    }
    Ok(())
}
`;

describe('linked skeleton: a checked call fails for every object', () => {
  before(async () => {
    await loadGrammar();
    await loadRustGrammar();
  });

  it("on the path where skel.attach() failed, neither source's object has the attach", () => {
    const ws = new Workspace();
    const main = join(CRATE, 'src', 'main.rs');
    for (const f of [...listCrateFiles(CRATE), ...listCaseFiles(INCLUDE)]) ws.setFile(f, f === main ? Buffer.from(CHECKED_ATTACH) : readFileSync(f));
    ws.model();
    const facts = ws.facts(main) as LoaderFacts;
    const pathsOf = (skeleton: string): string[] =>
      (facts.lifecycles ?? [])
        .filter((l) => l.skeleton === skeleton)
        .flatMap((l) => l.paths.map((p) => p.actions.map((a) => a.kind).join(' ')))
        .sort();
    // One path where the attach succeeded, one where it failed (no attach: it attached nothing, and
    // the map alone is attached); extra.bpf.c is linked into the same object, no object of its own.
    assert.deepEqual({ main: pathsOf('main'), extra: pathsOf('extra') }, { main: ['open load attach', 'open load attach_struct_ops'], extra: [] });
    ws.dispose();
  });
});
