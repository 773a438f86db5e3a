// Building findings: severity from the catalogue, messages in one voice.
import type { Location } from '../facts';
import type { Finding, RelatedInfo } from '../model';
import { ruleInfo, type RuleId, type Severity } from '../rules';

export function finding(rule: RuleId, location: Location, message: string, related: RelatedInfo[], severity?: Severity, program?: string): Finding {
  const f: Finding = { rule, severity: severity ?? ruleInfo(rule).severity, message, location, related };
  if (program) f.program = program;
  return f;
}

/** Code in a message. */
export function quote(s: string): string {
  return `\`${s}\``;
}

export function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
