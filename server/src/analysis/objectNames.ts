// How files name BPF objects. bpftool names a skeleton after the object file (`foo.bpf.o` ->
// `foo_bpf`) unless given `name NAME`; most Makefiles (kernel selftests, scx) pass the file name
// without `.bpf.o` (`foo`). A source, its object and its skeleton are linked through these names.
import { basename } from 'node:path';

export function sanitizeIdentifier(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function namesFromStem(stem: string): string[] {
  const names = new Set<string>();
  names.add(sanitizeIdentifier(stem));
  if (stem.endsWith('.bpf')) names.add(sanitizeIdentifier(stem.slice(0, -4)));
  return [...names];
}

/** `foo.bpf.c` -> [`foo_bpf`, `foo`]; `foo.c` -> [`foo`]. */
export function objectNamesForSource(file: string): string[] {
  return namesFromStem(basename(file).replace(/\.c$/, ''));
}

/** `foo.bpf.o` -> [`foo_bpf`, `foo`]. */
export function objectNamesForObject(file: string): string[] {
  return namesFromStem(basename(file).replace(/\.o$/, ''));
}
