// Rust (libbpf-rs) loaders, data-driven like fixtures.test.ts: every directory under
// test/fixtures/rust is a crate (Cargo.toml, build.rs, src/main.rs, src/bpf/*.bpf.c) whose files
// mark their expectations inline (expectations.ts). The states must come from the Rust loader.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { definition } from '../../server/src/features/definition';
import { references } from '../../server/src/features/references';
import { hover } from '../../server/src/features/hover';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadRustGrammar } from '../../server/src/analysis/rust/parser';
import { readBuildScript, skeletonTypePrefix } from '../../server/src/analysis/rust/crates';
import { Workspace } from '../../server/src/analysis/workspace';
import { loadWorkspace } from '../../server/src/node/scan';
import { loaderToRun } from '../../remote/src/loaderBuild';
import type { VmPlan } from '../../remote/src/plan';
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

const OBJECTS = join(process.env.BPF_ASSOC_CACHE ?? join(homedir(), '.cache', 'bpf-assoc'), 'rust-fixtures');

/**
 * Every BPF source of the crate (src/bpf, lib/ below it too) compiled with clang -target bpf (as
 * test/fixtures/build.sh compiles the cases); with scx_cargo's compile_link_gen() in build.rs, the
 * objects linked by bpftool into `bpf.bpf.o` as it does.
 */
function compiled(dir: string): string[] {
  const out = join(OBJECTS, dir.split('/').pop() as string);
  const bpf = join(dir, 'src', 'bpf');
  const objectOf = new Map<string, string>();
  for (const source of crateFiles(bpf).filter((f) => f.endsWith('.bpf.c'))) {
    const object = join(out, relative(bpf, source).replace(/\.c$/, '.o'));
    mkdirSync(dirname(object), { recursive: true });
    execFileSync(process.env.CLANG ?? 'clang', ['-target', 'bpf', '-g', '-O2', '-Wall', '-Werror', '-Wno-unused-function', '-Wno-incompatible-function-pointer-types', '-D__TARGET_ARCH_x86', '-I', INCLUDE, '-c', source, '-o', object]);
    objectOf.set(source, object);
  }
  const script = join(dir, 'build.rs');
  const linked = existsSync(script) && /\.compile_link_gen\s*\(/.test(readFileSync(script, 'utf8')) ? readBuildScript(readFileSync(script, 'utf8'), dir).find((s) => s.parts.length) : undefined;
  if (!linked) return [...objectOf.values()];
  const output = join(out, 'bpf.bpf.o');
  execFileSync(process.env.BPFTOOL ?? 'bpftool', ['gen', 'object', output, ...[linked.source, ...linked.parts].map((p) => objectOf.get(p) as string)]);
  return [...objectOf.values(), output];
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
      it('findings and states as marked, decided by the Rust loader', () => check(workspaceOf(files)));
      it('the same with the object clang builds from the source (the object is the ground truth)', () => {
        const ws = workspaceOf([...files, ...compiled(dir)]);
        check(ws);
        assert.ok(ws.model().objects.some((o) => o.truth === 'object' && o.loaders.some((l) => l.endsWith('main.rs'))), 'the Rust loader drives the compiled object');
      });
      const check = (ws: Workspace): void => {
        assert.equal(ws.wantsRustGrammar(), true);
        const model = ws.model();
        assert.deepEqual(findingKeys(model, new Set(files)), expectedKeys(expected.findings), 'findings');
        assert.ok(expected.states.length, 'the case marks states');
        for (const s of expected.states) {
          assert.equal(stateOf(model, s.program), [s.state, ...s.maps].join(' '), `state of ${s.program}`);
          const p = model.programs.find((x) => x.name === s.program);
          assert.equal(p?.decidedBy?.kind, 'rust', `${s.program} decided by a Rust loader`);
          assert.equal(p?.decidedBy?.loader, join(dir, 'src', 'main.rs'), `${s.program}'s loader`);
          // The call that decided it is a line of main.rs (an attach, an association call, a slot write or autoload change).
          if (s.state === 'auto' || s.state === 'poisoned' || s.state === 'explicit') assert.equal(p?.decidedBy?.at?.file, join(dir, 'src', 'main.rs'), `${s.program} decided at a line of main.rs`);
        }
        for (const c of expected.calls) {
          const got = callResultsAt(model, c);
          assert.ok(got.length, `an association call at line ${c.line + 1}`);
          assert.deepEqual(got, got.map(() => c.result), `predicted result of the call at line ${c.line + 1}`);
        }
      };
    });
  }

  it("a source a build script names through a symlinked directory is that file's object, not another of its name (scx_arena's selftests)", () => {
    // Walked as the CLI walks it: the library under its own path, the crate's src/bpf/lib as an alias of it.
    const crate = join(CRATES, 'scx-symlinked-lib');
    const lib = join(ROOT, 'test', 'fixtures', 'rust-lib');
    const { workspace, scan } = loadWorkspace([lib, crate, INCLUDE]);
    assert.deepEqual(scan.aliases, [[join(crate, 'src', 'bpf', 'lib'), lib]]);
    const model = workspace.model();
    const main = join(crate, 'src', 'main.rs');
    const objectOf = (source: string) => model.objects.find((o) => o.sources.includes(source));
    assert.deepEqual(objectOf(join(lib, 'selftests', 'selftest.bpf.c'))?.loaders, [main]);
    assert.deepEqual(objectOf(join(lib, 'selftests', 'alloc', 'selftest.bpf.c'))?.loaders, []);
    assert.equal(stateOf(model, 'st_switch'), 'none');
    assert.equal(model.programs.find((p) => p.name === 'st_switch')?.decidedBy?.loader, main);
    assert.equal(stateOf(model, 'alloc_switch'), 'not-loaded');
  });

  it('a workspace without Cargo.toml never asks for the Rust grammar, and reads no Rust', () => {
    const dir = join(CRATES, 'attach-struct-ops');
    const files = crateFiles(dir).filter((f) => !f.endsWith('Cargo.toml'));
    const ws = workspaceOf(files);
    assert.equal(ws.wantsRustGrammar(), false);
    const model = ws.model();
    assert.equal(model.programs.find((p) => p.name === 'ca_init')?.decidedBy?.loader, null);
    assert.equal(model.stats.loaders, 0);
  });

  it('go to definition from skel.maps.M / skel.progs.P / struct_ops.M_mut() in main.rs, and references from C to them', () => {
    const dir = join(CRATES, 'autoload-kfunc');
    const ws = workspaceOf(crateFiles(dir));
    const view = { model: ws.model(), version: 1, indexing: false, facts: (p: string) => ws.facts(p), text: (p: string) => ws.text(p), readErrors: new Map<string, string>() };
    const main = join(dir, 'src', 'main.rs');
    const source = join(dir, 'src', 'bpf', 'main.bpf.c');
    const lines = readFileSync(main, 'utf8').split('\n');
    const at = (needle: string, offset: number) => {
      const line = lines.findIndex((l) => l.includes(needle));
      return { line, character: (lines[line] ?? '').indexOf(needle) + offset };
    };
    const uri = (p: string) => pathToFileURL(p).href;
    const go = (position: { line: number; character: number }) => definition(view, { textDocument: { uri: uri(main) }, position }, uri);
    const program = view.model.programs.find((p) => p.name === 'lavd_sched_switch');
    assert.deepEqual(go(at('progs.lavd_sched_switch', 8)), [{ uri: uri(source), range: program?.location.range }]);
    const map = view.model.maps.find((m) => m.name === 'lavd_ops');
    assert.deepEqual(go(at('lavd_ops, uei', 0)), [], 'a macro argument is no skeleton reference');
    const refs = references(view, { textDocument: { uri: uri(source) }, position: program?.location.range.start ?? { line: 0, character: 0 }, context: { includeDeclaration: false } }, uri);
    assert.deepEqual(refs.map((r) => [r.uri, r.range.start.line]), [[uri(main), at('progs.lavd_sched_switch', 0).line]]);
    // `skel.struct_ops.M_mut()` in slot-nulled names the map M.
    const dir2 = join(CRATES, 'slot-nulled');
    const ws2 = workspaceOf(crateFiles(dir2));
    const view2 = { ...view, model: ws2.model(), facts: (p: string) => ws2.facts(p), text: (p: string) => ws2.text(p) };
    const main2 = join(dir2, 'src', 'main.rs');
    const lines2 = readFileSync(main2, 'utf8').split('\n');
    const line2 = lines2.findIndex((l) => l.includes('lavd_ops_mut().exit'));
    const map2 = view2.model.maps.find((m) => m.name === 'lavd_ops');
    const got = definition(view2, { textDocument: { uri: uri(main2) }, position: { line: line2, character: (lines2[line2] ?? '').indexOf('lavd_ops_mut') + 2 } }, uri);
    assert.deepEqual(got, [{ uri: uri(join(dir2, 'src', 'bpf', 'main.bpf.c')), range: map2?.location.range }]);
    assert.ok(map);
    // A hover on `skel.maps.M` of an attach_struct_ops() call shows the map: its slots and whether it is attached.
    const flag = join(CRATES, 'flag-attach');
    const ws3 = workspaceOf(crateFiles(flag));
    const view3 = { ...view, model: ws3.model(), facts: (p: string) => ws3.facts(p), text: (p: string) => ws3.text(p) };
    const main3 = join(flag, 'src', 'main.rs');
    const lines3 = readFileSync(main3, 'utf8').split('\n');
    const line3 = lines3.findIndex((l) => l.includes('maps.map_b.attach_struct_ops'));
    const shown = hover(view3, { textDocument: { uri: uri(main3) }, position: { line: line3, character: (lines3[line3] ?? '').indexOf('map_b') + 1 } });
    const text = JSON.stringify(shown?.contents ?? '');
    assert.match(text, /map_b/);
    assert.match(text, /test_1/);
  });

  it('go to definition from the pre-0.24 by-name lookups (skel.obj.map_mut("M"), prog_mut("P")) to the C map and program', () => {
    const dir = join(CRATES, 'old-api');
    const ws = workspaceOf(crateFiles(dir));
    const view = { model: ws.model(), version: 1, indexing: false, facts: (p: string) => ws.facts(p), text: (p: string) => ws.text(p), readErrors: new Map<string, string>() };
    const main = join(dir, 'src', 'main.rs');
    const source = join(dir, 'src', 'bpf', 'old_ops.bpf.c');
    const lines = readFileSync(main, 'utf8').split('\n');
    const uri = (p: string) => pathToFileURL(p).href;
    const go = (needle: string) => {
      const line = lines.findIndex((l) => l.includes(needle));
      return definition(view, { textDocument: { uri: uri(main) }, position: { line, character: (lines[line] ?? '').indexOf(needle) + needle.length - 3 } }, uri);
    };
    const map = view.model.maps.find((m) => m.name === 'second_ops');
    const program = view.model.programs.find((p) => p.name === 'old_trace');
    assert.deepEqual(go('map_mut("second_ops")'), [{ uri: uri(source), range: map?.location.range }]);
    assert.deepEqual(go('prog_mut("old_trace")'), [{ uri: uri(source), range: program?.location.range }]);
    assert.deepEqual(go('map_mut(&which)'), [], 'a name known only at run time names nothing');
  });

  it("a linked skeleton is one object: all its sources' programs and maps, its loader's calls made once", () => {
    const dir = join(CRATES, 'scx-linked');
    const ws = workspaceOf(crateFiles(dir));
    const model = ws.model();
    const main = join(dir, 'src', 'bpf', 'main.bpf.c');
    const extra = join(dir, 'src', 'bpf', 'lib', 'extra.bpf.c');
    const object = model.objects.find((o) => o.sources.includes(main));
    assert.deepEqual(object?.sources, [main, extra]);
    assert.equal(object?.id, 'bpf');
    assert.deepEqual(object?.loaders, [join(dir, 'src', 'main.rs')]);
    assert.equal(model.objects.filter((o) => o.sources.includes(extra)).length, 1, 'extra.bpf.c is no object of its own');
    assert.deepEqual(model.programs.filter((p) => p.object === 'bpf').map((p) => p.name).sort(), ['extra_idle', 'extra_switch', 'linked_enqueue']);
    const facts = ws.facts(join(dir, 'src', 'main.rs'));
    assert.ok(facts && 'lifecycles' in facts && facts.lifecycles);
    assert.deepEqual([...new Set((facts.lifecycles ?? []).map((l) => l.skeleton))], ['main'], 'one skeleton, not one per source');
  });

  it('a hover on attach_struct_ops() / scx_ops_attach! / attach() names the maps the call attaches and on which paths', () => {
    const uri = (p: string) => pathToFileURL(p).href;
    const hoverAt = (crate: string, needle: string, offset: number): string => {
      const dir = join(CRATES, crate);
      const ws = workspaceOf(crateFiles(dir));
      const view = { model: ws.model(), version: 1, indexing: false, facts: (p: string) => ws.facts(p), text: (p: string) => ws.text(p), readErrors: new Map<string, string>() };
      const main = join(dir, 'src', 'main.rs');
      const lines = readFileSync(main, 'utf8').split('\n');
      const line = lines.findIndex((l) => l.includes(needle));
      const shown = hover(view, { textDocument: { uri: uri(main) }, position: { line, character: (lines[line] ?? '').indexOf(needle) + offset } });
      return shown && typeof shown.contents === 'object' && 'value' in shown.contents ? shown.contents.value : '';
    };
    // flag-attach: map_b is attached only with --second; its slot holds test_1.
    const b = hoverAt('flag-attach', 'map_b.attach_struct_ops', 'map_b.'.length + 3);
    assert.match(b, /attach_struct_ops\(\)\*\* attaches the struct_ops map `map_b`, only on the paths where `opts.second`/);
    assert.match(b, /`map_b` of object `multi_ops` \(attached; created\), associating the programs of its slots: `test_1`/);
    const a = hoverAt('flag-attach', 'map_a.attach_struct_ops', 'map_a.'.length + 3);
    assert.match(a, /attaches the struct_ops map `map_a`, on every path/);
    // scx_ops_attach!: the programs (attach(), no map), then the map.
    const scx = hoverAt('scx-macros', 'scx_ops_attach!', 2);
    assert.match(scx, /attaches the skeleton's programs .*\n\n- no struct_ops map: libbpf-rs fills no map links/);
    assert.match(scx, /attaches the struct_ops map `\w+`/);
    // On the map's name the map's own hover stays.
    assert.match(hoverAt('flag-attach', 'map_b.attach_struct_ops', 1), /\*\*map_b\*\* · struct_ops map/);
  });

  it("a helper that returns its compat fork's side decides the caller's test of it (scx_lavd's ftrace, else tracepoint, fallback)", () => {
    const model = workspaceOf(crateFiles(join(CRATES, 'scx-cond-enable'))).model();
    const note = model.findings.find((f) => f.rule === 'unassociated-kfunc-caller' && f.message.includes('`tp_futex`'));
    assert.ok(note, 'tp_futex is turned on where the ftrace hooks are not');
    const paths = /[Oo]n the paths? where (.*)\(in main\(\)/.exec(note.message)?.[1] ?? '';
    assert.match(paths, /`!compat::cond_kprobes_enable\(ftraces\) && enable_futex_ftraces\(&mut skel\)\? == false && compat::cond_tracepoint_enable\("syscalls:sys_enter_futex"/);
    // Never on a path where the ftraces were turned on: enable_futex_ftraces() returned true there.
    assert.doesNotMatch(paths, /(?:^|`)compat::cond_kprobes_enable\(ftraces\) && enable_futex_ftraces/);
  });

  it('a VM run replays the plan read from a Rust loader, and says why it does not run it', () => {
    const dir = join(CRATES, 'attach-struct-ops');
    const model = workspaceOf(crateFiles(dir)).model();
    const object = model.objects.find((o) => o.loaders.some((l) => l.endsWith('main.rs')));
    assert.ok(object);
    const why = loaderToRun(model, { object: object.id, loader: null, mode: 'loader' } as unknown as VmPlan);
    assert.match('why' in why ? why.why : '', /main\.rs is a Rust \(libbpf-rs\) loader, which cannot be built here .* replayed/);
  });

  it('bad Rust never crashes the analysis: broken, deeply nested and non-UTF-8 loaders', function () {
    // Ten workspaces of hostile text, about 2 s of CPU together: wall time on a shared machine varies.
    this.timeout(60_000);
    const dir = join(CRATES, 'attach-struct-ops');
    const files = crateFiles(dir).filter((f) => !f.endsWith('main.rs'));
    const main = join(dir, 'src', 'main.rs');
    const nested = `fn main() { let b = TcpCaSkelBuilder::default(); let s = b.open(&mut o)?; if ${'('.repeat(20000)}x${')'.repeat(20000)} { s.load()?; } }`;
    const loops = `fn main() { let b = TcpCaSkelBuilder::default(); let s = b.open(&mut o)?; ${'if a { s.maps.ca_update.attach_struct_ops()?; } '.repeat(400)} }`;
    const calls = `fn a() { b(); let s = TcpCaSkelBuilder::default().open(&mut o)?; } fn b() { a(); s.maps.ca_spare.attach_struct_ops()?; }`;
    // Hostile shapes for the result and compat readers: a 20,000-link dotted chain in a compat call, a long .context() chain tested with is_err(), 20,000 negations.
    const dotted = `fn main() { let s = TcpCaSkelBuilder::default().open(&mut o)?; compat::cond_kprobes_enable(vec![("x", &${'a.'.repeat(20000)}b)]); s.load()?; }`;
    const chain = `fn main() { let s = TcpCaSkelBuilder::default().open(&mut o)?; let mut skel = s.load()?; if skel.maps.ca_update.attach_struct_ops()${'.context("x")'.repeat(3000)}.is_err() { skel.maps.ca_spare.attach_struct_ops()?; } }`;
    const negations = `fn main() { let s = TcpCaSkelBuilder::default().open(&mut o)?; let mut skel = s.load()?; let r = skel.maps.ca_update.attach_struct_ops(); if ${'!'.repeat(20000)}r.is_ok() { skel.maps.ca_spare.attach_struct_ops()?; } }`;
    for (const text of ['fn main() { let s = TcpCaSkelBuilder::default().open(', nested, loops, calls, dotted, chain, negations, 'vec![skel.maps.x.attach_struct_ops()?', '\u0000\uffff}}}{{{ TcpCaSkelBuilder']) {
      const ws = workspaceOf(files);
      ws.setFile(main, text);
      const model = ws.model();
      assert.ok(model.programs.some((p) => p.name === 'ca_init'), 'the BPF side is still read');
      assert.ok(!model.findings.some((f) => f.rule === ('analysis-error' as string)), JSON.stringify(model.findings.filter((f) => f.rule === ('analysis-error' as string))));
    }
  });

  it('build scripts name skeletons as libbpf-cargo and scx_cargo do', () => {
    const lib = readBuildScript('const SRC: &str = "src/bpf/tcp_ca.bpf.c";\nfn main() { SkeletonBuilder::new().source(SRC).build_and_generate(&out).unwrap(); }', '/c');
    assert.deepEqual(lib, [{ name: 'tcp_ca', source: '/c/src/bpf/tcp_ca.bpf.c', parts: [] }]);
    const obj = readBuildScript('SkeletonBuilder::new()\n  .source("src/bpf/x.bpf.c")\n  .obj("target/other.bpf.o")\n  .build_and_generate(out)?;', '/c');
    assert.deepEqual(obj, [{ name: 'other', source: '/c/src/bpf/x.bpf.c', parts: [] }]);
    const scx = readBuildScript('scx_cargo::BpfBuilder::new().unwrap().enable_skel("src/bpf/main.bpf.c", "bpf").build().unwrap();', '/c');
    assert.deepEqual(scx, [{ name: 'bpf', source: '/c/src/bpf/main.bpf.c', parts: [] }]);
    // build() compiles the skel source alone: add_source() only makes cargo rerun the script.
    const built = readBuildScript('BpfBuilder::new()?.enable_skel("src/bpf/main.bpf.c", "bpf").add_source("src/bpf/a.bpf.c").build()?;', '/c');
    assert.deepEqual(built, [{ name: 'bpf', source: '/c/src/bpf/main.bpf.c', parts: [] }]);
    // compile_link_gen() links the skel source with every add_source() into bpf.bpf.o: the skeleton is `bpf` whatever enable_skel() names.
    const linked = readBuildScript('let mut b = BpfBuilder::new()?;\nb.enable_skel(MAIN, "main");\nb.add_source("src/bpf/lib/a.bpf.c").add_source("./src/bpf/b.bpf.c");\nb.compile_link_gen()?;\nconst MAIN: &str = "src/bpf/main.bpf.c";', '/c');
    assert.deepEqual(linked, [{ name: 'bpf', source: '/c/src/bpf/main.bpf.c', parts: ['/c/src/bpf/lib/a.bpf.c', '/c/src/bpf/b.bpf.c'] }]);
    assert.equal(skeletonTypePrefix('tcp_ca'), 'TcpCa');
  });
});
