// The model as JSON (schema in docs/model.md): 1-based lines, paths relative to the base.
import type { Location } from '../analysis/facts';
import type { AssociationState, Scenario, WorkspaceModel } from '../analysis/model';
import { displayPath } from './paths';

import { version } from '../../../package.json';

/** package.json's version (esbuild bundles only this field). */
export const TOOL_VERSION: string = version;

function where(l: Location, base?: string): { file: string; line: number; column: number } {
  return { file: displayPath(l.file, base), line: l.range.start.line + 1, column: l.range.start.character + 1 };
}

/** A loader's lifecycle, for a loader that opens the skeleton more than once. */
function lifecycle(s: Scenario): { lifecycle?: number } {
  return s.lifecycle === undefined ? {} : { lifecycle: s.lifecycle };
}

function association(a: AssociationState, base?: string): Record<string, unknown> {
  switch (a.state) {
    case 'auto':
      return { state: a.state, maps: [a.map], slots: a.slots.map((s) => ({ map: s.map, member: s.member, ...where(s.location, base) })) };
    case 'poisoned':
      return { state: a.state, maps: a.maps, slots: a.slots.map((s) => ({ map: s.map, member: s.member, ...where(s.location, base) })) };
    case 'explicit':
      return { state: a.state, maps: [a.map], calls: a.calls.map((c) => where(c, base)) };
    case 'rejected':
      return { state: a.state, maps: [], reason: a.reason, errno: a.errno, calls: a.calls.map((c) => where(c, base)) };
    default:
      return { state: a.state, maps: [], reason: a.reason };
  }
}

export function modelToJson(model: WorkspaceModel, base?: string): unknown {
  return {
    version: model.version,
    tool: { name: 'bpf-assoc', version: TOOL_VERSION },
    objects: model.objects.map((o) => ({
      ...o,
      sources: o.sources.map((f) => displayPath(f, base)),
      objectFiles: o.objectFiles.map((f) => displayPath(f, base)),
      skeletons: o.skeletons.map((f) => displayPath(f, base)),
      loaders: o.loaders.map((f) => displayPath(f, base)),
      scenarios: o.scenarios.map((s) => ({ loader: s.loader ? displayPath(s.loader, base) : null, ...lifecycle(s), description: s.description })),
      ...(o.build
        ? {
            build: {
              state: o.build.state,
              outputs: o.build.outputs.map((f) => displayPath(f, base)),
              behind: o.build.behind.map((f) => displayPath(f, base)),
              ...(o.build.unsaved ? { unsaved: o.build.unsaved.map((f) => displayPath(f, base)) } : {}),
              differences: o.build.differences.map((d) => ({ ...where(d.location, base), message: d.message })),
            },
          }
        : {}),
    })),
    programs: model.programs.map((p) => ({
      id: p.id,
      object: p.object,
      name: p.name,
      ...where(p.location, base),
      section: p.section,
      kind: p.kind,
      sleepable: p.sleepable,
      autoload: p.autoload,
      association: association(p.association, base),
      ...(p.byScenario.length
        ? {
            byScenario: p.byScenario.map((s) => ({
              loader: s.scenario.loader ? displayPath(s.scenario.loader, base) : null,
              ...lifecycle(s.scenario),
              association: association(s.association, base),
            })),
          }
        : {}),
      kfuncCalls: p.kfuncCalls.map((c) => ({ name: c.name, ...where(c.location, base), ...(c.via ? { via: c.via } : {}), dependsOnAssociation: c.dependsOnAssociation })),
      ...(p.decidedBy ? { decidedBy: { ...p.decidedBy, loader: p.decidedBy.loader ? displayPath(p.decidedBy.loader, base) : null, ...(p.decidedBy.at ? { at: where(p.decidedBy.at, base) } : {}) } } : {}),
      ...(p.byPath?.length ? { byPath: p.byPath.map((b) => ({ when: b.when, association: association(b.association, base) })) } : {}),
    })),
    maps: model.maps.map((m) => ({
      id: m.id,
      object: m.object,
      name: m.name,
      ...where(m.location, base),
      type: m.structType,
      kernelType: m.kernelType,
      section: m.section,
      link: m.link,
      autocreate: m.autocreate,
      attached: m.attached,
      slots: m.slots.map((s) => ({ member: s.member, program: s.program, origin: s.origin, ...where(s.location, base) })),
    })),
    associationCalls: model.associationCalls.map((c) => ({ ...c, loader: displayPath(c.loader, base), location: undefined, ...where(c.location, base) })),
    findings: model.findings.map((f) => ({
      ruleId: f.rule,
      level: f.severity,
      message: f.message,
      ...where(f.location, base),
      related: f.related.map((r) => ({ ...where(r.location, base), message: r.message })),
      ...(f.object ? { object: f.object } : {}),
    })),
    kfuncs: model.kfuncs.map((k) => ({ name: k.name, reason: k.reason, ...(k.location ? where(k.location, base) : {}) })),
    stats: model.stats,
  };
}
