// Asking libbpf itself whether it refuses an object: realcode/libbpf-load.c opens and loads it with
// the host's libbpf on this host's kernel (root), then closes it (nothing pinned or attached).
// libbpf refuses an unreferenced struct_ops program in bpf_object_load_prog() with
// "SEC(\"struct_ops\") program isn't referenced anywhere"; a load that stops earlier (a struct_ops
// type this kernel lacks, e.g. bpf_testmod's) cannot tell.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc';
import { cacheRoot } from './toolchain';

export interface LibbpfAnswer {
  /** true: libbpf refused the program as unreferenced; false: the object loaded; null: it stopped before. */
  refused: boolean | null;
  said: string;
}

async function loader(): Promise<string | null> {
  const source = join(__dirname, 'libbpf-load.c');
  const exe = join(cacheRoot(), 'bin', `libbpf-load-${createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12)}`);
  if (existsSync(exe)) return exe;
  mkdirSync(join(cacheRoot(), 'bin'), { recursive: true });
  const cc = await run(['gcc', '-O1', '-Wall', '-o', exe, source, '-lbpf']);
  return cc.code === 0 ? exe : null;
}

export async function libbpfRefusesUnreferenced(object: string, program: string): Promise<LibbpfAnswer> {
  if (process.getuid?.() !== 0) return { refused: null, said: 'not root: libbpf not asked' };
  const exe = await loader();
  if (!exe) return { refused: null, said: 'realcode/libbpf-load.c did not build (gcc, libbpf-dev)' };
  const r = await run([exe, object], { nice: true });
  if (r.code === 0) return { refused: false, said: 'the object loaded' };
  const lines = r.stderr.split('\n').map((l) => l.replace(/^libbpf: /, '').trim());
  const refused = lines.find((l) => l.includes(`prog '${program}': SEC("struct_ops") program isn't referenced anywhere`));
  if (refused) return { refused: true, said: refused };
  const stop = lines.find((l) => /not found|failed|error/i.test(l) && !l.includes('optional')) ?? lines.filter((l) => l).pop() ?? 'no output';
  return { refused: null, said: stop };
}
