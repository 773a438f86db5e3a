// Helpers of the VM tier: the built-in VMs (Debian's 7.3 with bpf_testmod, Debian's stock 6.12)
// each booted once and shared by the tests, the VM fixtures as workspaces, a shell on the guest for
// checks (bpftool), and waiting on events.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import { loadWorkspace } from '../../server/src/node/scan';
import { builtinImages, LocalVm } from '../../remote/src/localVm';
import { runLocal } from '../../remote/src/transport';
import type { WorkspaceModel } from '../../server/src/analysis/model';

export const REPO = resolve(__dirname, '../..');
let shared: Promise<LocalVm> | null = null;
let sharedStock: Promise<LocalVm> | null = null;

/** Boots the built-in "local" VM (Debian's Linux 7.3 with bpf_testmod) once for the whole tier (stopped by the root hook below). */
export function sharedVm(): Promise<LocalVm> {
  shared ??= LocalVm.start(image('local'));
  return shared;
}

/** Boots the built-in "local-6.12" VM (Debian's stock 6.12: no BPF_PROG_ASSOC_STRUCT_OPS) once for the whole tier. */
export function sharedStockVm(): Promise<LocalVm> {
  sharedStock ??= LocalVm.start(image('local-6.12'));
  return sharedStock;
}

/** Replaces a shared VM that died or hung (kills it, boots a new one). */
export async function rebootShared(vm: LocalVm): Promise<LocalVm> {
  await vm.kill();
  await vm.stop();
  const next = LocalVm.start(vm.image);
  if (shared && (await shared) === vm) shared = next;
  if (sharedStock && (await sharedStock) === vm) sharedStock = next;
  return next;
}

export function image(name: string) {
  const i = builtinImages().find((x) => x.name === name);
  if (!i) throw new Error(`no built-in image ${name}`);
  return i;
}

export const mochaHooks = {
  async afterAll(): Promise<void> {
    const vms = await Promise.allSettled([shared, sharedStock].filter((x) => x !== null));
    await Promise.all(vms.map((v) => (v.status === 'fulfilled' ? v.value?.stop() : undefined)));
  },
};

let built = false;
let builtAll = false;

/** Compiles the analysis fixtures and the VM fixtures (both build scripts skip what is current). */
export async function buildAllFixtures(): Promise<void> {
  if (builtAll) return;
  execFileSync('bash', [join(REPO, 'test/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('bash', [join(REPO, 'test/vm/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  await loadGrammar();
  builtAll = true;
}

/** The model of a VM fixture case (sources, loader, header, built object and skeleton). */
export async function fixtureModel(name: string): Promise<{ model: WorkspaceModel; read: (p: string) => Uint8Array | null }> {
  if (!built) {
    execFileSync('bash', [join(REPO, 'test/vm/fixtures/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    await loadGrammar();
    built = true;
  }
  const ws = loadWorkspace([join(REPO, 'test/vm/fixtures', name), join(REPO, 'test/vm/fixtures/include'), join(REPO, '.build/test/vm/fixtures', name)]).workspace;
  return { model: ws.model(), read: (p) => new Uint8Array(readFileSync(p)) };
}

/** Runs a command on the guest as root through the VM's ssh config (outside the code under test). */
export async function guest(vm: LocalVm, script: string): Promise<string> {
  const r = await runLocal('ssh', ['-F', vm.sshConfig, '-o', 'BatchMode=yes', 'bpf-assoc-local', script], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`guest: ${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** What is loaded in the guest's kernel: program, map and link names (bpftool -j). */
export async function loaded(vm: LocalVm): Promise<{ progs: string[]; maps: string[]; links: number; congestion: string[] }> {
  const out = await guest(vm, 'bpftool -j prog list; echo @@; bpftool -j map list; echo @@; bpftool -j link list; echo @@; cat /proc/sys/net/ipv4/tcp_available_congestion_control');
  const [progs, maps, links, cc] = out.split('@@').map((x) => x.trim());
  const names = (json: string | undefined): string[] => (JSON.parse(json || '[]') as { name?: string }[]).map((x) => x.name ?? '');
  return { progs: names(progs), maps: names(maps), links: (JSON.parse(links || '[]') as unknown[]).length, congestion: (cc ?? '').trim().split(/\s+/) };
}

/**
 * What is loaded once the kernel's deferred frees are done: struct_ops maps and their programs
 * are released after RCU (and RCU tasks) grace periods, a moment after the agent exits — seconds
 * under TCG on a busy host. Polls until the state equals `expected` or `ms` pass, and returns the
 * last state seen (the caller asserts on it).
 */
export async function loadedOnceSettled(vm: LocalVm, expected: Awaited<ReturnType<typeof loaded>>, ms = 30_000): Promise<Awaited<ReturnType<typeof loaded>>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = await loaded(vm);
    if (JSON.stringify(now) === JSON.stringify(expected) || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * What is loaded before a test, once an earlier test's objects (all named `bpfa_…`) are freed:
 * their programs can outlive their maps by a few grace periods, and a snapshot taken then would
 * expect them back.
 */
export async function settledBaseline(vm: LocalVm, ms = 30_000): Promise<Awaited<ReturnType<typeof loaded>>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = await loaded(vm);
    const ours = [...now.progs, ...now.maps, ...now.congestion].some((n) => n.startsWith('bpfa'));
    if (!ours || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 200));
  }
}
