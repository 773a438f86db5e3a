// BPF C -> facts: programs (functions with a section), struct_ops maps (variables in a
// `.struct_ops*` section) and their slots, and the kfuncs each program reaches.
import type { SectionMarker } from './c/expand';
import type { ParsedC } from './c/document';
import type { Node } from './c/parser';
import { query } from './c/queries';
import type { BpfObjectFacts, KfuncCall, Location, ProgramFact, Range, SlotFact, StructOpsMapFact } from './facts';
import { classifyMapSection, classifyProgramSection } from './sections';
import { objectNamesForSource } from './objectNames';
import { essentialTypeName } from './sections';

interface RawBody {
  calls: { name: string; start: number; end: number }[];
  args: string[];
}

interface FunctionInfo {
  name: string;
  node: Node;
  nameNode: Node;
  section: string | null;
  marker?: SectionMarker;
}

/** Top-level declarations, looking inside `#if`/`#ifdef` blocks. */
function topLevel(root: Node): Node[] {
  const out: Node[] = [];
  const walk = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type.startsWith('preproc_if') || c.type === 'preproc_else' || c.type === 'preproc_elif' || c.type === 'preproc_elifdef') walk(c);
      else out.push(c);
    }
  };
  walk(root);
  return out;
}

/** The identifier a declarator declares, through pointers, arrays, parentheses and attributes. */
export function declaredName(d: Node | null): Node | null {
  let n = d;
  for (let i = 0; n && i < 16; i++) {
    if (n.type === 'identifier' || n.type === 'field_identifier') return n;
    n = n.childForFieldName('declarator') ?? n.namedChildren.find((c) => c?.type.endsWith('declarator')) ?? null;
  }
  return null;
}

function isFunctionDeclarator(d: Node | null): boolean {
  let n = d;
  for (let i = 0; n && i < 16; i++) {
    if (n.type === 'function_declarator') return true;
    n = n.childForFieldName('declarator');
  }
  return false;
}

/** A section given with `__attribute__((section("...")))` written out. */
function attributeSection(node: Node): string | null {
  for (const c of node.namedChildren) {
    if (c?.type !== 'attribute_specifier') continue;
    const m = /\bsection\s*\(\s*"([^"]*)"/.exec(c.text);
    if (m?.[1] !== undefined) return m[1];
  }
  return null;
}

export class BpfSourceReader {
  private readonly functions = new Map<string, FunctionInfo>();
  private readonly declaredFunctions = new Set<string>();

  constructor(
    private readonly parsed: ParsedC,
    private readonly file: string,
  ) {}

  private loc(start: number, end: number): Location {
    const map = this.parsed.expansion.map;
    const s = map.toSource(start);
    const e = Math.max(s, map.toSource(end, true));
    return { file: this.file, range: this.parsed.lines.range(s, e) };
  }

  private nodeLoc(n: Node): Location {
    return this.loc(n.startIndex, n.endIndex);
  }

  read(): BpfObjectFacts {
    const facts: BpfObjectFacts = {
      origin: 'source',
      file: this.file,
      objectNames: objectNamesForSource(this.file),
      programs: [],
      structOpsMaps: [],
      otherMaps: [],
      kfuncDecls: [],
      problems: [],
    };
    const tree = this.parsed.tree;
    if (!tree) return facts;
    const nodes = topLevel(tree.rootNode);
    const sections = this.assignSections(nodes, this.parsed.expansion.sections);
    const maps: { node: Node; section: string; marker?: SectionMarker }[] = [];
    for (const node of nodes) {
      const marker = sections.get(node);
      const section = marker ? marker.section : attributeSection(node);
      if (node.type === 'function_definition') {
        const nameNode = declaredName(node.childForFieldName('declarator'));
        if (!nameNode) continue;
        const name = nameNode.text;
        if (!this.functions.has(name)) this.functions.set(name, { name, node, nameNode, section, marker });
      } else if (node.type === 'declaration') {
        for (const d of node.childrenForFieldName('declarator')) {
          if (!d) continue;
          if (isFunctionDeclarator(d)) {
            const n = declaredName(d);
            if (n) this.declaredFunctions.add(n.text);
          }
        }
        if (section !== null) {
          if (classifyMapSection(section)) maps.push({ node, section, marker });
          else if (section === '.maps') facts.otherMaps.push(...this.declaratorNames(node));
        }
      }
    }
    for (const fn of this.functions.values()) {
      if (fn.section === null) continue;
      facts.programs.push(this.program(fn, fn.section));
    }
    for (const { node, section, marker } of maps) facts.structOpsMaps.push(...this.structOpsMaps(node, section, marker));
    return facts;
  }

  /**
   * Each SEC marker belongs to the first top-level node that ends after it; when several land on
   * one node (a stray marker after a declaration tree-sitter could not read), the last one wins,
   * as the section written right before a definition is its own.
   */
  private assignSections(nodes: Node[], markers: SectionMarker[]): Map<Node, SectionMarker> {
    const out = new Map<Node, SectionMarker>();
    let k = 0;
    for (const m of markers) {
      while (k < nodes.length && (nodes[k] as Node).endIndex <= m.offset) k++;
      const node = nodes[k];
      if (!node) continue;
      const body = node.childForFieldName('body');
      if (body && m.offset >= body.startIndex) continue;
      out.set(node, m);
    }
    return out;
  }

  private declaratorNames(node: Node): string[] {
    return node
      .childrenForFieldName('declarator')
      .map((d) => declaredName(d)?.text)
      .filter((n): n is string => !!n);
  }

  private program(fn: FunctionInfo, section: string): ProgramFact {
    const cls = classifyProgramSection(section);
    const reach = this.reachable(fn);
    return {
      name: fn.name,
      section,
      kind: cls.kind,
      sleepable: cls.sleepable,
      autoload: cls.autoload,
      location: this.nodeLoc(fn.nameNode),
      extent: this.extent(fn.node, fn.marker),
      ...(fn.marker ? { sectionSite: this.sectionSite(fn.marker) } : {}),
      kfuncCalls: reach.calls,
      callbacks: reach.callbacks,
    };
  }

  private isLocalFunction(name: string): boolean {
    return this.functions.has(name) || this.declaredFunctions.has(name);
  }

  private edges: Map<string, { calls: KfuncCall[]; callees: string[]; callbacks: string[] }> | null = null;

  /**
   * What one function body calls and passes by name, with offsets relative to the body. Kept by
   * body text across re-parses of the document, so an edit re-runs the queries on one body only.
   */
  private rawBody(body: Node): RawBody {
    const memo = this.parsed.memo;
    const key = body.text;
    const hit = memo?.get(key) as RawBody | undefined;
    if (hit) {
      this.usedMemo?.set(key, hit);
      return hit;
    }
    const raw: RawBody = { calls: [], args: [] };
    for (const c of query('bodyEdges').captures(body)) {
      if (c.name === 'callee') raw.calls.push({ name: c.node.text, start: c.node.startIndex - body.startIndex, end: c.node.endIndex - body.startIndex });
      else raw.args.push(c.node.text);
    }
    this.usedMemo?.set(key, raw);
    return raw;
  }

  private usedMemo: Map<string, unknown> | null = null;

  /** For every function: its external calls, and the local functions it calls or passes as callbacks. */
  private allEdges(): Map<string, { calls: KfuncCall[]; callees: string[]; callbacks: string[] }> {
    if (this.edges) return this.edges;
    const edges = new Map<string, { calls: KfuncCall[]; callees: string[]; callbacks: string[] }>();
    this.usedMemo = new Map();
    for (const fn of this.functions.values()) {
      const e = { calls: [] as KfuncCall[], callees: [] as string[], callbacks: [] as string[] };
      edges.set(fn.name, e);
      const body = fn.node.childForFieldName('body');
      if (!body) continue;
      const raw = this.rawBody(body);
      for (const c of raw.calls) {
        if (this.functions.has(c.name)) e.callees.push(c.name);
        else e.calls.push({ name: c.name, location: this.loc(body.startIndex + c.start, body.startIndex + c.end) });
      }
      for (const a of raw.args) if (this.functions.has(a) && a !== fn.name) e.callbacks.push(a);
    }
    // Keep only what this version of the file uses.
    if (this.parsed.memo) {
      this.parsed.memo.clear();
      for (const [k, v] of this.usedMemo) this.parsed.memo.set(k, v);
    }
    return (this.edges = edges);
  }

  private bodyEdges(fn: FunctionInfo): { calls: KfuncCall[]; callees: string[]; callbacks: string[] } {
    return this.allEdges().get(fn.name) ?? { calls: [], callees: [], callbacks: [] };
  }

  /** Calls reached from a program through static subprograms and callbacks. */
  private reachable(fn: FunctionInfo): { calls: KfuncCall[]; callbacks: string[] } {
    const calls: KfuncCall[] = [];
    const callbacks = new Set<string>();
    const seen = new Set<string>([fn.name]);
    const queue: { f: FunctionInfo; via?: string }[] = [{ f: fn }];
    while (queue.length) {
      const { f, via } = queue.shift() as { f: FunctionInfo; via?: string };
      const edges = this.bodyEdges(f);
      for (const c of edges.calls) calls.push(via ? { ...c, via } : c);
      for (const [names, isCallback] of [
        [edges.callees, false],
        [edges.callbacks, true],
      ] as const) {
        for (const n of names) {
          const g = this.functions.get(n);
          if (!g || seen.has(n) || g.section !== null) continue;
          seen.add(n);
          if (isCallback) callbacks.add(n);
          queue.push({ f: g, via: via ?? n });
        }
      }
    }
    return { calls, callbacks: [...callbacks] };
  }

  /** Source range of a definition, including a `SEC(...)` written before it. */
  private extent(node: Node, marker?: SectionMarker): Range {
    const map = this.parsed.expansion.map;
    const start = Math.min(map.toSource(node.startIndex), marker?.sourceStart ?? Infinity);
    return this.parsed.lines.range(start, map.toSource(node.endIndex, true));
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

  private structOpsMaps(node: Node, section: string, marker?: SectionMarker): StructOpsMapFact[] {
    const cls = classifyMapSection(section);
    if (!cls) return [];
    const type = node.childForFieldName('type');
    const structType = type?.type === 'struct_specifier' ? (type.childForFieldName('name')?.text ?? '') : (type?.text ?? '');
    const out: StructOpsMapFact[] = [];
    for (const d of node.childrenForFieldName('declarator')) {
      if (!d) continue;
      const nameNode = declaredName(d);
      if (!nameNode) continue;
      const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      out.push({
        name: nameNode.text,
        structType,
        kernelType: essentialTypeName(structType),
        section,
        link: cls.link,
        autocreate: cls.autocreate,
        location: this.nodeLoc(nameNode),
        extent: this.extent(node, marker),
        slots: value?.type === 'initializer_list' ? this.slots(value) : [],
      });
    }
    return out;
  }

  /** `.member = (void *)prog`, `.member = prog`, `.member = NULL`; data members are skipped. */
  private slots(list: Node): SlotFact[] {
    const out: SlotFact[] = [];
    for (const pair of list.namedChildren) {
      if (pair?.type !== 'initializer_pair') continue;
      const designators = pair.childrenForFieldName('designator');
      const last = designators[designators.length - 1];
      if (designators.length !== 1 || last?.type !== 'field_designator') continue;
      const member = last.namedChildren[0]?.text ?? last.text.replace(/^\./, '');
      let value = pair.childForFieldName('value');
      while (value && (value.type === 'cast_expression' || value.type === 'parenthesized_expression' || value.type === 'pointer_expression')) {
        value = value.type === 'cast_expression' ? value.childForFieldName('value') : value.type === 'pointer_expression' ? value.childForFieldName('argument') : value.namedChildren[0] ?? null;
      }
      if (!value) continue;
      if (value.type === 'null' || value.text === 'NULL') {
        out.push({ member, program: null, location: this.nodeLoc(pair) });
      } else if (value.type === 'identifier' && this.isLocalFunction(value.text)) {
        out.push({ member, program: value.text, location: this.nodeLoc(pair) });
      }
    }
    return out;
  }
}

export function readBpfSource(parsed: ParsedC, file: string): BpfObjectFacts {
  return new BpfSourceReader(parsed, file).read();
}
