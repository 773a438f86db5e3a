// SARIF 2.1.0 as code-scanning services read it: results with ruleId, level, message and
// physical locations relative to %SRCROOT%; the rule catalogue in tool.driver.rules. Every uri is
// percent-encoded (RFC 3986, as SARIF 2.1.0 §3.10 requires): a file name is never raw in it.
import type { Location } from '../analysis/facts';
import type { WorkspaceModel } from '../analysis/model';
import { RULES, type Severity } from '../analysis/rules';
import { TOOL_VERSION } from './json';
import { displayPath } from './paths';
import { encodePath, fileUri } from './uri';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function physical(l: Location, base: string): Record<string, unknown> {
  const rel = displayPath(l.file, base);
  const relative = rel !== l.file;
  return {
    physicalLocation: {
      artifactLocation: relative ? { uri: encodePath(rel), uriBaseId: '%SRCROOT%' } : { uri: fileUri(l.file) },
      region: {
        startLine: l.range.start.line + 1,
        startColumn: l.range.start.character + 1,
        endLine: l.range.end.line + 1,
        endColumn: l.range.end.character + 1,
      },
    },
  };
}

export function modelToSarif(model: WorkspaceModel, base = process.cwd()): unknown {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bpf-assoc',
            version: TOOL_VERSION,
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.summary },
              fullDescription: { text: r.summary },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: fileUri(base.endsWith('/') ? base : `${base}/`) } },
        results: model.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIndex.get(f.rule),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [physical(f.location, base)],
          relatedLocations: f.related.map((r, i) => ({ id: i + 1, ...physical(r.location, base), message: { text: r.message } })),
        })),
      },
    ],
  };
}
