// Short texts about association states, shared by hover, code lens and symbols.
import type { AssociationState, ModelMap, ModelProgram, WorkspaceModel } from '../analysis/model';

/** `st_ops_map_a.test_1 · st_ops_map_b.test_1 — poisoned`, `explicit: M`, `not associated`, ... */
export function associationLabel(a: AssociationState): string {
  switch (a.state) {
    case 'auto':
      return a.slots.map((s) => `${s.map}.${s.member}`).join(' · ') || `auto: ${a.map}`;
    case 'poisoned':
      return `${a.slots.map((s) => `${s.map}.${s.member}`).join(' · ')} — poisoned`;
    case 'explicit':
      return `explicit: ${a.map}`;
    case 'rejected':
      return `association fails: ${a.errno}`;
    case 'not-loaded':
      return 'not loaded';
    case 'none':
      return 'not associated';
  }
}

/** ` when \`cbs\``, ` when built with \`HAVE_X\``, ` (if attached: no loader found)`: what the state depends on, for a code lens. */
export function decidedSuffix(p: ModelProgram): string {
  const d = p.decidedBy;
  if (!d) return '';
  if (d.loader === null) return p.association.state === 'poisoned' || p.association.state === 'auto' ? ' (if attached: no loader found)' : '';
  if (!d.when) return '';
  // A build condition nothing decides (pathReplay.ts): the build's, not one of the loader's paths.
  const build = / \(a build condition of [^()]*(?:\([^()]*\)[^()]*)*\)/.exec(d.when);
  if (build && build.index + build[0].length === d.when.length) return ` when built with ${d.when.slice(0, build.index)}`;
  return ` when ${d.when.replace(/ \((in |[^()]*\.c\)).*$/, '')}`;
}

// The hover's Markdown sentences (decided by, what the state means) are in hoverText.ts, escaped.

/** Programs named in a map's slots (once each), in slot order. */
export function programsOfMap(model: WorkspaceModel, map: ModelMap): ModelProgram[] {
  const names = [...new Set(map.slots.map((s) => s.program).filter((p): p is string => p !== null))];
  return names
    .map((n) => model.programs.find((p) => p.object === map.object && p.name === n))
    .filter((p): p is ModelProgram => p !== undefined);
}

/** `3 programs · 1 poisoned`. */
export function mapLabel(model: WorkspaceModel, map: ModelMap): string {
  const programs = programsOfMap(model, map);
  const poisoned = programs.filter((p) => p.association.state === 'poisoned').length;
  const parts = [`${programs.length} program${programs.length === 1 ? '' : 's'}`];
  if (poisoned) parts.push(`${poisoned} poisoned`);
  if (!map.autocreate) parts.push('not created');
  else if (!map.attached) parts.push('not attached');
  return parts.join(' · ');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
