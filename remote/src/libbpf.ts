// The libbpf that users' loaders (and the static agent) are linked with: Debian's source package of
// the version pinned in remote/loader/LIBBPF_VERSION, built here, static, and cached by version
// (remote/loader/build-libbpf.sh). One build at a time per process.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VmError } from './errors';

export interface Libbpf {
  /** Install prefix: include/bpf/*.h and lib/libbpf.a. */
  prefix: string;
  /** Upstream version, "1.7.0". */
  version: string;
  /** Debian source version, "1.7.0-1". */
  debianVersion: string;
}

/** remote/loader, found from the bundle (dist/) or from the sources (remote/src/). */
export function loaderToolsDir(): string {
  const candidates = [process.env.BPF_ASSOC_LOADER_DIR, resolve(__dirname, '../loader'), resolve(__dirname, '../remote/loader')];
  for (const c of candidates) if (c && existsSync(join(c, 'recorder.c'))) return c;
  throw new VmError('agent-build-failed', `the loader recorder's sources (remote/loader) are not beside ${__dirname}`);
}

/** The pinned Debian version of libbpf ("1.7.0-1"). */
export function pinnedLibbpf(dir = loaderToolsDir()): string {
  return readFileSync(join(dir, 'LIBBPF_VERSION'), 'utf8').trim();
}

let building: Promise<Libbpf> | null = null;

/** Builds libbpf (or finds it in the cache) and returns where it is. */
export function ensureLibbpf(signal?: AbortSignal): Promise<Libbpf> {
  building ??= buildLibbpf(signal).catch((e: unknown) => {
    building = null;
    throw e;
  });
  return building;
}

function buildLibbpf(signal?: AbortSignal): Promise<Libbpf> {
  const dir = loaderToolsDir();
  const debianVersion = pinnedLibbpf(dir);
  return new Promise((resolvePrefix, reject) => {
    const child = spawn('bash', [join(dir, 'build-libbpf.sh')], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) =>
      reject((e as NodeJS.ErrnoException).code === 'ABORT_ERR' ? new VmError('cancelled', 'cancelled while building libbpf') : new VmError('agent-build-failed', `cannot run build-libbpf.sh: ${e.message}`)),
    );
    child.on('close', (code) => {
      const prefix = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !existsSync(join(prefix, 'lib/libbpf.a'))) {
        reject(new VmError('agent-build-failed', `libbpf ${debianVersion} could not be built here (remote/loader/build-libbpf.sh, exit ${code ?? 'signal'}).`, err.trim().split('\n').slice(-20).join('\n')));
        return;
      }
      resolvePrefix({ prefix, version: readFileSync(join(prefix, 'VERSION'), 'utf8').trim(), debianVersion });
    });
  });
}
