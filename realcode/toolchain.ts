// The compilers and the shared include directory the real code is built with: bookworm's clang 14
// first, clang-19 where 14 fails; vmlinux.h from the pinned 7.3 kernel's BTF (else the host's);
// libbpf's BPF headers from the same kernel tree, with bpf_helper_defs.h generated as libbpf's
// Makefile does.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './proc';

export function cacheRoot(): string {
  const base = process.env.BPF_ASSOC_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'bpf-assoc');
  return join(base, 'realcode');
}

export interface Compiler {
  name: string;
  command: string;
  version: string;
  /** `-idirafter` for the host's system headers, as the kernel Makefiles' get_sys_includes. */
  sysIncludes: string[];
}

async function compiler(name: string, command: string): Promise<Compiler | null> {
  const v = await run([command, '--version']);
  if (v.code !== 0) return null;
  const e = await run([command, '-v', '-E', '-'], { input: '' });
  const lines = e.stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('#include <...> search starts here:'));
  const end = lines.findIndex((l) => l.startsWith('End of search list.'));
  const dirs = start >= 0 && end > start ? lines.slice(start + 1, end).map((l) => l.trim()) : [];
  return { name, command, version: v.stdout.split('\n')[0] ?? name, sysIncludes: dirs.flatMap((d) => ['-idirafter', d]) };
}

/** clang (14 on bookworm) and clang-19, those present; the first that compiles an object wins. */
export async function compilers(): Promise<Compiler[]> {
  const found = await Promise.all([compiler('clang-14', 'clang'), compiler('clang-19', 'clang-19')]);
  return found.filter((c): c is Compiler => !!c);
}

/** The versions of the packages whose headers `-idirafter` reaches (part of every object's cache key). */
export async function hostHeaders(): Promise<string> {
  const q = await run(['dpkg-query', '-W', '-f', '${Package}=${Version}\\n', 'libc6-dev', 'libc6-dev-i386', 'linux-libc-dev']);
  return q.stdout.trim();
}

export interface IncludeDir {
  dir: string;
  /** Where vmlinux.h came from, for the report. */
  vmlinuxFrom: string;
}

/**
 * `DIR/vmlinux.h` and `DIR/bpf/*.h`, the INCLUDE_DIR of the kernel's BPF Makefiles. Rebuilt when
 * the kernel pin changes.
 */
export async function includeDir(linux: string, vmlinux: string | null): Promise<IncludeDir> {
  const btf = vmlinux && existsSync(vmlinux) ? vmlinux : '/sys/kernel/btf/vmlinux';
  const pin = readFileSync(join(linux, '.pin'), 'utf8').trim();
  const key = createHash('sha256').update(`${pin}\n${btf}\n${vmlinux ? '' : readFileSync(btf).length}`).digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), 'include', key);
  const vmlinuxFrom = btf === vmlinux ? `the BTF of ${pin.replace(/^linux-source-[^=]*=/, 'linux ')} (linux-binary)` : 'this host\'s /sys/kernel/btf/vmlinux';
  if (existsSync(join(dir, '.done'))) return { dir, vmlinuxFrom };
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'bpf'), { recursive: true });
  const dump = await run(['bpftool', 'btf', 'dump', 'file', btf, 'format', 'c'], { nice: true });
  if (dump.code !== 0) throw new Error(`bpftool btf dump file ${btf} failed: ${dump.stderr.trim()}`);
  writeFileSync(join(tmp, 'vmlinux.h'), dump.stdout);
  const libbpf = join(linux, 'tools/lib/bpf');
  for (const f of readdirSync(libbpf)) if (f.endsWith('.h')) copyFileSync(join(libbpf, f), join(tmp, 'bpf', f));
  const defs = await run(['python3', join(linux, 'scripts/bpf_doc.py'), '--header', '--file', join(linux, 'tools/include/uapi/linux/bpf.h')]);
  if (defs.code !== 0) throw new Error(`bpf_doc.py failed: ${defs.stderr.trim()}`);
  writeFileSync(join(tmp, 'bpf', 'bpf_helper_defs.h'), defs.stdout);
  writeFileSync(join(tmp, '.done'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, vmlinuxFrom };
}
