// The bytes shipped to the target: a .bpf.o as it is, or the object a bpftool skeleton embeds
// (what NAME__elf_bytes() hands to libbpf). Pure: file contents in, bytes out.
import { isBpfElf } from '../../server/src/analysis/elf/magic';
import { embeddedObjectBytes, readSkeleton } from '../../server/src/analysis/skeleton';
import { PlanError, type VmPlan } from './plan';

/** The embedded object of a skeleton, decoded as readSkeleton() decodes it. */
export function skeletonObjectBytes(text: string, file: string): Uint8Array {
  const facts = readSkeleton(text, file);
  if (!facts.embedded) {
    const why = facts.problems[0]?.message ?? 'it embeds no object (a light skeleton?)';
    throw new PlanError(`cannot take the object out of ${file}: ${why}`);
  }
  const got = embeddedObjectBytes(text, facts.objectName);
  if (!('bytes' in got)) throw new PlanError(`${file}: ${got.message}`);
  return got.bytes;
}

/** The object to upload for a plan, read through `read` (a file's bytes, or null if missing). */
export function shippedBytes(plan: VmPlan, read: (path: string) => Uint8Array | null): Uint8Array {
  const content = read(plan.shipped.path);
  if (!content) throw new PlanError(`cannot read ${plan.shipped.path}`);
  const bytes = plan.shipped.kind === 'skeleton' ? skeletonObjectBytes(new TextDecoder().decode(content), plan.shipped.path) : content;
  if (!isBpfElf(bytes)) throw new PlanError(`${plan.shipped.path} does not hold a BPF ELF object`);
  return bytes;
}
