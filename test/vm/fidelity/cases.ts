// The fixtures the fidelity run takes: every analysis fixture case (test/fixtures/cases/*) and the
// VM tier's own (test/vm/fixtures/*), each object with its model (the analysis over the case's
// sources, its .build outputs and the shared headers) and whether it can run on a VM at all.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadWorkspace } from '../../../server/src/node/scan';
import type { WorkspaceModel } from '../../../server/src/analysis/model';
import { buildPlan, PlanError, type VmPlan } from '../../../remote/src/plan';
import { shippedBytes } from '../../../remote/src/shipped';

export interface FixtureCase {
  /** `cases/NAME` (analysis fixtures) or `vm/NAME` (the VM tier's). */
  name: string;
  dir: string;
  /** The case directory, its build outputs and the shared headers: what the Workspace reads. */
  paths: string[];
}

export type CaseObject = {
  fixture: string;
  objectId: string;
  model: WorkspaceModel;
  read: (path: string) => Uint8Array | null;
} & ({ runnable: true; plan: VmPlan; bytes: Uint8Array } | { runnable: false; why: string });

function subdirs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()).sort() : [];
}

export function fixtureCases(repo: string): FixtureCase[] {
  const analysis = subdirs(join(repo, 'test/fixtures/cases')).map((n) => ({
    name: `cases/${n}`,
    dir: join(repo, 'test/fixtures/cases', n),
    paths: [join(repo, 'test/fixtures/cases', n), join(repo, '.build/test/fixtures/cases', n), join(repo, 'test/fixtures/include')],
  }));
  const vm = subdirs(join(repo, 'test/vm/fixtures'))
    .filter((n) => n !== 'include')
    .map((n) => ({
      name: `vm/${n}`,
      dir: join(repo, 'test/vm/fixtures', n),
      paths: [join(repo, 'test/vm/fixtures', n), join(repo, '.build/test/vm/fixtures', n), join(repo, 'test/vm/fixtures/include')],
    }));
  return [...analysis, ...vm];
}

/** The struct_ops types a kernel implements, each with its members' names. */
export type KernelStructOps = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Reads them from the kernel's vmlinux.h (bpftool's C dump of its BTF): a type is implemented
 * when BTF has its value type `bpf_struct_ops_TYPE`.
 */
export function structOpsOfVmlinuxH(text: string): KernelStructOps {
  const types = new Set([...text.matchAll(/^struct bpf_struct_ops_(\w+) \{[^}]*\bstruct \1 data;/gm)].map((m) => m[1] as string));
  const out = new Map<string, Set<string>>();
  for (const t of types) {
    const body = new RegExp(`^struct ${t} \\{\\n([\\s\\S]*?)^\\};`, 'm').exec(text)?.[1] ?? '';
    const members = [...body.matchAll(/\(\*(\w+)\)\(|(\w+)(?:\[[^\]]*\])?(?::\s*\d+)?;$/gm)].map((m) => (m[1] ?? m[2]) as string);
    out.set(t, new Set(members));
  }
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

/** What the first line of a source says about compiling it (test/fixtures/build.sh's markers). */
function marker(c: FixtureCase, sources: string[]): string | null {
  for (const s of sources.length ? sources : files(c.dir).filter((f) => f.endsWith('.bpf.c'))) {
    const first = readFileSync(s, 'utf8').split('\n', 1)[0] ?? '';
    const m = /fixture: (no-compile|no-skeleton|bpfeb)/.exec(first);
    if (m) return m[1] ?? null;
  }
  return null;
}

/**
 * The case's objects: runnable ones with their plan (the loader's calls, or the assumed
 * lifecycle) and the bytes to ship; the others with the reason. `kernel`: the struct_ops types the
 * oracle kernel implements and their members (a slot the kernel's type lacks fails libbpf's load).
 */
export function caseObjects(c: FixtureCase, kernel: KernelStructOps, repo: string): CaseObject[] {
  const model = loadWorkspace(c.paths.filter((p) => existsSync(p))).workspace.model();
  const read = (p: string): Uint8Array | null => {
    try {
      return new Uint8Array(readFileSync(p));
    } catch {
      return null;
    }
  };
  const out: CaseObject[] = model.objects.map((o) => {
    const base = { fixture: c.name, objectId: o.id, model, read };
    const mark = marker(c, o.sources);
    if (!o.skeletons.length && !o.objectFiles.length) {
      const why = mark === 'no-compile' ? 'does not compile (`// fixture: no-compile`: meant to be broken)' : 'no compiled form (.bpf.o or skeleton) in .build/';
      return { ...base, runnable: false, why };
    }
    const maps = model.maps.filter((m) => m.object === o.id && m.autocreate);
    const missing = [...new Set(maps.filter((m) => !kernel.has(m.kernelType)).map((m) => m.kernelType))];
    if (missing.length) return { ...base, runnable: false, why: `struct_ops type ${missing.join(', ')} is not in the oracle kernel (local: Linux 7.3 with bpf_testmod)` };
    const members = maps.flatMap((m) => m.slots.filter((x) => x.program && !kernel.get(m.kernelType)?.has(x.member)).map((x) => `${m.kernelType}.${x.member}`));
    if (members.length) return { ...base, runnable: false, why: `the oracle kernel's struct_ops type has no member ${[...new Set(members)].join(', ')} (a slot libbpf cannot fill there)` };
    const file = o.objectFiles[0];
    if (file && read(file)?.[5] === 2) return { ...base, runnable: false, why: 'big-endian object (`// fixture: bpfeb`): libbpf on x86-64 opens native-endian objects only' };
    let plan: VmPlan;
    let bytes: Uint8Array;
    try {
      plan = buildPlan(model, o.id);
      bytes = shippedBytes(plan, read);
    } catch (e) {
      if (e instanceof PlanError) return { ...base, runnable: false, why: e.message.replace(repo + '/', '') };
      throw e;
    }
    return { ...base, runnable: true, plan, bytes };
  });
  if (!out.length) {
    const mark = marker(c, []);
    out.push({
      fixture: c.name,
      objectId: '(none)',
      model,
      read,
      runnable: false,
      why: mark === 'no-compile' ? 'does not compile (`// fixture: no-compile`: meant to be broken)' : `the analysis finds no object in ${relative(repo, c.dir)}`,
    });
  }
  return out;
}
