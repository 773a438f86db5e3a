// Building findings: severity from the catalogue, messages in one voice.
import type { Location } from '../facts';
import type { Finding, RelatedInfo } from '../model';
import { ruleInfo, type RuleId, type Severity } from '../rules';

/** A finding, every field present (one object layout for every finding the model holds). */
export function finding(rule: RuleId, location: Location, message: string, related: RelatedInfo[], severity?: Severity, program?: string): Finding {
  return { rule, severity: severity ?? ruleInfo(rule).severity, message, location, related, object: undefined, program: program || undefined };
}

/** A finding of an object's replays or build, as the model lists it: with the object's id. */
export function ofObject(f: Finding, object: string): Finding {
  return { rule: f.rule, severity: f.severity, message: f.message, location: f.location, related: f.related, object, program: f.program };
}

/** Code in a message. */
export function quote(s: string): string {
  return `\`${s}\``;
}

export function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
