// Skeleton inputs in both formats bpftool writes for NAME__elf_bytes(): the aligned array of
// bpftool v7.3 and later (what .build/ holds), and the older `*sz = N; return (const void *)"...";`
// (rewritten from it). Mutations hit the text, the declared size, the literal's escapes, or the
// embedded object itself (decoded, mutated as an object, encoded again).
import { embeddedObjectBytes, readSkeleton } from '../server/src/analysis/skeleton';
import { mutateC } from './mutateC';
import { mutateElf } from './mutateElf';
import { Rng } from './rng';

const ALIGNED = /static const char data\[\] __attribute__\(\(__aligned__\(8\)\)\) = "/;
const ALIGNED_TAIL = /\n\n\t\*sz = sizeof\(data\) - 1;\n\treturn \(const void \*\)data;/;

/** The object bytes as bpftool escapes them, lines continued with a backslash. */
export function encodeLiteral(bytes: Uint8Array): string {
  let out = '';
  let line = 0;
  for (const b of bytes) {
    const e = b === 0 ? '\\0' : `\\x${b.toString(16).padStart(2, '0')}`;
    out += e;
    line += e.length;
    if (line > 76) {
      out += '\\\n';
      line = 0;
    }
  }
  return out;
}

/** bpftool's older format (before v7.3) from a v7.5 skeleton. */
export function toOlderFormat(text: string, size: number): string {
  return text.replace(ALIGNED, `*sz = ${size};\n\treturn (const void *)"`).replace(ALIGNED_TAIL, '');
}

/** The skeleton with its embedded object replaced by `bytes` (in the aligned format). */
function withObject(text: string, bytes: Uint8Array): string {
  const m = ALIGNED.exec(text);
  if (!m) return text;
  const start = m.index + m[0].length;
  const end = text.indexOf('";', start);
  return end < 0 ? text : text.slice(0, start) + encodeLiteral(bytes) + text.slice(end);
}

const HUGE_SIZES = ['99999999999999999999', '18446744073709551615', '9007199254740993', '4294967296', '0', '1', '-1', '0x7fffffff'];

export const SKELETON_MUTATIONS = ['text', 'object', 'size', 'escapes', 'cut-literal'] as const;

export function mutateSkeleton(rng: Rng, seed: Uint8Array, donor: Uint8Array): { bytes: Uint8Array; what: string } {
  let text = new TextDecoder().decode(seed);
  const name = readSkeleton(text, 'x.skel.h').objectName;
  const embedded = name ? embeddedObjectBytes(text, name) : null;
  const objectBytes = embedded && 'bytes' in embedded ? embedded.bytes : null;
  const older = rng.chance(0.5);
  const m = rng.pick(SKELETON_MUTATIONS);
  let what: string = m;
  if (m === 'object' && objectBytes) {
    const mutated = mutateElf(rng, objectBytes);
    text = withObject(text, mutated.bytes);
    what = `object:${mutated.what}`;
    if (older) text = toOlderFormat(text, mutated.bytes.length);
  } else {
    if (older) text = toOlderFormat(text, objectBytes?.length ?? 0);
    if (m === 'size' && older) text = text.replace(/\*sz = \d+;/, `*sz = ${rng.pick(HUGE_SIZES)};`);
    else if (m === 'escapes') {
      const start = text.search(older ? /return \(const void \*\)"/ : ALIGNED);
      for (let k = rng.range(1, 20); k > 0 && start >= 0; k--) {
        const at = start + 30 + rng.int(Math.max(1, text.length - start - 30));
        text = text.slice(0, at) + rng.pick(['\\x', '\\', '"', '\\777', '\\xfffffffff', '\\u1234', '\n', '\\\n\\\n', '\\0\\0\\0\\0']) + text.slice(at);
      }
    } else if (m === 'cut-literal') {
      const start = text.search(older ? /return \(const void \*\)"/ : ALIGNED);
      if (start >= 0) text = text.slice(0, start + 40 + rng.int(Math.max(1, text.length - start - 40)));
    } else {
      const mutated = mutateC(rng, new TextEncoder().encode(text), donor);
      return { bytes: mutated.bytes, what: `${older ? 'older' : 'aligned'}:text:${mutated.what}` };
    }
  }
  return { bytes: new TextEncoder().encode(text), what: `${older ? 'older' : 'aligned'}:${what}` };
}
