// One fuzz input from (seed, category, index): deterministic, so a worker makes it where it runs and
// the main thread makes the same bytes again to keep an input that failed.
import { join } from 'node:path';
import { loadCorpus, ROOT, type SeedCase } from './corpus';
import { lspSequence, type LspOp } from './lspOps';
import { mutateC } from './mutateC';
import { mutateElf } from './mutateElf';
import { Rng } from './rng';
import { mutateSkeleton } from './skeletons';
import { shapeObject, shapes, type Shape } from './structural';

export const CATEGORIES = ['c-source', 'c-loader', 'skeleton', 'elf', 'btf', 'structural', 'lsp'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

export interface FuzzInput {
  category: Category;
  seed: number;
  index: number;
  /** What was done to the seed, for people. */
  what: string;
  /** The fixture case around the input (its other files are analysed with it), or null. */
  caseName: string | null;
  /** The case's files as they are on disk (absolute paths), analysed beside `files`. */
  caseFiles: string[];
  /** The input's own files: mutated copies (same path as their seed) or new files. */
  files: InputFile[];
  /** For `lsp`: the message sequence sent to the server. */
  lsp?: LspOp[];
  /** For `structural`: the generated shape (its object is rebuilt from it, not stored). */
  shape?: Shape;
}

const withSome = <T>(items: T[], f: (x: T) => boolean): T[] => items.filter(f);

function caseWith(rng: Rng, cases: SeedCase[], f: (c: SeedCase) => boolean): SeedCase {
  const fit = withSome(cases, f);
  return rng.pick(fit.length ? fit : cases);
}

/** Everything of a case but `except`, with the headers it includes from outside. */
function around(c: SeedCase, except: string[], withBuilt: boolean): string[] {
  return [...c.sources, ...(withBuilt ? c.built : []), ...c.includeFiles].filter((p) => !except.includes(p));
}

export function makeInput(seed: number, category: Category, index: number, full = true): FuzzInput {
  const rng = Rng.forInput(seed, category, index);
  const corpus = loadCorpus();
  const cases = corpus.cases;
  const base = { category, seed, index };
  const donorOf = (): Uint8Array => corpus.read(rng.pick(rng.pick(cases).sources));
  if (category === 'c-source' || category === 'c-loader') {
    const isBpf = (p: string): boolean => p.endsWith('.bpf.c');
    const pickable = (p: string): boolean => (category === 'c-source' ? isBpf(p) : !isBpf(p));
    const c = caseWith(rng, cases, (x) => x.sources.some(pickable));
    const file = rng.pick(withSome(c.sources, pickable).length ? withSome(c.sources, pickable) : c.sources);
    const m = mutateC(rng, corpus.read(file), donorOf());
    return { ...base, what: `${file.split('/').pop()}: ${m.what}`, caseName: c.name, caseFiles: around(c, [file], rng.chance(0.5)), files: [{ path: file, bytes: m.bytes }] };
  }
  if (category === 'skeleton') {
    const c = caseWith(rng, cases, (x) => x.built.some((p) => p.endsWith('.skel.h')));
    const skel = rng.pick(withSome(c.built, (p) => p.endsWith('.skel.h')));
    const m = mutateSkeleton(rng, corpus.read(skel), donorOf());
    return { ...base, what: `${skel.split('/').pop()}: ${m.what}`, caseName: c.name, caseFiles: around(c, [skel], rng.chance(0.3)).filter((p) => !p.endsWith('.skel.h')), files: [{ path: skel, bytes: m.bytes }] };
  }
  if (category === 'elf' || category === 'btf') {
    const c = caseWith(rng, cases, (x) => x.built.some((p) => p.endsWith('.bpf.o')));
    const obj = rng.pick(withSome(c.built, (p) => p.endsWith('.bpf.o')));
    const m = mutateElf(rng, corpus.read(obj), category === 'btf');
    const alone = rng.chance(0.5);
    return { ...base, what: `${obj.split('/').pop()}: ${m.what}`, caseName: alone ? null : c.name, caseFiles: alone ? [] : around(c, [obj], false), files: [{ path: obj, bytes: m.bytes }] };
  }
  if (category === 'structural') {
    const shape = rng.pick(shapes(full));
    const { object } = shapeObject(shape);
    const path = join(ROOT, 'fuzz', 'structural', `${shape.kind}_${shape.p}_${shape.k}.bpf.o`);
    if (rng.chance(0.5)) return { ...base, what: `${shape.kind} p=${shape.p} k=${shape.k}`, caseName: null, caseFiles: [], files: [{ path, bytes: object }], shape };
    const m = mutateElf(rng, object);
    return { ...base, what: `${shape.kind} p=${shape.p} k=${shape.k}: ${m.what}`, caseName: null, caseFiles: [], files: [{ path, bytes: m.bytes }], shape };
  }
  const c = caseWith(rng, cases, (x) => x.sources.length > 0);
  const ops = lspSequence(rng, c, corpus);
  return { ...base, what: `${ops.length} messages on ${c.name}`, caseName: c.name, caseFiles: [], files: [], lsp: ops };
}
