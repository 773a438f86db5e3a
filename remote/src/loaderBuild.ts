// The workspace's own C loader, built here for a VM run: statically, against the pinned libbpf
// (libbpf.ts), with the real skeleton and the recorder (remote/loader/recorder.c) linked in
// through --wrap, so that the agent can run it on any x86-64 target and read what it did.
// A loader that does not build is not an error: the run falls back to replaying the plan and
// says why ("loader could not be built: <first compiler error>").
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { agentSourceDir } from './agentBuild';
import { ensureLibbpf, loaderToolsDir, type Libbpf } from './libbpf';
import { cachedLoader, loaderCacheDir, storeLoader } from './loaderCache';
import type { VmPlan } from './plan';

/** libbpf's entry points the recorder interposes on (recorder.c says what each records). */
export const RECORDED_FUNCTIONS = [
  'bpf_program__assoc_struct_ops',
  'bpf_prog_assoc_struct_ops',
  'bpf_map__attach_struct_ops',
  'bpf_link__update_map',
  'bpf_object__open_skeleton',
  'bpf_object__load_skeleton',
  'bpf_object__attach_skeleton',
  'bpf_object__destroy_skeleton',
];

/** The recorder's files in remote/loader: each `.c` is compiled and linked in; all are in the cache key. */
const RECORDER_FILES = ['recorder.h', 'recorder.c', 'recorder_agent.c', 'recorder_objects.c'];

export interface LoaderBinary {
  /** The loader's C file in the workspace. */
  file: string;
  /** The static executable. */
  bytes: Buffer;
  /** libbpf it is linked with ("1.7.0"). */
  libbpf: string;
  buildMs: number;
  /** Taken from the cache (nothing it was built from changed). */
  cached: boolean;
}

/** What the run does about the loader: run this binary, or replay the plan (with the reason). */
export type LoaderChoice = { kind: 'executed'; binary: LoaderBinary } | { kind: 'replayed'; file: string | null; why: string };

/** The C loader a plan's object is loaded by, and its skeleton; or why there is none to run. */
export function loaderToRun(model: WorkspaceModel, plan: VmPlan): { file: string; skeleton: string | null; objectFile: string | null } | { why: string } {
  if (plan.mode === 'associate-all') return { why: 'associating every program with one map was asked for, so the plan is replayed' };
  const o = model.objects.find((x) => x.id === plan.object);
  const file = plan.loader ?? o?.loaders[0] ?? null;
  if (!o || !file) return { why: `no C loader in the workspace loads ${plan.object}` };
  if (file.endsWith('.rs')) {
    // A libbpf-rs loader needs rustc >= 1.82 (libbpf-rs, libbpf-cargo, libbpf-sys 0.27/1.7's rust-version;
    // bookworm has 1.63) and its crates (Debian sid packages them; scx_utils is not packaged).
    return { why: `${basename(file)} is a Rust (libbpf-rs) loader, which cannot be built here (it needs rustc 1.82 or later and the libbpf-rs crates), so the plan read from it is replayed` };
  }
  if (!file.endsWith('.c')) return { why: `${basename(file)} is not a C loader` };
  return { file, skeleton: o.skeletons[0] ?? null, objectFile: o.objectFiles[0] ?? null };
}

/** Directories a loader's includes are looked up in: its own, the skeleton's, and workspace include/ dirs. */
export function includeDirs(loader: string, skeleton: string, sources: string[]): string[] {
  const dirs = [dirname(loader), dirname(skeleton), dirname(dirname(skeleton))];
  for (let d = dirname(loader), i = 0; i < 4 && d !== dirname(d); i++, d = dirname(d)) dirs.push(join(d, 'include'));
  for (const s of sources) dirs.push(dirname(s));
  return [...new Set(dirs)].filter((d) => existsSync(d));
}

function run(cmd: string, args: string[], signal?: AbortSignal): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolveRun) => {
    execFile(cmd, args, { signal, maxBuffer: 16 << 20, timeout: 120_000 }, (err, stdout, stderr) => resolveRun({ ok: !err, output: `${stdout}${stderr}` }));
  });
}

/** The first error a compiler or linker printed, as one line. */
export function firstCompilerError(output: string): string {
  const lines = output.split('\n');
  const line = lines.find((l) => /\b(fatal )?error:|undefined reference to/.test(l)) ?? lines.find((l) => l.trim()) ?? 'no output';
  return line.replace(/^.*?\/([^/]+:\d+:\d+:)/, '$1').trim();
}

/**
 * Builds the loader of the plan's object. Never throws for the loader's own problems: they come
 * back as { kind: 'replayed', why }. Throws VmError when libbpf itself cannot be built.
 */
export async function buildLoader(model: WorkspaceModel, plan: VmPlan, signal?: AbortSignal): Promise<LoaderChoice> {
  const which = loaderToRun(model, plan);
  if ('why' in which) return { kind: 'replayed', file: null, why: which.why };
  const started = Date.now();
  const libbpf: Libbpf = await ensureLibbpf(signal);
  const cc = process.env.CC ?? 'cc';
  const work = mkdtempSync(join(tmpdir(), 'bpf-assoc-loader-'));
  const fail = (why: string): LoaderChoice => ({ kind: 'replayed', file: which.file, why: `loader could not be built: ${why}` });
  try {
    let skeleton = which.skeleton;
    if (!skeleton) {
      // No skeleton in the workspace: bpftool makes the one the loader includes, from the object.
      if (!which.objectFile) return fail(`no skeleton or compiled object of ${plan.object}`);
      skeleton = join(work, 'skel', `${plan.object}.skel.h`);
      const gen = await run('sh', ['-c', 'mkdir -p "$(dirname "$2")" && bpftool gen skeleton "$1" name "$3" >"$2"', 'sh', which.objectFile, skeleton, plan.object], signal);
      if (!gen.ok) return fail(`bpftool gen skeleton ${which.objectFile}: ${gen.output.trim().split('\n')[0] ?? ''}`);
    }
    const sources = model.objects.find((x) => x.id === plan.object)?.sources ?? [];
    const includes = [join(libbpf.prefix, 'include'), ...includeDirs(which.file, skeleton, sources)].flatMap((d) => ['-I', d]);
    const recorderFiles = RECORDER_FILES.map((f) => join(loaderToolsDir(), f));
    const shim = join(agentSourceDir(), 'elfutils-static-shim.c');
    const wraps = RECORDED_FUNCTIONS.map((f) => `-Wl,--wrap=${f}`);
    const cacheDir = loaderCacheDir([which.file, skeleton, cc, libbpf.debianVersion, ...includes, ...wraps, ...recorderFiles.map((f) => readFileSync(f, 'utf8')), readFileSync(shim, 'utf8')]);
    const cached = cachedLoader(cacheDir);
    const binary = (bytes: Buffer, fromCache: boolean): LoaderChoice => ({ kind: 'executed', binary: { file: which.file, bytes, libbpf: libbpf.version, buildMs: Date.now() - started, cached: fromCache } });
    if (cached) return binary(cached, true);
    // The loader alone first: its first error is the message when it does not compile.
    const deps = join(work, 'loader.d');
    const compiled = await run(cc, ['-O1', '-c', '-MD', '-MF', deps, '-o', join(work, 'loader.o'), ...includes, which.file], signal);
    if (!compiled.ok) return fail(firstCompilerError(compiled.output));
    const recorderObjects: string[] = [];
    for (const source of recorderFiles.filter((f) => f.endsWith('.c'))) {
      const object = join(work, basename(source, '.c') + '.o');
      const recorder = await run(cc, ['-O2', '-Wall', '-c', '-o', object, '-I', join(libbpf.prefix, 'include'), `-DRECORDER_LIBBPF_VERSION="${libbpf.version}"`, source], signal);
      if (!recorder.ok) throw new Error(`the recorder does not compile: ${firstCompilerError(recorder.output)}`);
      recorderObjects.push(object);
    }
    const out = join(work, 'loader');
    const linked = await run(cc, ['-static', '-s', '-o', out, join(work, 'loader.o'), ...recorderObjects, shim, ...wraps, join(libbpf.prefix, 'lib/libbpf.a'), '-lelf', '-lz', '-lzstd', '-lm', '-lpthread'], signal);
    if (!linked.ok) return fail(firstCompilerError(linked.output));
    const bytes = readFileSync(out);
    // A skeleton generated into the work directory is gone after this build: nothing to cache.
    if (skeleton === which.skeleton) storeLoader(cacheDir, bytes, readFileSync(deps, 'utf8'));
    return binary(bytes, false);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
