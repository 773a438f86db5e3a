// The workspace's Rust loaders: each `.rs` file that uses a libbpf-rs skeleton, read with its
// crate's skeletons (the nearest Cargo.toml's build.rs, else the crate's BPF sources by name).
// Rust is parsed only in a workspace that has BPF code and a Cargo.toml, once the Rust grammar has
// loaded (Workspace.wantsRustGrammar(); the CLI and the server load it then): everywhere else it
// costs nothing. Facts are kept per file until its text, its crate's skeletons or the grammar change.
import { basename } from 'node:path';
import type { LoaderFacts } from '../facts';
import type { Tree } from '../c/parser';
import { PARSE_BUDGET_STEPS } from '../c/parser';
import { diffEdit } from '../c/document';
import { crateDirOf, onlySourceOfCrate, readBuildScript, skeletonsOfCrate, type CrateSkeleton, type SkeletonSpec } from './crates';
import { parseRust, rustGrammarReady } from './parser';
import { plannedReading, readRustLoader } from './reader';
import { keptThrough, type KeptReading } from './keptReading';
import { isCargoManifest } from './files';
import { LOADER_TEXT } from './calls';
import { RustLastGood } from './lastGood';
import { sameData } from './sameFacts';

/** The same strings (by value), in the same order. */
function sameInputs(a: readonly (string | undefined)[], b: readonly (string | undefined)[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What the Rust loaders need of the workspace's files. */
export interface RustFileView {
  kind: string;
  text?: string;
  /** An editor's buffer (being typed in), not the file on disk. */
  live?: boolean;
}

interface Kept {
  text: string;
  /** What the crate makes of the text (its skeletons and their objects). */
  key: string;
  facts: LoaderFacts;
  /** What the key was made from, as the workspace gave it: while all of it is the same, so is the key. */
  inputs: readonly (string | undefined)[];
}

export class RustLoaders {
  private readonly kept = new Map<string, Kept>();
  private readonly lastGood = new RustLastGood();
  /** Each crate's build script read, while its text is the same. */
  private readonly scripts = new Map<string, { text: string; specs: SkeletonSpec[] }>();
  /** Each editor's buffer's last clean reading, kept through edits the walk cannot see (keptReading.ts). */
  private readonly readings = new Map<string, KeptReading>();
  /** The syntax tree of each editor's buffer, for the next keystroke's incremental parse. */
  private readonly trees = new Map<string, { text: string; tree: Tree }>();
  /** Symbolic links to directories the walk reached under another path: [link, the path walked]. */
  private readonly aliases: [string, string][] = [];

  /** `link` is a symbolic link to the directory `target` (both absolute): a build script's path through it names `target`'s file. */
  addAlias(link: string, target: string): void {
    if (this.aliases.some(([l, t]) => l === link && t === target)) return;
    this.aliases.push([link, target]);
    this.scripts.clear();
    this.crates.clear();
    this.kept.clear();
    for (const path of [...this.readings.keys()]) this.dropReading(path);
  }

  /** The workspace's own path of a file a build script names (`src/bpf/lib/x.bpf.c` through a symlinked `lib`). */
  private workspacePath(p: string, files: ReadonlyMap<string, RustFileView>): string {
    if (files.has(p)) return p;
    for (const [link, target] of this.aliases) {
      if (!p.startsWith(`${link}/`)) continue;
      const walked = target + p.slice(link.length);
      if (files.has(walked)) return walked;
    }
    return p;
  }

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
    const crate = crateDirOf(path, files);
    if (!crate) return null;
    const script = files.get(`${crate}/build.rs`)?.text;
    // The crate's BPF sources, in the workspace's order (one pass: this runs for every Rust file on every model build).
    const sources: string[] = [];
    const within = `${crate}/`;
    for (const [p, f] of files) if (f.kind === 'bpf' && p.startsWith(within)) sources.push(p);
    const specs = this.specsOf(crate, script, files);
    // The inputs of the key: the loader's text, its crate's build script and BPF sources (a skeleton
    // linked from several sources is one object, linkedSources.ts: their texts are not read here).
    const inputs = [text, crate, script, sources.join('\n')];
    const old = this.kept.get(path);
    if (old && sameInputs(old.inputs, inputs)) return old.facts;
    const { only, crateSkeletons, crateKey } = this.crateOf(crate, specs, inputs[3] as string, sources);
    const key = crateKey;
    if (old && old.text === text && old.key === key) {
      old.inputs = inputs;
      return old.facts;
    }
    const live = files.get(path)?.live === true;
    // A file that only names skeleton types (a helper taking `&mut BpfSkel`) makes no loader call of its own: not parsed.
    if (!LOADER_TEXT.test(text)) {
      this.dropTree(path);
      const facts: LoaderFacts = { file: path, language: 'rust', includes: [], skeletonTypes: [], actions: [], problems: [], lifecycles: [] };
      this.kept.set(path, { text, key, facts, inputs });
      return facts;
    }
    const tree = this.parse(path, text, live);
    const read = (t: Tree): LoaderFacts => {
      if (!live || t.rootNode.hasError) {
        this.dropReading(path);
        return readRustLoader(t, text, path, crateSkeletons, only);
      }
      // An editor's buffer read cleanly before: its reading moved, when the edit changed nothing the walk reads (keptReading.ts).
      const kept = this.readings.get(path);
      const reading = plannedReading(t, text, path, crateSkeletons, only);
      const moved = kept ? keptThrough(kept, text, t, reading.plan, crateKey, path) : null;
      if (moved) reading.dispose();
      const facts = moved ?? reading.read();
      this.dropReading(path);
      this.readings.set(path, { text, tree: t.copy(), facts, plan: reading.plan, context: crateKey });
      return facts;
    };
    // An editor's buffer broken by the typist (errors where its last clean text had none) keeps that text's facts (lastGood.ts).
    let facts: LoaderFacts = tree
      ? this.lastGood.read(path, text, live, tree.rootNode.hasError, crateKey, () => read(tree))
      : { file: path, language: 'rust', includes: [], skeletonTypes: [], actions: [], problems: [{ rule: 'parse-limit', message: `Parsing ${basename(path)} ran past its parse budget (counted in parser work, not time); it was not analysed.`, location: { file: path, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } }] };
    if (tree && live) this.trees.set(path, { text, tree });
    else tree?.delete();
    // The same reading as before (a keystroke that changes nothing the facts say): the same facts object.
    if (old && sameData(old.facts, facts)) facts = old.facts;
    this.kept.set(path, { text, key, facts, inputs });
    return facts;
  }

  /** Each crate's skeletons, while its build script's reading and its BPF sources are the same. */
  private readonly crates = new Map<string, { specs: SkeletonSpec[]; sources: string; only: CrateSkeleton | null; crateSkeletons: Map<string, CrateSkeleton>; crateKey: string }>();

  private crateOf(crate: string, specs: SkeletonSpec[], joined: string, sources: string[]): { only: CrateSkeleton | null; crateSkeletons: Map<string, CrateSkeleton>; crateKey: string } {
    const known = this.crates.get(crate);
    if (known && known.specs === specs && known.sources === joined) return known;
    const only = onlySourceOfCrate(sources);
    const crateSkeletons = skeletonsOfCrate(specs, sources);
    // What the crate makes of the loader, whatever its text: a clean reading under another one is not the last good reading.
    const made = { specs, sources: joined, only, crateSkeletons, crateKey: JSON.stringify([...crateSkeletons, only]) };
    this.crates.set(crate, made);
    return made;
  }

  /** Parses a loader; an editor's buffer incrementally, from its previous tree edited to the new text. */
  private parse(path: string, text: string, live: boolean): Tree | null {
    const previous = this.trees.get(path);
    this.trees.delete(path);
    let old: Tree | null = null;
    if (previous && live) {
      old = previous.tree;
      const edit = diffEdit(previous.text, text);
      if (edit) old.edit(edit);
    } else previous?.tree.delete();
    const tree = parseRust(text, PARSE_BUDGET_STEPS, old);
    if (old && old !== tree) old.delete();
    return tree;
  }

  private dropReading(path: string): void {
    this.readings.get(path)?.tree.delete();
    this.readings.delete(path);
  }

  private dropTree(path: string): void {
    this.trees.get(path)?.tree.delete();
    this.trees.delete(path);
  }

  /** The skeletons a crate's build script generates, read again only when its text changed. */
  private specsOf(crate: string, script: string | undefined, files: ReadonlyMap<string, RustFileView>): SkeletonSpec[] {
    if (script === undefined) return [];
    const known = this.scripts.get(crate);
    // (Read again when a file it named is no longer where it was found: a file walked since under another path.)
    if (known && known.text === script && known.specs.every((s) => [s.source, ...s.parts].every((q) => files.has(q)))) return known.specs;
    // Paths as the workspace knows the files: through a symlinked directory, the file walked under its own path.
    const specs = readBuildScript(script, crate).map((s) => ({ ...s, source: this.workspacePath(s.source, files), parts: s.parts.map((q) => this.workspacePath(q, files)) }));
    this.scripts.set(crate, { text: script, specs });
    return specs;
  }

  forget(path: string): void {
    this.kept.delete(path);
    this.dropReading(path);
    this.lastGood.forget(path);
    this.dropTree(path);
  }
}
