// The workspace's Rust loaders: each `.rs` file that uses a libbpf-rs skeleton, read with its
// crate's skeletons (the nearest Cargo.toml's build.rs, else the crate's BPF sources by name).
// Rust is parsed only in a workspace that has BPF code and a Cargo.toml, once the Rust grammar has
// loaded (Workspace.wantsRustGrammar(); the CLI and the server load it then): everywhere else it
// costs nothing. Facts are kept per file until its text, its crate's skeletons or the grammar change.
import { basename, dirname } from 'node:path';
import type { LoaderFacts } from '../facts';
import { crateDirOf, onlySourceOfCrate, readBuildScript, skeletonsOfCrate, type CrateSkeleton } from './crates';
import { memberWordsOf, wordsOf } from './linkedSkeletons';
import { parseRust, rustGrammarReady } from './parser';
import { readRustLoader } from './reader';
import { isCargoManifest } from './files';
import { LOADER_TEXT } from './calls';
import { RustLastGood } from './lastGood';

/** What the Rust loaders need of the workspace's files. */
export interface RustFileView {
  kind: string;
  text?: string;
  /** An editor's buffer (being typed in), not the file on disk. */
  live?: boolean;
}

interface Kept {
  text: string;
  key: string;
  facts: LoaderFacts;
}

export class RustLoaders {
  private readonly kept = new Map<string, Kept>();
  private readonly lastGood = new RustLastGood();

  /** A workspace with BPF code, a Cargo.toml and a Rust file using a skeleton: its Rust must be read. */
  static wanted(files: Iterable<[string, RustFileView]>): boolean {
    let cargo = false;
    let rust = false;
    let bpf = false;
    for (const [path, f] of files) {
      if (f.kind === 'cargo' && isCargoManifest(path)) cargo = true;
      else if (f.kind === 'rust') rust = true;
      else if (f.kind === 'bpf' || f.kind === 'object' || f.kind === 'skeleton') bpf = true;
      if (cargo && rust && bpf) return true;
    }
    return false;
  }

  /** The facts of one Rust loader; null when the Rust grammar has not loaded (nothing is read then). */
  facts(path: string, text: string, files: ReadonlyMap<string, RustFileView>): LoaderFacts | null {
    if (!rustGrammarReady()) return null;
    const manifests = new Set<string>();
    for (const [p, f] of files) if (f.kind === 'cargo' && isCargoManifest(p)) manifests.add(dirname(p));
    const crate = crateDirOf(path, manifests);
    if (!crate) return null;
    const script = files.get(`${crate}/build.rs`)?.text;
    const sources = [...files].filter(([p, f]) => f.kind === 'bpf' && p.startsWith(`${crate}/`)).map(([p]) => p);
    const skeletons = this.withMentions(skeletonsOfCrate(script === undefined ? [] : readBuildScript(script, crate), sources), text, files);
    const only = onlySourceOfCrate(sources);
    const key = JSON.stringify([...skeletons, only], (_, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v].sort() : v));
    const old = this.kept.get(path);
    if (old && old.text === text && old.key === key) return old.facts;
    // A file that only names skeleton types (a helper taking `&mut BpfSkel`) makes no loader call of its own: not parsed.
    const tree = LOADER_TEXT.test(text) ? parseRust(text) : null;
    if (!tree && LOADER_TEXT.test(text) === false) {
      const facts: LoaderFacts = { file: path, language: 'rust', includes: [], skeletonTypes: [], actions: [], problems: [], lifecycles: [] };
      this.kept.set(path, { text, key, facts });
      return facts;
    }
    // An editor's buffer broken by the typist (errors where its last clean text had none) keeps that text's facts (lastGood.ts).
    const facts: LoaderFacts = tree
      ? this.lastGood.read(path, text, files.get(path)?.live === true, tree.rootNode.hasError, key, () => readRustLoader(tree, text, path, skeletons, only))
      : { file: path, language: 'rust', includes: [], skeletonTypes: [], actions: [], problems: [{ rule: 'parse-limit', message: `Parsing ${basename(path)} ran past its parse budget (counted in parser work, not time); it was not analysed.`, location: { file: path, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } }] };
    tree?.delete();
    this.kept.set(path, { text, key, facts });
    return facts;
  }

  /** Words of texts, by path, while the text is the same. */
  private readonly words = new Map<string, { text: string; words: Set<string> }>();

  private wordsOf(path: string, text: string): Set<string> {
    const known = this.words.get(path);
    if (known && known.text === text) return known.words;
    const words = wordsOf(text);
    this.words.set(path, { text, words });
    return words;
  }

  /**
   * A linked skeleton's sources, each with the loader's words its text holds: a call on a program
   * or map goes to the objects whose source names it (linkedSkeletons.ts). Only the words the
   * loader uses are kept, so an edit of a source changes the reading only when it changes those.
   */
  private withMentions(skeletons: Map<string, CrateSkeleton>, text: string, files: ReadonlyMap<string, RustFileView>): Map<string, CrateSkeleton> {
    let loaderWords: Set<string> | null = null;
    for (const [prefix, s] of skeletons) {
      if (!s.parts?.length || !s.partSources) continue;
      loaderWords ??= memberWordsOf(text);
      const mentions = new Map<string, Set<string>>();
      const sources = [s.source, ...s.partSources];
      [s.objectName, ...s.parts].forEach((name, i) => {
        const path = sources[i] as string;
        const source = files.get(path)?.text;
        const words = source === undefined ? new Set<string>() : this.wordsOf(path, source);
        const kept = new Set<string>();
        for (const w of loaderWords as Set<string>) if (words.has(w)) kept.add(w);
        mentions.set(name, kept);
      });
      skeletons.set(prefix, { ...s, mentions });
    }
    return skeletons;
  }

  forget(path: string): void {
    this.kept.delete(path);
    this.lastGood.forget(path);
  }
}
