// The rule catalogue: stable IDs, default severities and one-line summaries. docs/rules.md
// documents each with an example; SARIF's tool.driver.rules is generated from this table.

export type Severity = 'error' | 'warning' | 'info';

export interface RuleInfo {
  id: string;
  severity: Severity;
  summary: string;
}

const table = [
  ['poisoned-association', 'warning', 'A struct_ops program fills slots of two or more attached struct_ops maps: the kernel poisons its association.'],
  ['invalid-struct-ops-reuse', 'error', 'One struct_ops program is used for different struct types or different members: libbpf fails the load.'],
  ['unreferenced-struct-ops-program', 'error', 'A struct_ops program with autoload on is not referenced by any struct_ops map: libbpf fails the load.'],
  ['slot-not-struct-ops-program', 'error', 'A struct_ops slot references a program that is not a struct_ops program: libbpf fails the open or load.'],
  ['assoc-struct-ops-program', 'error', 'Explicit association of a struct_ops program: EINVAL (struct_ops programs are associated automatically).'],
  ['assoc-non-struct-ops-map', 'error', 'Explicit association with a map that is not a struct_ops map: EINVAL.'],
  ['assoc-conflict', 'error', 'A program is explicitly associated with a second, different map: EBUSY.'],
  ['assoc-before-load', 'error', 'Explicit association before the object is loaded: the program has no fd yet, EINVAL.'],
  ['assoc-invalid-flags', 'error', 'Explicit association with non-zero flags: EINVAL.'],
  ['assoc-not-loaded', 'error', 'Explicit association of a program or map that is never loaded or created (autoload/autocreate off): no fd, EINVAL.'],
  ['unassociated-kfunc-caller', 'warning', 'A non-struct_ops program calls an association-dependent kfunc and is never associated.'],
  ['poisoned-kfunc-caller', 'warning', 'A program whose association is poisoned calls an association-dependent kfunc.'],
  ['optional-map-created', 'warning', "A struct_ops map in a '?' section after the first one: libbpf (<= 1.7) turns autocreate off only for the section's first map, so this one is created."],
  ['stale-skeleton', 'warning', "A skeleton's embedded object, built after its sources were saved, disagrees with them about maps, slots or programs."],
  ['stale-object', 'warning', 'A compiled object (.bpf.o), built after its sources were saved, disagrees with them about maps, slots or programs.'],
  ['build-behind-sources', 'info', 'A compiled object or skeleton is older than its saved sources: the build is behind them until it is rebuilt.'],
  ['unreadable-file', 'warning', 'A file could not be read as C (binary content) and was skipped.'],
  ['parse-limit', 'info', "Part of a file was not analysed: it exceeded a budget (size, parse work, one top-level item's macro expansion, the kfunc calls an object's programs reach, or the path walk of a loader's nested loops) or the C parser could not read it; the message names the lines."],
  ['malformed-object', 'warning', 'A BPF object (a .bpf.o or the one embedded in a skeleton) is truncated or corrupted.'],
  ['malformed-skeleton', 'warning', 'A bpftool skeleton could not be read.'],
  ['analysis-error', 'warning', 'The analysis of one file failed (a bug, or an input no reader foresaw): that file was skipped, every other file analysed.'],
] as const;

export type RuleId = (typeof table)[number][0];

export const RULES: readonly RuleInfo[] = table.map(([id, severity, summary]) => ({ id, severity, summary }));

const byId = new Map<string, RuleInfo>(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: RuleId): RuleInfo {
  return byId.get(id) as RuleInfo;
}

export function isRuleId(id: string): id is RuleId {
  return byId.has(id);
}
