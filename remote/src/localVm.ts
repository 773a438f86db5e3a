// The built-in VM targets: qemu boots a kernel with the initramfs that remote/vm/setup.sh builds
// (busybox, dropbear, bpftool), with ssh forwarded to 127.0.0.1:PORT. The ssh into it goes
// through the same transport as any target, with a generated ssh config file.
//
// A target is an image: a kernel plus initramfs archives concatenated in order. "local" is
// Debian's Linux 7.3 (its virtio-net module comes in a second archive, the selftests'
// bpf_testmod.ko in a third), "local-6.12" Debian's stock 6.12, both pinned in
// remote/vm/kernels.pin. A kernel you built with its drivers built in boots with the base archive
// alone (customImage).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { VmError } from './errors';
import { TARGET_DEFAULTS, type VmTarget } from './targets';
import { runLocal } from './transport';

export interface VmImage {
  name: string;
  description: string;
  kernel: string;
  /** Concatenated in this order into the initrd (the kernel unpacks them one after the other). */
  initrds: string[];
  append?: string;
}

/** The guest's ready line, complete: `bpf-assoc-guest: ready RELEASE modules: virtio_net bpf_testmod` (older guests: no modules). */
const READY_LINE = /bpf-assoc-guest: ready[^\r\n]*?(?: modules:([^\r\n]*))?\r?\n/;
const HOST_ALIAS = 'bpf-assoc-local';
const QEMU = process.env.BPF_ASSOC_QEMU ?? 'qemu-system-x86_64';

function cacheBase(): string {
  return process.env.BPF_ASSOC_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bpf-assoc');
}

/** `$BPF_ASSOC_VM_CACHE`, else `vm/` in `$BPF_ASSOC_CACHE`, else `~/.cache/bpf-assoc/vm`. */
export function vmCacheDir(): string {
  return process.env.BPF_ASSOC_VM_CACHE ?? join(cacheBase(), 'vm');
}

/** The kernel release that fetch-kernel.sh wrote into a kernel directory, or null when it is not fetched. */
function releaseIn(dir: string): string | null {
  try {
    return readFileSync(join(dir, 'release'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * The built-in images by name: "local" (Debian's Linux 7.3 with the selftests' bpf_testmod.ko) and
 * "local-6.12" (Debian's stock 6.12, without the association command), both pinned in
 * remote/vm/kernels.pin.
 */
export function builtinImages(cache = vmCacheDir()): VmImage[] {
  const base = join(cache, 'initramfs.cpio.gz');
  const debian = (name: string, what: string): VmImage => {
    const dir = join(cache, 'kernels', name);
    const testmod = join(dir, 'testmod.cpio.gz');
    const withTestmod = existsSync(testmod);
    return {
      name,
      description: `Debian's kernel ${releaseIn(dir) ?? what} in qemu${withTestmod ? ' with bpf_testmod.ko' : ''}`,
      kernel: join(dir, 'vmlinuz'),
      initrds: [base, join(dir, 'modules.cpio.gz'), ...(withTestmod ? [testmod] : [])],
    };
  };
  const local = debian('local', '7.3');
  return [process.env.BPF_ASSOC_VM_KERNEL ? customImage(process.env.BPF_ASSOC_VM_KERNEL, cache) : local, debian('local-6.12', '6.12')];
}

/** An image for a kernel you built: it needs virtio-net (and virtio-pci) built in, BPF, BTF and a serial console. */
export function customImage(kernel: string, cache = vmCacheDir()): VmImage {
  return { name: 'local', description: `${kernel} in qemu`, kernel, initrds: [join(cache, 'initramfs.cpio.gz')] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function kvmUsable(): boolean {
  if (process.env.BPF_ASSOC_VM_ACCEL === 'tcg') return false;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const q of live) q.kill('SIGKILL');
});

export class LocalVm {
  private constructor(
    readonly image: VmImage,
    readonly port: number,
    readonly accel: 'kvm' | 'tcg',
    readonly bootMs: number,
    /** The kernel modules the guest loaded at boot (its ready line), e.g. virtio_net, bpf_testmod. */
    readonly modules: string[],
    readonly runtimeDir: string,
    readonly sshConfig: string,
    private readonly qemu: ChildProcess,
    readonly exited: Promise<void>,
  ) {}

  /** Boots the image and resolves once the guest's ssh server listens. KVM first when usable, else TCG. */
  static async start(image: VmImage, o: { signal?: AbortSignal; bootTimeoutMs?: number; cache?: string; log?: (line: string) => void } = {}): Promise<LocalVm> {
    const cache = o.cache ?? vmCacheDir();
    const keys = join(cache, 'keys');
    for (const f of [image.kernel, ...image.initrds, join(keys, 'client_ed25519'), join(keys, 'known_hosts')]) {
      if (!existsSync(f)) throw new VmError('vm-setup-missing', `The built-in VM is not set up (${f} is missing): run "npm run vm:setup" (remote/vm/setup.sh).`);
    }
    const runtimeDir = mkdtempSync(join(tmpdir(), 'bpfa-vm-'));
    const initrd = join(runtimeDir, 'initrd.img');
    writeFileSync(initrd, Buffer.concat(image.initrds.map((f) => readFileSync(f))));
    const accels: ('kvm' | 'tcg')[] = process.env.BPF_ASSOC_VM_ACCEL === 'kvm' ? ['kvm'] : kvmUsable() ? ['kvm', 'tcg'] : ['tcg'];
    let lastError: VmError | null = null;
    for (const accel of accels) {
      // KVM that cannot boot a stock kernel hangs or resets: give it a short budget, then emulate.
      const timeout = accel === 'kvm' && accels.length > 1 ? 30_000 : (o.bootTimeoutMs ?? 180_000);
      for (let attempt = 0; attempt < 3; attempt++) {
        const port = await freePort();
        try {
          return await LocalVm.boot(image, { accel, port, runtimeDir, initrd, keys, timeout, signal: o.signal, log: o.log });
        } catch (e) {
          if (!(e instanceof VmError)) throw e;
          lastError = e;
          if (e.kind === 'cancelled') break;
          if (!/host forwarding rule|Could not set up host forwarding|Address already in use/.test(e.detail)) break;
        }
      }
      if (lastError?.kind === 'cancelled') break;
      o.log?.(`qemu with ${accel} did not boot: ${lastError?.message ?? ''}`);
    }
    rmSync(runtimeDir, { recursive: true, force: true });
    throw lastError ?? new VmError('vm-boot-failed', 'qemu did not start');
  }

  private static boot(
    image: VmImage,
    o: { accel: 'kvm' | 'tcg'; port: number; runtimeDir: string; initrd: string; keys: string; timeout: number; signal?: AbortSignal; log?: (line: string) => void },
  ): Promise<LocalVm> {
    const args = [
      '-nodefaults', '-display', 'none', '-serial', 'stdio', '-no-reboot',
      '-machine', 'q35', '-accel', o.accel, '-cpu', o.accel === 'kvm' ? 'host' : 'max',
      '-m', '1024', '-smp', '1',
      '-kernel', image.kernel, '-initrd', o.initrd,
      '-append', `console=ttyS0 panic=-1 quiet ${image.append ?? ''}`.trim(),
      '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${o.port}-:22`,
      '-device', 'virtio-net-pci,netdev=n0,romfile=',
    ];
    o.log?.(`$ ${QEMU} ${args.join(' ')}`);
    const started = Date.now();
    const qemu = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(qemu);
    const exited = new Promise<void>((resolve) => qemu.once('close', () => (live.delete(qemu), resolve())));
    const serialLog = createWriteStream(join(o.runtimeDir, `serial-${o.accel}.log`));
    // A boot cancelled at once removes the runtime directory before the log file is open.
    serialLog.on('error', () => undefined);
    let serial = '';
    let stderr = '';
    qemu.stdout.on('data', (d: Buffer) => {
      serialLog.write(d);
      serial = (serial + d.toString()).slice(-16_384);
    });
    qemu.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      const fail = (e: VmError): void => {
        cleanup();
        qemu.kill('SIGKILL');
        reject(e);
      };
      const onData = (): void => {
        const ready = READY_LINE.exec(serial);
        if (!ready) return;
        cleanup();
        const sshConfig = join(o.runtimeDir, 'ssh_config');
        writeFileSync(sshConfig, sshConfigText(o.port, o.keys));
        const modules = (ready[1] ?? '').trim().split(/\s+/).filter((m) => m && m !== 'none');
        o.log?.(`guest ready after ${Date.now() - started} ms (${o.accel}); modules loaded at boot: ${modules.join(', ') || 'none'}`);
        resolve(new LocalVm(image, o.port, o.accel, Date.now() - started, modules, o.runtimeDir, sshConfig, qemu, exited));
      };
      const onClose = (code: number | null): void =>
        fail(new VmError('vm-boot-failed', `qemu (${o.accel}) exited with ${code} before the guest was ready.`, `${stderr.trim()}\n${tail(serial)}`.trim()));
      const onAbort = (): void => fail(new VmError('cancelled', 'cancelled while booting the VM'));
      const timer = setTimeout(() => fail(new VmError('vm-boot-failed', `the VM (${o.accel}) was not ready within ${Math.round(o.timeout / 1000)} s.`, tail(serial))), o.timeout);
      const cleanup = (): void => {
        clearTimeout(timer);
        qemu.stdout.removeListener('data', onData);
        qemu.removeListener('close', onClose);
        o.signal?.removeEventListener('abort', onAbort);
      };
      qemu.stdout.on('data', onData);
      qemu.once('close', onClose);
      qemu.once('error', (e) => fail(new VmError('vm-boot-failed', `cannot run ${QEMU}: ${e.message} (Debian: apt-get install qemu-system-x86)`)));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      if (o.signal?.aborted) onAbort(); // fired before the listener was added: 'abort' is not sent again
    });
  }

  /** The ssh target for this VM: root by default, or another guest user (tests use "tester"). */
  target(o: { name?: string; user?: string } = {}): VmTarget {
    return {
      ...TARGET_DEFAULTS,
      name: o.name ?? this.image.name,
      host: o.user ? `${o.user}@${HOST_ALIAS}` : HOST_ALIAS,
      sshConfig: this.sshConfig,
      agentBuild: 'local-static',
      allowAttach: true,
      connectTimeout: 30,
      runTimeout: 300,
    };
  }

  get running(): boolean {
    return this.qemu.exitCode === null && this.qemu.signalCode === null;
  }

  /** Stops the guest: `reboot -f` over ssh (qemu runs with -no-reboot, so it exits), else kills qemu. */
  async stop(): Promise<void> {
    if (this.running) {
      await runLocal('ssh', ['-F', this.sshConfig, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', HOST_ALIAS, 'reboot -f'], { timeoutMs: 10_000 }).catch(() => undefined);
      const timer = setTimeout(() => this.qemu.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.runtimeDir, { recursive: true, force: true });
  }

  /** Kills qemu at once, as a crashing VM would go (tests of a VM dying mid-run). */
  kill(): Promise<void> {
    this.qemu.kill('SIGKILL');
    return this.exited;
  }

  /** The serial console so far (for a failed test's message). */
  serialLog(): string {
    const f = join(this.runtimeDir, `serial-${this.accel}.log`);
    return existsSync(f) && statSync(f).size ? tail(readFileSync(f, 'utf8')) : '';
  }
}

function sshConfigText(port: number, keys: string): string {
  const q = (p: string): string => `"${p}"`;
  return [
    `Host ${HOST_ALIAS}`,
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    '  User root',
    `  IdentityFile ${q(join(keys, 'client_ed25519'))}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${q(join(keys, 'known_hosts'))}`,
    '  GlobalKnownHostsFile /dev/null',
    `  HostKeyAlias ${HOST_ALIAS}`,
    '  StrictHostKeyChecking yes',
    '',
  ].join('\n');
}

/** Terminal escape sequences a serial console prints (colours, cursor moves, reset). */
// eslint-disable-next-line no-control-regex
const TERMINAL_ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]|\x1bc/g;

function tail(text: string, n = 15): string {
  return text.replace(TERMINAL_ESCAPES, '').trim().split('\n').slice(-n).join('\n');
}
