// libbpf-cargo's generated skeleton (`*.skel.rs`) -> the same facts as a C skeleton: the object
// name the skeleton gives libbpf (`builder.name("pid_iter_bpf")`), its maps and programs
// (`.map("NAME", ..)`, `.prog("NAME")`), and the object it embeds, read with the same reader as a
// `.bpf.o`: `const DATA: &[u8] = &[127, 69, 76, 70, ...];` (libbpf-cargo before 0.25; bpftop
// commits its src/bpf/pid_iter.skel.rs so) or `static DATA: [u8; N] = [127, 69, ...];` (0.25 on,
// gen/mod.rs). `static DATA: [u8; N] = *include_bytes!("PATH")` (the object by reference) embeds
// nothing to read here: the object file itself is. Pure; never throws.
import { readBpfObject } from '../elf/bpfObject';
import { LineIndex } from '../c/lineIndex';
import { ZERO_RANGE, type Location, type SkeletonFacts } from '../facts';

/** A generated skeleton: the object it hands libbpf-rs, as libbpf-cargo writes it. */
export const RUST_SKELETON = /\b(?:const|static)\s+DATA\s*:\s*(?:&\s*\[\s*u8\s*\]\s*=\s*&\s*\[|\[\s*u8\s*;\s*(\d+)\s*\]\s*=\s*(\[|\*\s*include_bytes!))/;

export function isRustSkeletonPath(path: string): boolean {
  return path.endsWith('.skel.rs');
}

/** The bytes of `&[1, 2, 0x7f, ...]` from `open` (the `[`), or why they cannot be had. */
function byteList(text: string, open: number): { bytes: Uint8Array } | { message: string; offset: number } {
  const close = text.indexOf(']', open);
  if (close < 0) return { message: 'the embedded object `DATA` does not end (no `]`): the skeleton is truncated', offset: open };
  const out = new Uint8Array(Math.ceil((close - open) / 2));
  let n = 0;
  const items = text.slice(open + 1, close).split(',');
  let at = open + 1;
  for (const item of items) {
    const t = item.trim();
    if (t) {
      const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
      if (!(v >= 0 && v <= 255)) return { message: `the embedded object \`DATA\` holds \`${t.slice(0, 20)}\`, not a byte: regenerate the skeleton (cargo build, libbpf-cargo)`, offset: at + item.indexOf(t) };
      out[n++] = v;
    }
    at += item.length + 1;
  }
  return { bytes: out.subarray(0, n) };
}

export function readRustSkeleton(text: string, file: string): SkeletonFacts {
  const facts: SkeletonFacts = { file, objectName: '', location: { file, range: ZERO_RANGE }, maps: [], programs: [], links: [], structOpsShadows: [], embedded: null, problems: [] };
  let lines: LineIndex | undefined;
  const at = (offset: number, length = 0): Location => {
    lines ??= new LineIndex(text);
    return { file, range: lines.range(offset, offset + length) };
  };
  const problem = (message: string, offset: number): void => {
    facts.problems.push({ rule: 'malformed-skeleton', message, location: at(offset) });
  };
  const name = /\bbuilder\s*\.\s*name\s*\(\s*"(\w+)"\s*\)/.exec(text);
  if (!name?.[1]) {
    problem('no `builder.name("...")`: this does not look like a skeleton libbpf-cargo generated', 0);
    return facts;
  }
  facts.objectName = name[1];
  facts.location = at(name.index + name[0].indexOf(name[1]), name[1].length);
  // The builder's chain names each map and program libbpf-rs looks up in the object.
  facts.maps = [...new Set([...text.matchAll(/\.map\s*\(\s*"([^"]+)"/g)].map((m) => m[1] as string))];
  facts.programs = [...new Set([...text.matchAll(/\.prog\s*\(\s*"([^"]+)"/g)].map((m) => m[1] as string))];
  const data = RUST_SKELETON.exec(text);
  if (!data) {
    problem(`${name[1]}'s skeleton embeds no \`const DATA: &[u8] = &[...]\`, so its object cannot be read; regenerate it with libbpf-cargo`, name.index);
    return facts;
  }
  if (data[2] && data[2] !== '[') return facts; // by reference: the object file is read as itself
  const got = byteList(text, data.index + data[0].length - 1);
  if (!('bytes' in got)) {
    problem(got.message, got.offset);
    return facts;
  }
  if (data[1] !== undefined && Number(data[1]) !== got.bytes.length) {
    problem(`the embedded object \`DATA\` declares ${data[1]} bytes but holds ${got.bytes.length}: the skeleton is truncated or was edited; regenerate it`, data.index);
    return facts;
  }
  const embedded = readBpfObject(got.bytes, file, 'skeleton', { objectName: name[1] });
  embedded.objectNames = [name[1]];
  facts.embedded = embedded;
  return facts;
}
