// One translation unit read the way the preprocessor reads it, directives only: from the object's
// source, through every `#include` that is active and found in the workspace, with the macros in
// effect at each point (order, `#undef`, the includer's defines flowing into what it includes).
// What comes out is, per file reached, the value of each of its conditionals in this unit, so that
// the facts of a file can be read once per distinct set of values, not once per includer.
import { scanDirectives, type Directive } from './directives';
import { BuildDefines } from './buildDefines';
import { evaluateIf, type MacroState } from './ifExpr';

/** The value of one `#if`/`#elif`/`#ifdef`... in a unit; null (with why) when it cannot be known. */
export interface Decision {
  value: boolean | null;
  reason?: string;
}

/** Per file, zero-based line of a conditional directive -> its value. */
export type Decisions = Map<number, Decision>;

export interface UnitSources {
  /** The directives of a workspace file; undefined when the file is not in the workspace. */
  directives(path: string): readonly Directive[] | undefined;
  /** Where `#include` finds a name from `from`; undefined when not in the workspace. */
  resolve(from: string, name: string, angled: boolean): string | undefined;
  /** Every name some workspace file `#define`s. */
  projectDefines: ReadonlySet<string>;
}

export interface UnitReading {
  root: string;
  /** Workspace files the unit includes (the root first), each once, in the order first reached. */
  files: string[];
  /** The conditionals' values, per file reached. */
  decisions: Map<string, Decisions>;
  /** Files included from a region whose condition cannot be known. */
  uncertainIncludes: { file: string; line: number; target: string; reason: string }[];
}

type Region = 'yes' | 'maybe' | 'no';

interface Group {
  /** The region around the `#if`. */
  outer: Region;
  /** A branch was known to be taken: the rest are not. */
  taken: boolean;
  /** An earlier branch's condition is unknown: a later branch is taken only maybe. */
  unknownBefore: string | null;
  branch: Region;
}

const MAX_DEPTH = 64;
const MAX_VISITS = 4000;

function least(a: Region, b: Region): Region {
  return a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes';
}

export function readUnit(root: string, sources: UnitSources, build: BuildDefines): UnitReading {
  const env = new Map<string, MacroState>();
  const unseen: string[] = [];
  const once = new Set<string>();
  const reading: UnitReading = { root, files: [], decisions: new Map(), uncertainIncludes: [] };
  const reached = new Set<string>();
  let visits = 0;
  let maybeReason = '';

  const lookup = (name: string): MacroState => env.get(name) ?? build.initial(name, sources.projectDefines, unseen);
  const ctx = {
    lookup,
    hasInclude: (name: string, angled: boolean): boolean | null => (current && sources.resolve(current, name, angled) !== undefined ? true : null),
  };
  let current: string | null = null;

  const record = (file: string, line: number, d: Decision): void => {
    let m = reading.decisions.get(file);
    if (!m) reading.decisions.set(file, (m = new Map()));
    // A file included more than once: a branch is compiled if it is in any of its visits (the
    // second visit of a guarded header compiles nothing and takes nothing away).
    const before = m.get(line);
    if (!before || before.value === false || (before.value === null && d.value === true)) m.set(line, d);
  };

  const walk = (path: string, base: Region, depth: number): void => {
    if (depth > MAX_DEPTH || ++visits > MAX_VISITS || once.has(path)) return;
    const dirs = sources.directives(path);
    if (!dirs) return;
    if (!reached.has(path)) {
      reached.add(path);
      reading.files.push(path);
    }
    const stack: Group[] = [];
    let region: Region = base;
    const recompute = (): void => {
      region = base;
      for (const g of stack) region = least(region, g.branch);
    };
    const open = (d: Directive, value: Decision): void => {
      const g = stack[stack.length - 1] as Group;
      if (g.outer === 'no' || g.taken) {
        g.branch = 'no';
        return;
      }
      record(path, d.line, value);
      if (value.value === false) g.branch = 'no';
      else if (value.value === null) {
        g.branch = 'maybe';
        g.unknownBefore = value.reason ?? 'its condition cannot be known';
      } else {
        // Known true: no later branch is taken, whatever an earlier unknown one turns out to be.
        g.branch = g.unknownBefore === null ? 'yes' : 'maybe';
        g.taken = true;
      }
      if (g.branch === 'maybe') maybeReason = g.unknownBefore ?? value.reason ?? '';
    };
    const condition = (d: Directive): Decision => {
      current = path;
      if (d.kind === 'if' || d.kind === 'elif') return evaluateIf(d.expr, ctx);
      if (d.kind === 'ifdef' || d.kind === 'ifndef' || d.kind === 'elifdef' || d.kind === 'elifndef') {
        const s = lookup(d.name);
        if (s.kind === 'unknown') return { value: null, reason: s.reason };
        const defined = s.kind === 'defined';
        return { value: d.kind.endsWith('ndef') ? !defined : defined };
      }
      return { value: true };
    };
    for (const d of dirs) {
      switch (d.kind) {
        case 'if':
        case 'ifdef':
        case 'ifndef':
          stack.push({ outer: region, taken: false, unknownBefore: null, branch: 'no' });
          if (region !== 'no') open(d, condition(d));
          recompute();
          break;
        case 'elif':
        case 'elifdef':
        case 'elifndef':
        case 'else': {
          const g = stack[stack.length - 1];
          if (!g) break;
          if (g.outer === 'no' || g.taken) g.branch = 'no';
          else open(d, condition(d));
          recompute();
          break;
        }
        case 'endif':
          stack.pop();
          recompute();
          break;
        case 'define':
          if (region === 'yes') env.set(d.def.name, { kind: 'defined', def: d.def });
          else if (region === 'maybe') env.set(d.def.name, { kind: 'unknown', reason: `${d.def.name} is defined at ${short(path)}:${d.line + 1} under a condition that cannot be known (${maybeReason})` });
          break;
        case 'undef':
          if (region === 'yes') env.set(d.name, { kind: 'undefined' });
          else if (region === 'maybe') env.set(d.name, { kind: 'unknown', reason: `${d.name} is undefined at ${short(path)}:${d.line + 1} under a condition that cannot be known (${maybeReason})` });
          break;
        case 'once':
          if (region !== 'no') once.add(path);
          break;
        case 'include': {
          if (region === 'no') break;
          const target = sources.resolve(path, d.name, d.angled);
          if (target === undefined) {
            if (!unseen.includes(d.name)) unseen.push(d.name);
            break;
          }
          if (region === 'maybe') reading.uncertainIncludes.push({ file: path, line: d.line, target, reason: maybeReason });
          walk(target, region, depth + 1);
          current = path;
          break;
        }
      }
      // `#pragma once` is seen where it stands; it stops later visits, not this one.
    }
  };
  walk(root, 'yes', 0);
  return reading;
}

function short(path: string): string {
  return path.split('/').slice(-2).join('/');
}

/** A stable key for a file's decisions in one unit: equal keys read the same facts. */
export function decisionsKey(d: Decisions | undefined): string {
  if (!d || !d.size) return '';
  const parts: string[] = [];
  for (const [line, v] of [...d].sort((a, b) => a[0] - b[0])) parts.push(`${line}${v.value === null ? `?${v.reason ?? ''}` : v.value ? '+' : '-'}`);
  return parts.join(',');
}

/** The decisions of a file read alone, as its own unit with the default build defines. */
export function standaloneDecisions(text: string, file: string): Decisions {
  const directives = scanDirectives(text, file);
  const projectDefines = new Set<string>();
  for (const d of directives) if (d.kind === 'define') projectDefines.add(d.def.name);
  const unit = readUnit(file, { directives: (p) => (p === file ? directives : undefined), resolve: () => undefined, projectDefines }, new BuildDefines());
  return unit.decisions.get(file) ?? new Map();
}
