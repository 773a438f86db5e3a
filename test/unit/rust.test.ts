// Rust (libbpf-rs) loaders, data-driven like fixtures.test.ts: every directory under
// test/fixtures/rust is a crate (Cargo.toml, build.rs, src/main.rs, src/bpf/*.bpf.c) whose files
// mark their expectations inline (expectations.ts). The states must come from the Rust loader.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadRustGrammar } from '../../server/src/analysis/rust/parser';
import { readBuildScript, skeletonTypePrefix } from '../../server/src/analysis/rust/crates';
import { Workspace } from '../../server/src/analysis/workspace';
import { callResultsAt, expectedKeys, findingKeys, listCaseFiles, readExpectations, stateOf } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CRATES = join(ROOT, 'test', 'fixtures', 'rust');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');

function crateFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...crateFiles(p));
    else if (/\.(c|h|rs)$/.test(name) || name === 'Cargo.toml') out.push(p);
  }
  return out;
}

function workspaceOf(files: string[]): Workspace {
  const ws = new Workspace();
  for (const f of [...files, ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
  return ws;
}

describe('rust loaders', () => {
  before(async () => {
    await loadGrammar();
    await loadRustGrammar();
  });

  for (const name of readdirSync(CRATES).sort()) {
    const dir = join(CRATES, name);
    const files = crateFiles(dir);
    const expected = readExpectations(files);
    describe(name, () => {
      it('findings and states as marked, decided by the Rust loader', () => {
        const ws = workspaceOf(files);
        assert.equal(ws.wantsRustGrammar(), true);
        const model = ws.model();
        assert.deepEqual(findingKeys(model, new Set(files)), expectedKeys(expected.findings), 'findings');
        assert.ok(expected.states.length, 'the case marks states');
        for (const s of expected.states) {
          assert.equal(stateOf(model, s.program), [s.state, ...s.maps].join(' '), `state of ${s.program}`);
          const p = model.programs.find((x) => x.name === s.program);
          assert.equal(p?.decidedBy?.kind, 'rust', `${s.program} decided by a Rust loader`);
          assert.equal(p?.decidedBy?.loader, join(dir, 'src', 'main.rs'), `${s.program}'s loader`);
        }
        for (const c of expected.calls) {
          const got = callResultsAt(model, c);
          assert.ok(got.length, `an association call at line ${c.line + 1}`);
          assert.deepEqual(got, got.map(() => c.result), `predicted result of the call at line ${c.line + 1}`);
        }
      });
    });
  }

  it('a workspace without Cargo.toml never asks for the Rust grammar, and reads no Rust', () => {
    const dir = join(CRATES, 'attach-struct-ops');
    const files = crateFiles(dir).filter((f) => !f.endsWith('Cargo.toml'));
    const ws = workspaceOf(files);
    assert.equal(ws.wantsRustGrammar(), false);
    const model = ws.model();
    assert.equal(model.programs.find((p) => p.name === 'ca_init')?.decidedBy?.loader, null);
    assert.equal(model.stats.loaders, 0);
  });

  it('build scripts name skeletons as libbpf-cargo and scx_cargo do', () => {
    const lib = readBuildScript('const SRC: &str = "src/bpf/tcp_ca.bpf.c";\nfn main() { SkeletonBuilder::new().source(SRC).build_and_generate(&out).unwrap(); }', '/c');
    assert.deepEqual(lib, [{ name: 'tcp_ca', source: '/c/src/bpf/tcp_ca.bpf.c' }]);
    const obj = readBuildScript('SkeletonBuilder::new()\n  .source("src/bpf/x.bpf.c")\n  .obj("target/other.bpf.o")\n  .build_and_generate(out)?;', '/c');
    assert.deepEqual(obj, [{ name: 'other', source: '/c/src/bpf/x.bpf.c' }]);
    const scx = readBuildScript('scx_cargo::BpfBuilder::new().unwrap().enable_skel("src/bpf/main.bpf.c", "bpf").build().unwrap();', '/c');
    assert.deepEqual(scx, [{ name: 'bpf', source: '/c/src/bpf/main.bpf.c' }]);
    assert.equal(skeletonTypePrefix('tcp_ca'), 'TcpCa');
  });
});
