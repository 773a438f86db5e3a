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

/** ` when \`cbs\``, ` (if attached: no loader found)`: what the state depends on, for a code lens. */
export function decidedSuffix(p: ModelProgram): string {
  const d = p.decidedBy;
  if (!d) return '';
  if (d.loader === null) return p.association.state === 'poisoned' || p.association.state === 'auto' ? ' (if attached: no loader found)' : '';
  return d.when ? ` when ${d.when.replace(/ \((in |[^()]*\.c\)).*$/, '')}` : '';
}

/** Markdown: the loader, lifecycle and path condition that decided the state. */
export function decidedSentence(p: ModelProgram): string[] {
  const d = p.decidedBy;
  if (!d) return [];
  if (d.loader === null) {
    return ['**No loader found:** nothing in the workspace says which struct_ops maps are attached; this state is what attaching every map would do.'];
  }
  const out = [`**Decided by** \`${d.loader.split('/').pop()}\`${d.lifecycle ? ` ${d.lifecycle}` : ''} (${d.paths} path${d.paths === 1 ? '' : 's'}${d.truncated ? ', capped' : ''}).`];
  if (d.when) out.push(`Only on the path where ${d.when}.`);
  for (const b of p.byPath ?? []) out.push(`- ${associationLabel(b.association)} — on the path where ${b.when}`);
  return out;
}

/** One sentence: what the state means for the program. */
export function associationSentence(a: AssociationState): string {
  switch (a.state) {
    case 'auto':
      return `Associated automatically with \`${a.map}\` when the map is attached.`;
    case 'poisoned':
      return `Poisoned: the program fills slots of ${a.maps.map((m) => `\`${m}\``).join(' and ')}, so attaching them poisons its association.`;
    case 'explicit':
      return `Associated explicitly with \`${a.map}\` by bpf_program__assoc_struct_ops().`;
    case 'rejected':
      return `Its association call fails with ${a.errno}: ${a.reason}.`;
    case 'not-loaded':
      return `Not loaded: ${a.reason}.`;
    case 'none':
      return `Not associated: ${a.reason}.`;
  }
}

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
