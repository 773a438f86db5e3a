// libbpf-cargo's `*.skel.rs` read as the object's truth, like a C skeleton's embedded object
// (issue 10): the object clang builds from a fixture, written into a skeleton in both forms
// libbpf-cargo's generator writes (`const DATA: &[u8] = &[..]` before 0.25, as bpftop commits
// its pid_iter.skel.rs; `static DATA: [u8; N] = [..]` from 0.25, gen/mod.rs), gives the same
// programs, maps and slots as the object itself, and the crate's loader drives it. A damaged
// DATA is a clear problem, never a crash.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { readBpfObject } from '../../server/src/analysis/elf/bpfObject';
import { loadRustGrammar } from '../../server/src/analysis/rust/parser';
import { readRustSkeleton } from '../../server/src/analysis/rust/skeletonRs';
import { classify } from '../../server/src/analysis/fileKinds';
import { Workspace } from '../../server/src/analysis/workspace';
import { listCaseFiles, stateOf } from './expectations';

const ROOT = resolve(__dirname, '..', '..');
const CRATE = join(ROOT, 'test', 'fixtures', 'rust', 'attach-struct-ops');
const INCLUDE = join(ROOT, 'test', 'fixtures', 'include');
const OUT = join(process.env.BPF_ASSOC_CACHE ?? join(homedir(), '.cache', 'bpf-assoc'), 'rust-fixtures', 'skel-rs');

function crateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? crateFiles(p) : /\.(c|h|rs)$|^Cargo\.toml$/.test(n) ? [p] : [];
  });
}

/** A skeleton as libbpf-cargo writes one, around the object's bytes (`old`: the pre-0.25 form). */
function skelRs(bytes: Uint8Array, name: string, progs: string[], old: boolean): string {
  const list = [...bytes].join(', ');
  const data = old ? `    const DATA: &[u8] = &[\n        ${list}\n    ];` : `#[unsafe(link_section = ".bpf.objs")]\nstatic DATA: [u8; ${bytes.length}] = [${list}];`;
  return [
    'fn build_skel_config() -> libbpf_rs::Result<libbpf_rs::__internal_skel::ObjectSkeletonConfig<\'static>> {',
    '    let mut builder = libbpf_rs::__internal_skel::ObjectSkeletonConfigBuilder::new(&DATA);',
    `    builder\n        .name("${name}")`,
    ...progs.map((p) => `.prog("${p}")`),
    '    ;',
    '    builder.build()',
    '}',
    data,
    '',
  ].join('\n');
}

describe("libbpf-cargo's *.skel.rs: the embedded object is the truth", () => {
  let object: Uint8Array;
  before(async () => {
    await loadGrammar();
    await loadRustGrammar();
    mkdirSync(OUT, { recursive: true });
    const o = join(OUT, 'tcp_ca.bpf.o');
    execFileSync(process.env.CLANG ?? 'clang', ['-target', 'bpf', '-g', '-O2', '-D__TARGET_ARCH_x86', '-Wno-incompatible-function-pointer-types', '-I', INCLUDE, '-c', join(CRATE, 'src', 'bpf', 'tcp_ca.bpf.c'), '-o', o]);
    object = new Uint8Array(readFileSync(o));
  });

  for (const old of [true, false]) {
    it(`${old ? 'const DATA: &[u8] = &[..] (before 0.25)' : 'static DATA: [u8; N] = [..] (0.25 on)'}: the object's programs and slots, the loader's states`, () => {
      const direct = readBpfObject(object, 'x.bpf.o', 'object');
      const path = join(CRATE, 'src', 'bpf', 'tcp_ca.skel.rs');
      const text = skelRs(object, 'tcp_ca_bpf', direct.programs.map((p) => p.name), old);
      assert.equal(classify(path, text), 'skeleton');
      const facts = readRustSkeleton(text, path);
      assert.deepEqual(facts.problems, []);
      assert.equal(facts.objectName, 'tcp_ca_bpf');
      assert.deepEqual(facts.programs, direct.programs.map((p) => p.name));
      assert.deepEqual(facts.embedded?.programs.map((p) => [p.name, p.section]), direct.programs.map((p) => [p.name, p.section]));
      assert.deepEqual(facts.embedded?.structOpsMaps.map((m) => [m.name, m.slots.map((s) => [s.member, s.program])]), direct.structOpsMaps.map((m) => [m.name, m.slots.map((s) => [s.member, s.program])]));
      const ws = new Workspace();
      for (const f of [...crateFiles(CRATE), ...listCaseFiles(INCLUDE)]) ws.setFile(f, readFileSync(f));
      const before = ws.model();
      ws.setFile(path, new TextEncoder().encode(text));
      const model = ws.model();
      const o = model.objects.find((x) => x.skeletons.includes(path));
      assert.equal(o?.truth, 'skeleton');
      assert.deepEqual(o?.loaders, [join(CRATE, 'src', 'main.rs')]);
      assert.equal(model.stats.loaders, before.stats.loaders, 'the skeleton is no loader');
      for (const p of before.programs) assert.equal(stateOf(model, p.name), stateOf(before, p.name), `state of ${p.name}`);
      ws.dispose();
    });
  }

  it('a DATA that is not bytes, or not as long as it says, is a clear problem', () => {
    const path = '/w/src/bpf/x.skel.rs';
    const bad = readRustSkeleton(skelRs(new Uint8Array([127, 69, 76, 70]), 'x_bpf', [], true).replace('70', '700'), path);
    assert.match(bad.problems[0]?.message ?? '', /holds `700`, not a byte/);
    const short = readRustSkeleton(skelRs(new Uint8Array([127, 69, 76, 70]), 'x_bpf', [], false).replace('[u8; 4]', '[u8; 9]'), path);
    assert.match(short.problems[0]?.message ?? '', /declares 9 bytes but holds 4/);
    const cut = readRustSkeleton(skelRs(new Uint8Array([127, 69]), 'x_bpf', [], false).replace(/\];\n$/, ''), path);
    assert.match(cut.problems[0]?.message ?? '', /does not end/);
    assert.equal(readRustSkeleton('fn main() {}', path).problems[0]?.rule, 'malformed-skeleton');
  });
});
