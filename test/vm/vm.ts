// Helpers of the VM tier: one built-in VM (Debian's 6.12 in qemu) shared by the tests, the VM
// fixtures as workspaces, a shell on the guest for checks (bpftool), and waiting on events.
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

/** Boots the built-in "local" VM once for the whole tier (stopped by the root hook below). */
export function sharedVm(): Promise<LocalVm> {
  shared ??= LocalVm.start(image('local'));
  return shared;
}

export function image(name: string) {
  const i = builtinImages().find((x) => x.name === name);
  if (!i) throw new Error(`no built-in image ${name}`);
  return i;
}

export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (shared) await (await shared).stop();
  },
};

let built = false;
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

/** Resolves when `test` passes for an event, rejects after `ms`. */
export function eventually<T>(subscribe: (fire: (v: T) => void) => void, test: (v: T) => boolean, ms: number, what: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    subscribe((v) => {
      if (test(v)) {
        clearTimeout(timer);
        resolvePromise(v);
      }
    });
  });
}
