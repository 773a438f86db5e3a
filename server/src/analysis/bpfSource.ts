// BPF C -> facts: programs (functions with a section), struct_ops maps (variables in a
// `.struct_ops*` section) and their slots, and the kfuncs each program reaches.
import type { SectionMarker } from './c/expand';
import type { ParsedC } from './c/document';
import { readLimits } from './c/readLimits';
import type { Node } from './c/parser';
import type { BpfObjectFacts, KfuncCall, Location, ProgramFact, Range, StructOpsMapFact } from './facts';
import { bpfObjectFacts, changedFacts, fileStart, kfuncCall, programFact, structOpsMapFact } from './facts';
import { classifyMapSection, classifyProgramSection, essentialTypeName, hostOnlySection } from './sections';
import { objectNamesForSource } from './objectNames';
import { readTopItem, type TopItem } from './bpf/topItems';
import { BranchReader } from './bpf/conditions';
import { unreadReferences } from './bpf/unreadReferences';
import { standaloneDecisions, type Decisions } from './c/preprocess';
import { KFUNC_CALL_BUDGET, REACH_WORK_BUDGET } from './elf/calls';

export { declaredName } from './bpf/topItems';

/** A top-level item where it stands in this version of the file (absolute expanded offsets), and the `SEC` marker that belongs to it. */
interface Placed<I extends TopItem = TopItem> {
  item: I;
  start: number;
  end: number;
  marker: SectionMarker | null;
}

type FunctionItem = Extract<TopItem, { kind: 'function' }>;
type DeclarationItem = Extract<TopItem, { kind: 'declaration' }>;

interface Edges {
  calls: KfuncCall[];
  callees: string[];
  callbacks: string[];
}

/** Nodes between a `SEC(...)` and its definition that are not the definition. */
const SKIPPED = new Set(['comment', 'preproc_def', 'preproc_function_def', 'preproc_include', 'preproc_call']);

/**
 * Top-level declarations, looking inside `#if`/`#ifdef` blocks: the branch the build compiles when
 * that can be told (conditions.ts), every branch otherwise. `untaken` gets the [start, end) of each
 * branch known not to be compiled (its SEC markers belong to no item).
 */
function topLevel(root: Node, branches: BranchReader, untaken: [number, number][] = []): Node[] {
  const out: Node[] = [];
  const walk = (n: Node, skip: ReadonlySet<number> = new Set()): void => {
    for (const c of n.namedChildren) {
      if (!c || skip.has(c.id)) continue;
      if (c.type === 'preproc_if' || c.type === 'preproc_ifdef') conditional(c);
      else if (c.type === 'preproc_else') walk(c);
      else if (!SKIPPED.has(c.type)) out.push(c);
    }
  };
  const conditional = (c: Node): void => {
    const truth = branches.truth(c);
    const parts = ['condition', 'name', 'alternative'].map((f) => c.childForFieldName(f)).filter((x): x is Node => !!x);
    const alternative = c.childForFieldName('alternative');
    if (truth !== false) walk(c, new Set(parts.map((p) => p.id)));
    else untaken.push([c.startIndex, alternative ? alternative.startIndex : c.endIndex]);
    if (truth === true && alternative) untaken.push([alternative.startIndex, alternative.endIndex]);
    if (truth !== true && alternative) {
      if (alternative.type === 'preproc_else') walk(alternative);
      else conditional(alternative);
    }
  };
  walk(root);
  return out;
}

export class BpfSourceReader {
  private readonly functions = new Map<string, Placed<FunctionItem>>();
  private readonly declaredFunctions = new Set<string>();
  private readonly edges = new Map<string, Edges>();

  constructor(
    private readonly parsed: ParsedC,
    private readonly file: string,
    private readonly decisions?: Decisions,
  ) {}

  private loc(start: number, end: number): Location {
    const map = this.parsed.expansion.map;
    const s = map.toSource(start);
    const e = Math.max(s, map.toSource(end, true));
    return { file: this.file, range: this.parsed.lines.range(s, e) };
  }

  read(): BpfObjectFacts {
    const facts = bpfObjectFacts({
      origin: 'source',
      file: this.file,
      objectNames: objectNamesForSource(this.file),
      programs: [],
      structOpsMaps: [],
      otherMaps: [],
      kfuncDecls: [],
      problems: readLimits(this.parsed, this.file),
    });
    const tree = this.parsed.tree;
    // Not parsed (its work budget): nothing it says is known, so nothing is compared with a build.
    if (!tree) return changedFacts(facts, { uncertain: [{ reason: 'the file was not parsed', location: fileStart(this.file) }] });
    const used = new Map<string, unknown>();
    const map = this.parsed.expansion.map;
    const decisions = this.decisions ?? standaloneDecisions(this.parsed.text, this.file);
    const branches = new BranchReader(decisions, (n) => this.parsed.lines.position(map.toSource(n.startIndex)).line, this.file);
    const untaken: [number, number][] = [];
    const placed: Placed[] = topLevel(tree.rootNode, branches, untaken).map((node) => ({
      item: readTopItem(node, this.parsed.memo, used),
      start: node.startIndex,
      end: node.endIndex,
      marker: null,
    }));
    // Keep only what this version of the file uses.
    if (this.parsed.memo) {
      this.parsed.memo.clear();
      for (const [k, v] of used) this.parsed.memo.set(k, v);
    }
    // A SEC in a branch the build does not compile belongs to nothing (not to the next item read).
    const compiled = untaken.length ? this.parsed.expansion.sections.filter((m) => !untaken.some(([a, b]) => m.offset >= a && m.offset < b)) : this.parsed.expansion.sections;
    this.assignSections(placed, compiled);
    const maps: Placed<DeclarationItem>[] = [];
    for (const p of placed) {
      const { item } = p;
      if (item.kind === 'function') {
        if (!this.functions.has(item.name)) this.functions.set(item.name, p as Placed<FunctionItem>);
      } else if (item.kind === 'declaration') {
        for (const d of item.declarators) if (d.isFunction) this.declaredFunctions.add(d.name);
        const section = p.marker ? p.marker.section : item.attributeSection;
        if (section !== null && classifyMapSection(section)) maps.push(p as Placed<DeclarationItem>);
        else if (section === '.maps') facts.otherMaps.push(...item.declarators.map((d) => d.name));
      }
    }
    // A function in a section libbpf never reads a program from (a firmware's `.rom.text.init`, a
    // host's registration table) is no program, whichever macro put it there.
    for (const fn of this.functions.values()) {
      const section = fn.marker ? fn.marker.section : fn.item.attributeSection;
      if (section !== null && !hostOnlySection(section)) facts.programs.push(this.program(fn, section));
    }
    if (this.unfollowed.length) facts.problems.push({ rule: 'parse-limit', message: unfollowedMessage(this.unfollowed), location: fileStart(this.file) });
    for (const m of maps) facts.structOpsMaps.push(...this.structOpsMaps(m, facts));
    facts.functions = [...this.functions.keys(), ...this.declaredFunctions];
    // Helpers (functions without a section): what they call, for programs of other files of the
    // object that call them (a `static inline` helper in a header, fragments.ts).
    for (const fn of this.functions.values()) {
      if (fn.marker || fn.item.attributeSection !== null || !fn.item.calls.length) continue;
      (facts.helpers ??= {})[fn.item.name] = this.edgesOf(fn.item.name);
    }
    if (branches.uncertain.length) facts.uncertain = branches.uncertain;
    // struct_ops programs named in code not read as a map (a macro the workspace does not define).
    const read = [...this.functions.values(), ...maps].map((p) => [p.start, p.end] as const);
    for (const [name, [start, end]] of unreadReferences(this.parsed.expansion.text, read, facts.programs, facts.structOpsMaps)) {
      const program = facts.programs.find((x) => x.name === name);
      if (!program) continue;
      program.namedUnread = this.loc(start, end);
      facts.uncertain = [...(facts.uncertain ?? []), { reason: `\`${name}\` is named in code not read as a struct_ops map (a macro whose definition is not in the workspace?)`, location: program.namedUnread }];
    }
    return facts;
  }

  /**
   * Each SEC marker belongs to the first top-level item that ends after it; when several land on
   * one item (a stray marker after a declaration tree-sitter could not read), the last one wins,
   * as the section written right before a definition is its own.
   */
  private assignSections(items: Placed[], markers: SectionMarker[]): void {
    let k = 0;
    for (const m of markers) {
      while (k < items.length && (items[k] as Placed).end <= m.offset) k++;
      const p = items[k];
      if (!p) continue;
      if (p.item.kind === 'function' && p.item.bodyRel !== null && m.offset >= p.start + p.item.bodyRel) continue;
      p.marker = m;
    }
  }

  private program(fn: Placed<FunctionItem>, section: string): ProgramFact {
    const cls = classifyProgramSection(section);
    const reach = this.reachable(fn.item.name);
    if (!reach.complete) this.unfollowed.push(fn.item.name);
    return programFact({
      name: fn.item.name,
      section,
      kind: cls.kind,
      sleepable: cls.sleepable,
      autoload: cls.autoload,
      location: this.loc(fn.start + fn.item.nameRel[0], fn.start + fn.item.nameRel[1]),
      extent: this.extent(fn),
      sectionSite: fn.marker ? this.sectionSite(fn.marker) : undefined,
      kfuncCalls: reach.calls,
      callbacks: reach.callbacks,
    });
  }

  /** A function's external calls, and the local functions it calls or passes as callbacks. */
  private edgesOf(name: string): Edges {
    let e = this.edges.get(name);
    if (e) return e;
    e = { calls: [], callees: [], callbacks: [] };
    this.edges.set(name, e);
    const fn = this.functions.get(name);
    if (!fn) return e;
    for (const c of fn.item.calls) {
      if (this.functions.has(c.name)) e.callees.push(c.name);
      else e.calls.push(kfuncCall(c.name, this.loc(fn.start + c.rel[0], fn.start + c.rel[1])));
    }
    for (const a of fn.item.args) if (this.functions.has(a) && a !== name) e.callbacks.push(a);
    return e;
  }

  /**
   * Calls reached from a program through static subprograms and callbacks. The entries of a
   * function reached through one `via` are made once and shared by every program that reaches it
   * so; the work of the whole file is capped (elf/calls.ts), and a program past it gets no calls.
   */
  private reachable(start: string): { calls: KfuncCall[]; callbacks: string[]; complete: boolean } {
    const calls: KfuncCall[] = [];
    const callbacks = new Set<string>();
    const seen = new Set<string>([start]);
    // `via`: the first function away from the program on the way (undefined for the program itself).
    const queue: { name: string; via: string | undefined }[] = [{ name: start, via: undefined }];
    let complete = true;
    for (let q = 0; q < queue.length; q++) {
      const { name, via } = queue[q] as { name: string; via: string | undefined };
      const edges = this.edgesOf(name);
      if (--this.reachWork < 0 || calls.length + edges.calls.length > this.kfuncPairs) complete = false;
      else if (via) for (const c of this.callsVia(name, via, edges.calls)) calls.push(c);
      else for (const c of edges.calls) calls.push(c);
      for (const [names, isCallback] of [
        [edges.callees, false],
        [edges.callbacks, true],
      ] as const) {
        for (const n of names) {
          const g = this.functions.get(n);
          if (!g || seen.has(n) || g.marker || g.item.attributeSection !== null) continue;
          seen.add(n);
          if (isCallback) callbacks.add(n);
          if (complete) queue.push({ name: n, via: via ?? n });
        }
      }
      if (!complete) break;
    }
    if (complete) this.kfuncPairs -= calls.length;
    else this.kfuncPairs = 0;
    return { calls: complete ? calls : [], callbacks: [...callbacks], complete };
  }

  private kfuncPairs = KFUNC_CALL_BUDGET;
  private reachWork = REACH_WORK_BUDGET;
  private readonly viaCalls = new Map<string, KfuncCall[]>();
  /** Programs whose kfunc calls were not followed (the budget ran out). */
  private readonly unfollowed: string[] = [];

  private callsVia(name: string, via: string, calls: KfuncCall[]): KfuncCall[] {
    const key = `${name}\0${via}`;
    let out = this.viaCalls.get(key);
    if (!out) this.viaCalls.set(key, (out = calls.map((c) => kfuncCall(c.name, c.location, via))));
    return out;
  }

  /** Source range of a definition, including a `SEC(...)` written before it. */
  private extent(p: Placed): Range {
    const map = this.parsed.expansion.map;
    const start = Math.min(map.toSource(p.start), p.marker?.sourceStart ?? Infinity);
    return this.parsed.lines.range(start, map.toSource(p.end, true));
  }

  private sectionSite(marker: SectionMarker): { range: Range; literal?: Range } {
    const text = this.parsed.text;
    const call = text.slice(marker.sourceStart, marker.sourceEnd);
    const lit = /^SEC\s*\(\s*"/.exec(call);
    const site: { range: Range; literal?: Range } = { range: this.parsed.lines.range(marker.sourceStart, marker.sourceEnd) };
    if (lit) {
      const open = marker.sourceStart + lit[0].length - 1;
      const close = text.indexOf('"', open + 1);
      if (close > open && close < marker.sourceEnd) site.literal = this.parsed.lines.range(open, close + 1);
    }
    return site;
  }

  private structOpsMaps(p: Placed<DeclarationItem>, facts: BpfObjectFacts): StructOpsMapFact[] {
    const section = p.marker?.section ?? p.item.attributeSection ?? '';
    const cls = classifyMapSection(section);
    if (!cls) return [];
    const structType = p.item.structType;
    return p.item.declarators.map((d) => structOpsMapFact({
      name: d.name,
      structType,
      kernelType: essentialTypeName(structType),
      section,
      link: cls.link,
      autocreate: cls.autocreate,
      location: this.loc(p.start + d.rel[0], p.start + d.rel[1]),
      extent: this.extent(p),
      slots: (d.slots ?? [])
        .filter((s) => {
          if (s.value === null || this.functions.has(s.value) || this.declaredFunctions.has(s.value)) return true;
          (facts.unresolvedSlots ??= []).push({ map: d.name, member: s.member, value: s.value, location: this.loc(p.start + s.rel[0], p.start + s.rel[1]) });
          return false;
        })
        .map((s) => ({ member: s.member, program: s.value, location: this.loc(p.start + s.rel[0], p.start + s.rel[1]) })),
    }));
  }
}

/** `decisions`: the values of the file's conditionals in its translation unit (the file read alone when not given). */
export function readBpfSource(parsed: ParsedC, file: string, decisions?: Decisions): BpfObjectFacts {
  return new BpfSourceReader(parsed, file, decisions).read();
}

function unfollowedMessage(names: string[]): string {
  const shown = names.slice(0, 3).map((n) => `\`${n}\``).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return `The kfunc calls of ${names.length} program(s) were not checked (${shown}): the programs of this file reach more than the ${KFUNC_CALL_BUDGET.toLocaleString('en-US')} kfunc calls followed per object (through shared functions). Their associations are still analysed.`;
}
