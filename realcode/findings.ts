// Is each finding true? Decided by a mechanical rule from the object's truth where one exists,
// else by realcode/reviewed.txt: verdicts a person wrote after reading the loader, keyed by
// tree, file, program and rule.
import { readFileSync } from 'node:fs';
import { findingProgram, type Model, type ModelFinding } from './analysis';
import type { ObjectTruth } from './truth';

export type Verdict = 'true' | 'false' | 'unreviewed';

export interface ClassifiedFinding {
  tree: string;
  rule: string;
  level: ModelFinding['level'];
  file: string;
  line: number;
  program: string;
  message: string;
  verdict: Verdict;
  reason: string;
  /** `rule`: decided from the object; `review`: realcode/reviewed.txt. */
  by: 'rule' | 'review' | 'none';
}

export interface Review { verdict: 'true' | 'false'; reason: string }

export const reviewKey = (tree: string, file: string, program: string, rule: string): string => `${tree} | ${file} | ${program} | ${rule}`;

/** `tree | file | program | rule | verdict | reason` lines; `#` starts a comment. */
export function readReviews(path: string): { reviews: Map<string, Review>; problems: string[] } {
  const reviews = new Map<string, Review>();
  const problems: string[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const cells = line.split(' | ').map((c) => c.trim());
    const [tree, file, program, rule, verdict, ...reason] = cells;
    if (!tree || !file || !program || !rule || (verdict !== 'true' && verdict !== 'false') || !reason.join('').trim()) {
      problems.push(`${path}:${i + 1}: expected "tree | file | program | rule | true|false | reason"`);
      return;
    }
    reviews.set(reviewKey(tree, file, program, rule), { verdict, reason: reason.join(' | ') });
  });
  return { reviews, problems };
}

const isStructOps = (section: string): boolean => /^\??struct_ops(\.s)?(\/|$)/.test(section);
const kernelType = (t: string): string => t.replace(/___.*$/, '');

/**
 * A verdict the object alone decides, or null when the loader must be read. `final` verdicts
 * stand whatever the reviews say (the object cannot be argued with).
 */
function fromObject(rule: string, program: string, t: ObjectTruth): { verdict: 'true' | 'false'; reason: string; final: boolean } | null {
  const holders = t.maps.flatMap((m) => m.slots.filter((s) => s.program === program).map((s) => ({ map: m, member: s.member })));
  const where = holders.map((h) => `${h.map.name}.${h.member}`).join(', ') || 'no map';
  const prog = t.programs.find((p) => p.name === program);
  switch (rule) {
    case 'poisoned-association':
    case 'poisoned-kfunc-caller': {
      const maps = new Set(holders.map((h) => h.map.name));
      if (maps.size < 2) return { verdict: 'false', reason: `the object puts \`${program}\` in ${where}: no two maps hold it`, final: true };
      return null;
    }
    case 'unreferenced-struct-ops-program':
      if (!prog || !isStructOps(prog.section)) return { verdict: 'false', reason: `\`${program}\` is not a struct_ops program in the object`, final: true };
      if (holders.length) return { verdict: 'false', reason: `the object references it (${where}): libbpf gives it an attach_btf_id`, final: true };
      if (prog.section.startsWith('?')) return { verdict: 'false', reason: 'its `?` section turns autoload off: libbpf skips it', final: true };
      return { verdict: 'true', reason: 'no slot of the object references it and autoload is on: bpf_object_load_prog() refuses it (attach_btf_id 0, -EINVAL)', final: false };
    case 'invalid-struct-ops-reuse': {
      const sameMap = holders.some((h, i) => holders.findIndex((o) => o.map === h.map) !== i);
      const kinds = new Set(holders.map((h) => `${kernelType(h.map.type)}.${h.member}`));
      if (sameMap || kinds.size > 1) return { verdict: 'true', reason: `the object puts it in ${where}: libbpf's reuse check fails`, final: false };
      return { verdict: 'false', reason: `the object puts it in ${where}: same type and member, or one slot`, final: true };
    }
    case 'slot-not-struct-ops-program':
      if (prog && holders.length && !isStructOps(prog.section)) return { verdict: 'true', reason: `${where} holds a \`${prog.section}\` program`, final: true };
      return { verdict: 'false', reason: `no slot of the object holds \`${program}\` as a non-struct_ops program`, final: true };
    case 'stale-object':
      return { verdict: 'false', reason: 'the object was compiled from this very source, with its Makefile\'s flags, in this run', final: true };
    default:
      return null;
  }
}

/** bpf-assoc's notes about its own limits are true by construction; what matters is what was lost. */
function selfReport(rule: string, lost: number): { verdict: 'true'; reason: string; final: boolean } | null {
  if (rule !== 'parse-limit') return null;
  return { verdict: 'true', reason: `bpf-assoc says what it skipped; this file's comparison with its object shows ${lost} difference(s)`, final: true };
}

export function classify(
  tree: string,
  model: Model,
  truthOf: (objectId: string) => ObjectTruth | null,
  reviews: Map<string, Review>,
  differencesIn: (file: string) => number,
): ClassifiedFinding[] {
  return model.findings.map((f) => {
    const program = findingProgram(model, f);
    const base = { tree, rule: f.ruleId, level: f.level, file: f.file, line: f.line, program, message: f.message };
    const objectId = f.object ?? model.objects.find((o) => o.sources[0] === f.file)?.id;
    const truth = objectId ? truthOf(objectId) : null;
    const decided = selfReport(f.ruleId, differencesIn(f.file)) ?? (truth ? fromObject(f.ruleId, program, truth) : null);
    const review = reviews.get(reviewKey(tree, f.file, program, f.ruleId));
    if (decided && (decided.final || !review)) return { ...base, verdict: decided.verdict, reason: decided.reason, by: 'rule' as const };
    if (review) return { ...base, verdict: review.verdict, reason: review.reason, by: 'review' as const };
    return { ...base, verdict: 'unreviewed' as const, reason: truth ? 'needs a reading of the loader' : 'no compiled object to decide from', by: 'none' as const };
  });
}
