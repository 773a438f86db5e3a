// Markdown for hovers: programs, struct_ops maps, slots, association calls and calls to
// association-dependent kfuncs, each saying what libbpf and the kernel will do and why.
import type { SkeletonFacts } from '../analysis/facts';
import type { ModelAssociationCall, ModelKfuncCall, ModelMap, ModelProgram, ModelSlot } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { placeLink } from '../lsp/uri';
import { associationLabel, associationSentence, decidedSentence, plural, programsOfMap } from './describe';

const at = (l: { file: string; range: { start: { line: number } } }): string => placeLink(l.file, l.range.start.line);

function result(call: ModelAssociationCall): string {
  const r = call.predicted.result;
  return r === 0 ? '**0** (success)' : r === 'unknown' ? '**unknown**' : `**-${r}**`;
}

function runTime(p: ModelProgram): string[] {
  const a = p.association;
  const kfuncs = p.kfuncCalls.map((k) => `\`${k.name}\` (${at(k.location)})`);
  const readers = kfuncs.length ? ` Association-dependent kfuncs it calls get NULL: ${kfuncs.join(', ')}.` : '';
  if (a.state === 'poisoned') {
    return [
      `**At run time:** attaching ${a.maps.map((m) => `\`${m}\``).join(' and ')} succeeds, but the kernel marks the program's association as poisoned for the rest of its life: \`bpf_prog_get_assoc_struct_ops()\` returns NULL for it.${readers} Give each map its own copy of the program.`,
    ];
  }
  if ((a.state === 'none' || a.state === 'rejected') && kfuncs.length) return [`**At run time:** it has no struct_ops association.${readers}`];
  if ((a.state === 'auto' || a.state === 'explicit') && kfuncs.length) {
    return [`**At run time:** ${kfuncs.join(', ')} ${kfuncs.length === 1 ? 'gets' : 'get'} the struct_ops of \`${a.map}\`.`];
  }
  return [];
}

export function programHover(view: AnalysisView, p: ModelProgram): string {
  const a = p.association;
  const flags = [p.kind === 'struct_ops' ? 'struct_ops program' : 'program', p.sleepable ? 'sleepable' : '', p.autoload ? '' : 'autoload off'].filter(Boolean);
  const lines = [`**${p.name}** · ${flags.join(' · ')} · object \`${p.object}\``, '', `\`SEC("${p.section}")\``, ''];
  lines.push(`**Association: ${a.state}** — ${associationLabel(a)}`, '', associationSentence(a));
  const decided = decidedSentence(p);
  if (decided.length) lines.push('', ...decided);
  if (a.state === 'auto' || a.state === 'poisoned') for (const s of a.slots) lines.push(`- slot \`${s.map}.${s.member}\` — ${at(s.location)}`);
  const calls = view.model.associationCalls.filter((c) => c.object === p.object && c.program === p.name);
  for (const c of calls) lines.push(`- \`${c.api}\` with \`${c.map ?? '?'}\` → ${result(c)} — ${at(c.location)}`);
  lines.push('', ...runTime(p));
  if (p.byScenario.length > 1) {
    lines.push('', '**By loader:**');
    for (const s of p.byScenario) lines.push(`- ${s.scenario.description}: ${associationLabel(s.association)}`);
  }
  if (p.callbacks.length) lines.push('', `Callbacks that run with this association: ${p.callbacks.map((c) => `\`${c}\``).join(', ')}.`);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Function-pointer members of the map's struct type, from a skeleton's shadow type. */
function membersOf(view: AnalysisView, map: ModelMap): { members: string[]; from: string } | null {
  const object = view.model.objects.find((o) => o.id === map.object);
  for (const skel of object?.skeletons ?? []) {
    const facts = view.facts(skel) as SkeletonFacts | undefined;
    const shadow = facts?.structOpsShadows?.find((s) => s.map === map.name);
    if (shadow) return { members: shadow.members, from: skel };
  }
  return null;
}

export function mapHover(view: AnalysisView, m: ModelMap): string {
  const type = m.kernelType !== m.structType ? `\`struct ${m.structType}\` (kernel type \`${m.kernelType}\`)` : `\`struct ${m.structType}\``;
  const lines = [`**${m.name}** · struct_ops map ${type} · object \`${m.object}\``, '', `\`SEC("${m.section}")\``, ''];
  lines.push(`- ${m.link ? '`.link`: attached through a BPF link' : 'no `.link`: attached without a BPF link (stays registered until the map is freed)'}`);
  lines.push(`- autocreate ${m.autocreate ? 'on' : 'off: the map is not created, its programs are not associated by it'}`);
  lines.push(`- ${m.attached ? 'attached (its programs get associated with it)' : 'never attached: it associates none of its programs'}`);
  const filled = m.slots.filter((s) => s.program !== null);
  lines.push('', `**Slots filled (${filled.length}):**`);
  for (const s of m.slots) {
    const p = view.model.programs.find((q) => q.object === m.object && q.name === s.program);
    const state = p ? ` (${associationLabel(p.association)})` : '';
    lines.push(`- \`.${s.member}\` → ${s.program ? `\`${s.program}\`${state}` : 'NULL'}${s.origin === 'loader' ? ' — set by the loader' : ''}`);
  }
  const members = membersOf(view, m);
  if (members) {
    const empty = members.members.filter((x) => !filled.some((s) => s.member === x));
    lines.push('', `**Empty slots (${empty.length}):** ${empty.map((x) => `\`.${x}\``).join(', ') || 'none'} — from ${placeLink(members.from, 0)}`);
  } else lines.push('', '_Empty slots: unknown without the skeleton (`bpftool gen skeleton`) of this object._');
  const programs = programsOfMap(view.model, m);
  const poisoned = programs.filter((p) => p.association.state === 'poisoned').length;
  lines.push('', `**Programs:** ${plural(programs.length, 'program')}${poisoned ? ` · ${poisoned} poisoned` : ''}`);
  const explicit = view.model.associationCalls.filter((c) => c.object === m.object && c.map === m.name);
  for (const c of explicit) lines.push(`- explicit: \`${c.program ?? '?'}\` → ${result(c)} — ${at(c.location)}`);
  return lines.join('\n');
}

export function slotHover(view: AnalysisView, m: ModelMap, s: ModelSlot): string {
  const lines = [`**${m.name}.${s.member}** = ${s.program ? `\`${s.program}\`` : 'NULL'} · slot of struct_ops map \`${m.name}\` (\`struct ${m.structType}\`)`];
  if (s.origin === 'loader') lines.push('', 'Set by the loader before load (it replaces the initializer in the source).');
  else if (s.origin !== 'source') lines.push('', `Read from the compiled ${s.origin}.`);
  const p = view.model.programs.find((q) => q.object === m.object && q.name === s.program);
  if (p) lines.push('', `**${p.name}**: ${associationLabel(p.association)}`, '', associationSentence(p.association), '', ...runTime(p));
  return lines.join('\n').trim();
}

export function callHover(c: ModelAssociationCall): string {
  return [
    `**${c.api}** · \`${c.program ?? '?'}\` → \`${c.map ?? '?'}\``,
    '',
    `Predicted answer (libbpf 1.7, Linux 7.0+): ${result(c)} — ${c.predicted.reason}`,
    '',
    `Lifecycle phase: ${c.phase} · flags: ${c.flags} · object \`${c.object}\``,
  ].join('\n');
}

export function kfuncHover(p: ModelProgram, k: ModelKfuncCall): string {
  const a = p.association;
  const gets =
    a.state === 'auto' || a.state === 'explicit'
      ? `gets the struct_ops of \`${a.map}\``
      : a.state === 'poisoned'
        ? 'gets NULL: the association is poisoned'
        : a.state === 'not-loaded'
          ? 'never runs: the program is not loaded'
          : 'gets NULL: the program is not associated';
  return [
    `**${k.name}** reads the calling program's struct_ops association`,
    '',
    `Why: ${k.dependsOnAssociation}`,
    '',
    `Called from \`${p.name}\`${k.via ? ` via \`${k.via}\`` : ''} (${associationLabel(a)}): it ${gets}.`,
  ].join('\n');
}
