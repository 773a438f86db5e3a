// The facts read from each file, cached on its entry until the file (or the macros it is expanded
// with) changes: a loader's, skeleton's or object's facts, and a BPF source's or header's readings,
// one per set of conditional values its translation units ask for. An edited buffer keeps its
// syntax tree for incremental re-parsing, and its last good facts while a region of it is broken.
import { CDocument, parseOnce, type ParsedC } from './c/document';
import { PARSE_BUDGET_STEPS, PARSE_READ_BUDGET } from './c/parser';
import { MacroTable } from './c/macros';
import { readBpfSource } from './bpfSource';
import { blankUntakenBranches, splitGroups } from './bpf/splitConditionals';
import { decisionsKey, standaloneDecisions, type Decisions } from './c/preprocess';
import type { BpfObjectFacts, Location } from './facts';
import { LastGoodFacts, sourceAnchors } from './lastGoodFacts';
import { readBpfObject } from './elf/bpfObject';
import { readLoader } from './loader/loader';
import { RustLoaders } from './rust/rustLoaders';
import { readSkeleton } from './skeleton';
import { changedFacts, fileStart } from './facts';
import { MAX_PARSED_BYTES } from './fileKinds';
import type { FileMacros } from './fileMacros';
import { emptySource, type FileEntry, type Wanted } from './workspaceFile';

export class FileFacts {
  /** Facts of edited buffers read before a region of them broke (lastGoodFacts.ts). */
  readonly lastGood = new LastGoodFacts();
  /** libbpf-rs loaders, read only where wantsRustGrammar() (analysis/rust/). */
  readonly rust = new RustLoaders();
  /** The decisions (decisionsKey) each loader's facts were read with. */
  private readonly loaderDecided = new Map<string, string>();

  constructor(
    private readonly files: ReadonlyMap<string, FileEntry>,
    private readonly macros: FileMacros,
  ) {}

  /** Facts of a loader, skeleton or object, computed on demand and cached until the file (or a loader's macros) changes. */
  factsOf(path: string, f: FileEntry): void {
    if (f.kind === 'rust') {
      f.facts = f.text === undefined ? undefined : (this.rust.facts(path, f.text, this.files) ?? undefined);
      return;
    }
    // A loader's facts also depend on which of its `#if` branches its host build compiles (a config.h).
    const decisions = f.kind === 'loader' && f.text !== undefined ? this.macros.loaderDecisions(path) : undefined;
    const decided = decisionsKey(decisions);
    if (f.facts && (f.kind !== 'loader' || (f.doc?.macros === this.macros.tableFor(path, f) && this.loaderDecided.get(path) === decided))) return;
    if (f.kind === 'object' && f.bytes) f.facts = changedFacts(readBpfObject(f.bytes, path, 'object'), { modified: f.modified });
    else if (f.kind === 'skeleton' && f.text !== undefined) f.facts = { ...readSkeleton(f.text, path), modified: f.modified };
    else if (f.kind === 'loader' && f.text !== undefined) {
      const parsed = this.parse(path, f);
      if (parsed) f.facts = this.lastGood.read(path, 'loader', !!f.live, parsed, () => readLoader(parsed, path, decisions));
      this.loaderDecided.set(path, decided);
      if (!f.live) f.doc?.releaseTree();
    }
  }

  /** Expands and parses a C file (reusing its tree when it is being edited); null when too large. */
  private parse(path: string, f: FileEntry): ParsedC | null {
    if (f.text === undefined) return null;
    const name = path.split('/').pop();
    f.parseProblems = [];
    if (f.text.length > MAX_PARSED_BYTES) {
      f.parseProblems.push({ rule: 'parse-limit', message: `${name} is larger than ${MAX_PARSED_BYTES >> 20} MiB and was not analysed.`, location: fileStart(path) });
      return null;
    }
    const table = this.macros.tableFor(path, f);
    if (f.doc && f.doc.macros !== table) f.doc.setMacros(table);
    f.doc ??= new CDocument(table);
    const parsed = f.doc.update(f.text);
    if (!parsed.tree) f.parseProblems.push({ rule: 'parse-limit', message: `Parsing ${name} ran past its work budget (${PARSE_BUDGET_STEPS.toLocaleString('en-US')} steps of the parser, or ${PARSE_READ_BUDGET / 2 ** 20} Mi characters read); it was not analysed.`, location: fileStart(path) });
    if (parsed.expansion.truncated) {
      f.parseProblems.push({ rule: 'parse-limit', message: `Macro expansion in ${name} exceeded its budget; the rest of the file was read unexpanded.`, location: fileStart(path) });
    }
    return parsed;
  }

  /**
   * The BPF facts of a source or header for each set of conditional values asked for, read from
   * one parse: a file included by several objects in different contexts is read once per context.
   */
  readingsOf(path: string, f: FileEntry, wanted: ReadonlyMap<string, Wanted>): void {
    f.readings ??= new Map();
    const missing = [...wanted].filter(([k]) => !f.readings?.has(k));
    if (!missing.length) return;
    const plain = missing.filter(([, w]) => !w.includer.length);
    const parsed = plain.length ? this.parse(path, f) : null;
    // Conditionals that split a definition: each reading from the text its unit compiles (bpf/splitConditionals.ts).
    const splitOf = (p: ParsedC | null): Set<number> => (p?.tree && f.directives ? splitGroups(p.tree.rootNode, f.directives, (o) => p.lines.position(p.expansion.map.toSource(o)).line) : new Set<number>());
    let split = splitOf(parsed);
    for (const [key, { decisions }] of plain) {
      if (split.size && f.text !== undefined) {
        f.readings.set(key, this.readSplit(path, f, key, f.text, decisions, split, this.macros.tableFor(path, f)));
        continue;
      }
      f.readings.set(key, parsed ? changedFacts(this.lastGood.read(path, key, !!f.live, parsed, () => readBpfSource(parsed, path, decisions), sourceAnchors), { modified: f.modified }) : emptySource(path, f.modified));
    }
    // With an includer's macros: a parse of its own (the file's tree stays the editor's).
    for (const [key, { decisions, includer }] of missing.filter(([, w]) => w.includer.length)) {
      if (f.text === undefined || f.text.length > MAX_PARSED_BYTES) {
        f.readings.set(key, emptySource(path, f.modified));
        continue;
      }
      const table = MacroTable.over(this.macros.scopes.global, [...includer, ...f.defines]);
      const own = parseOnce(f.text, table);
      if (!split.size) split = splitOf(own);
      if (split.size) {
        own.tree?.delete();
        f.readings.set(key, this.readSplit(path, f, key, f.text, decisions, split, table));
        continue;
      }
      f.readings.set(key, changedFacts(this.lastGood.read(path, key, !!f.live, own, () => readBpfSource(own, path, decisions), sourceAnchors), { modified: f.modified }));
      own.tree?.delete();
    }
    if (!f.live) f.doc?.releaseTree();
  }

  /** One reading of a file whose conditionals split a definition: parsed from the text its unit compiles. */
  private readSplit(path: string, f: FileEntry, key: string, text: string, decisions: Decisions | undefined, split: ReadonlySet<number>, table: MacroTable): BpfObjectFacts & { modified?: number } {
    const values = decisions ?? standaloneDecisions(text, path);
    const compiled = blankUntakenBranches(text, f.directives ?? [], values, split);
    const own = parseOnce(compiled.text, table);
    const facts = this.lastGood.read(path, key, !!f.live, own, () => {
      const read = readBpfSource(own, path, values);
      if (!compiled.chosen.length) return read;
      const at = (line: number): Location => ({ file: path, range: { start: { line, character: 0 }, end: { line, character: 0 } } });
      return changedFacts(read, { uncertain: [...(read.uncertain ?? []), ...compiled.chosen.map((c) => ({ reason: c.reason, location: at(c.line) }))] });
    }, sourceAnchors);
    own.tree?.delete();
    return changedFacts(facts, { modified: f.modified });
  }
}
