// The agent's sources and its local static build (agentBuild: "local-static"): compiled once per
// source version into the cache, linked against this machine's libbpf.a, libelf.a, libz.a and
// libzstd.a, so it runs on any x86-64 Linux target without libraries there.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { arch } from 'node:os';
import { join, resolve } from 'node:path';
import { VmError } from './errors';

/** Sources built on a target (the static shim is only for the local static link). */
export const AGENT_SOURCES = ['bpf-assoc-agent.c', 'steps.c', 'steps.h', 'report.c', 'report.h'];
const STATIC_SHIM = 'elfutils-static-shim.c';
export const AGENT_BINARY = 'bpf-assoc-agent';

/** remote/agent, found from the bundle (dist/) or from the sources (remote/src/). */
export function agentSourceDir(): string {
  const candidates = [process.env.BPF_ASSOC_AGENT_DIR, resolve(__dirname, '../agent'), resolve(__dirname, '../remote/agent')];
  for (const c of candidates) if (c && existsSync(join(c, 'bpf-assoc-agent.c'))) return c;
  throw new VmError('agent-build-failed', `the agent's sources (remote/agent) are not beside ${__dirname}`);
}

export interface AgentSources {
  dir: string;
  files: { name: string; bytes: Buffer }[];
  /** Short hash of the sources: the remote and local build caches are keyed by it. */
  hash: string;
}

export function readAgentSources(dir = agentSourceDir()): AgentSources {
  const h = createHash('sha256');
  const files = AGENT_SOURCES.map((name) => {
    const bytes = readFileSync(join(dir, name));
    h.update(name).update('\0').update(bytes);
    return { name, bytes };
  });
  return { dir, files, hash: h.digest('hex').slice(0, 16) };
}

/** The machine name `uname -m` prints for this process's architecture. */
export function localMachine(): string {
  return ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[arch()] ?? arch();
}

const building = new Map<string, Promise<string>>();

/** Builds (or finds in the cache) the static agent; returns its path. */
export function staticAgent(cacheDir: string, sources = readAgentSources(), signal?: AbortSignal): Promise<string> {
  const out = join(cacheDir, 'agent', `${AGENT_BINARY}-${sources.hash}-static`);
  if (existsSync(out)) return Promise.resolve(out);
  let p = building.get(out);
  if (!p) {
    p = buildStatic(sources, out, signal).finally(() => building.delete(out));
    building.set(out, p);
  }
  return p;
}

function buildStatic(sources: AgentSources, out: string, signal?: AbortSignal): Promise<string> {
  mkdirSync(join(out, '..'), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const cc = process.env.CC ?? 'cc';
  const args = ['-O2', '-Wall', '-static', '-s', '-o', tmp, ...sources.files.filter((f) => f.name.endsWith('.c')).map((f) => join(sources.dir, f.name)), join(sources.dir, STATIC_SHIM), '-lbpf', '-lelf', '-lz', '-lzstd'];
  return new Promise((resolvePath, reject) => {
    const child = spawn(cc, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => {
      rmSync(tmp, { force: true });
      reject(
        (e as NodeJS.ErrnoException).code === 'ABORT_ERR'
          ? new VmError('cancelled', 'cancelled while building the agent')
          : new VmError('agent-build-failed', `cannot run ${cc} to build the static agent: ${e.message} (Debian: apt-get install gcc)`),
      );
    });
    child.on('close', (code) => {
      if (code === 0) {
        renameSync(tmp, out);
        resolvePath(out);
        return;
      }
      rmSync(tmp, { force: true });
      const missing = /bpf\/libbpf\.h|cannot find -l(bpf|elf|z|zstd)/.exec(output);
      reject(
        new VmError(
          'agent-build-failed',
          missing
            ? 'The static agent cannot be built here: static libraries are missing (Debian: apt-get install libbpf-dev libelf-dev zlib1g-dev libzstd-dev).'
            : 'The static agent did not build here.',
          output.trim().split('\n').slice(-20).join('\n'),
        ),
      );
    });
  });
}
