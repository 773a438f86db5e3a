// The bytes shipped to the target: a .bpf.o as it is, or the object a bpftool skeleton embeds
// (what NAME__elf_bytes() hands to libbpf). Pure: file contents in, bytes out.
import { decodeCStringLiterals } from '../../server/src/analysis/cStringLiteral';
import { isBpfElf } from '../../server/src/analysis/workspace';
import { readSkeleton } from '../../server/src/analysis/skeleton';
import { PlanError, type VmPlan } from './plan';

/**
 * The embedded object of a skeleton. readSkeleton() validates the skeleton and reads the object's
 * facts; the literal is decoded here again because the facts do not keep the bytes.
 */
export function skeletonObjectBytes(text: string, file: string): Uint8Array {
  const facts = readSkeleton(text, file);
  if (!facts.embedded) {
    const why = facts.problems[0]?.message ?? 'it embeds no object (a light skeleton?)';
    throw new PlanError(`cannot take the object out of ${file}: ${why}`);
  }
  const name = facts.objectName;
  const def = new RegExp(`\\b${name}__elf_bytes\\s*\\(\\s*size_t\\s*\\*\\s*\\w+\\s*\\)\\s*\\{`).exec(text);
  if (!def) throw new PlanError(`${file}: ${name}__elf_bytes() is not defined`);
  const preamble = text.slice(def.index, def.index + 4096);
  const older = /\*\s*sz\s*=\s*(\d+)\s*;\s*return\s*\(\s*const\s+void\s*\*\s*\)\s*"/.exec(preamble);
  const quote = older ? older.index + older[0].length - 1 : preamble.indexOf('"');
  if (quote < 0) throw new PlanError(`${file}: ${name}__elf_bytes() holds no string literal`);
  const size = older?.[1] !== undefined ? Number(older[1]) : undefined;
  const decoded = decodeCStringLiterals(text, def.index + quote, size ?? 0);
  if (decoded.error) throw new PlanError(`${file}: the embedded object cannot be decoded: ${decoded.error.message}`);
  return size !== undefined ? decoded.bytes.subarray(0, size) : decoded.bytes;
}

/** The object to upload for a plan, read through `read` (a file's bytes, or null if missing). */
export function shippedBytes(plan: VmPlan, read: (path: string) => Uint8Array | null): Uint8Array {
  const content = read(plan.shipped.path);
  if (!content) throw new PlanError(`cannot read ${plan.shipped.path}`);
  const bytes = plan.shipped.kind === 'skeleton' ? skeletonObjectBytes(new TextDecoder().decode(content), plan.shipped.path) : content;
  if (!isBpfElf(bytes)) throw new PlanError(`${plan.shipped.path} does not hold a BPF ELF object`);
  return bytes;
}
