// Markdown for hovers: programs, struct_ops maps, slots, association calls and calls to
// association-dependent kfuncs, each saying what libbpf and the kernel will do and why.
// Everything the workspace wrote (names, sections, file names, messages that quote them) goes
// through mdCode/mdText/mdPlaceLink: a section like "x` [a](https://…) `" stays a code span.
import type { SkeletonFacts } from '../analysis/facts';
import type { AssociationState, ModelAssociationCall, ModelKfuncCall, ModelMap, ModelProgram, ModelSlot } from '../analysis/model';
import type { AnalysisView } from '../lsp/session';
import { mdCode, mdPlaceLink, mdText } from '../output/markdown';
import { fileUri } from '../output/uri';
import { associationLabel, plural, programsOfMap } from './describe';
import { lastBuildLines } from './lastBuild';

const at = (l: { file: string; range: { start: { line: number } } }): string => mdPlaceLink(l.file, l.range.start.line);
const label = (a: AssociationState): string => mdText(associationLabel(a));

function result(call: ModelAssociationCall): string {
  const r = call.predicted.result;
  return r === 0 ? '**0** (success)' : r === 'unknown' ? '**unknown**' : `**-${mdText(r)}**`;
}

const fileLink = (path: string): string => `[${mdText(path.split('/').pop() ?? path)}](${fileUri(path)})`;

/** `**Association: STATE** — what it means`: the state said once, then why. */
export function associationLine(a: AssociationState): string {
  const why = ((): string => {
    switch (a.state) {
      case 'auto':
        return `with ${mdCode(a.map)}, automatically, when the map is attached.`;
      case 'poisoned':
        return `it fills slots of ${a.maps.map(mdCode).join(' and ')}, and ${a.maps.length === 2 ? 'both' : 'all'} are attached.`;
      case 'explicit':
        return `with ${mdCode(a.map)}, by its ${mdCode('bpf_program__assoc_struct_ops()')} call.`;
      case 'rejected':
        return `its association call fails with ${mdText(a.errno)}: ${mdText(a.reason)}.`;
      case 'not-loaded':
        return `libbpf does not load it (${mdText(a.reason)}).`;
      case 'none':
        return `${mdText(a.reason)}.`;
    }
  })();
  return `**Association: ${mdText(a.state)}** — ${why}`;
}

/** The loader, lifecycle and path condition that decided the state. */
function decidedSentence(p: ModelProgram): string[] {
  const d = p.decidedBy;
  if (!d) return [];
  if (d.loader === null) {
    return ['**No loader found:** nothing in the workspace says which struct_ops maps are attached; this state is what attaching every map would do.'];
  }
  const loader = mdCode(d.loader.split('/').pop() ?? d.loader);
  const out = [`**Decided by** ${loader}${d.lifecycle ? ` ${mdText(d.lifecycle)}` : ''} (${d.paths} path${d.paths === 1 ? '' : 's'}${d.truncated ? ', capped' : ''}).`];
  // "loaded by pmda.c" (the object's loaders disagree: engine/headline.ts) is not a path of this loader.
  if (d.when) out.push(d.when.startsWith('loaded by ') ? `Only when ${mdText(d.when)} (each loader's state is under **By loader** below).` : `Only on the path where ${mdText(d.when)}.`);
  for (const b of p.byPath ?? []) out.push(`- ${label(b.association)} — on the path where ${mdText(b.when)}`);
  return out;
}

/** `advice`: end with what to do (the hover on a slot; the program's own diagnostic already says it). */
function runTime(p: ModelProgram, advice = false): string[] {
  const a = p.association;
  const kfuncs = p.kfuncCalls.map((k) => `${mdCode(k.name)} (${at(k.location)})`);
  const readers = kfuncs.length ? ` Association-dependent kfuncs it calls get NULL: ${kfuncs.join(', ')}.` : '';
  if (a.state === 'poisoned') {
    return [
      `**At run time:** attaching ${a.maps.map(mdCode).join(' and ')} succeeds, but the kernel then marks the program's association as poisoned for the rest of its life: \`bpf_prog_get_assoc_struct_ops()\` returns NULL for it.${readers}${advice ? ' Give each map its own copy of the program.' : ''}`,
    ];
  }
  if ((a.state === 'none' || a.state === 'rejected') && kfuncs.length) return [`**At run time:** it has no struct_ops association.${readers}`];
  if ((a.state === 'auto' || a.state === 'explicit') && kfuncs.length) {
    return [`**At run time:** ${kfuncs.join(', ')} ${kfuncs.length === 1 ? 'gets' : 'get'} the struct_ops of ${mdCode(a.map)}.`];
  }
  return [];
}

export function programHover(view: AnalysisView, p: ModelProgram): string {
  const a = p.association;
  const flags = [p.kind === 'struct_ops' ? 'struct_ops program' : 'program', p.sleepable ? 'sleepable' : '', p.autoload ? '' : 'autoload off'].filter(Boolean);
  const lines = [`**${mdText(p.name)}** · ${flags.join(' · ')} · object ${mdCode(p.object)}`, '', mdCode(`SEC("${p.section}")`), ''];
  lines.push(associationLine(a));
  const decided = decidedSentence(p);
  if (decided.length) lines.push('', ...decided);
  if (a.state === 'auto' || a.state === 'poisoned') for (const s of a.slots) lines.push(`- slot ${mdCode(`${s.map}.${s.member}`)} — ${at(s.location)}`);
  const calls = view.model.associationCalls.filter((c) => c.object === p.object && c.program === p.name);
  for (const c of calls) lines.push(`- ${mdCode(c.api)} with ${mdCode(c.map ?? '?')} → ${result(c)} — ${at(c.location)}`);
  lines.push('', ...runTime(p));
  if (p.byScenario.length > 1) {
    lines.push('', '**By loader:**');
    for (const s of p.byScenario) lines.push(`- ${mdText(s.scenario.description)}: ${label(s.association)}`);
  }
  if (p.callbacks.length) lines.push('', `Callbacks that run with this association: ${p.callbacks.map(mdCode).join(', ')}.`);
  lines.push(...lastBuildLines(view.model, p.object, p.name));
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
  const type = m.kernelType !== m.structType ? `${mdCode(`struct ${m.structType}`)} (kernel type ${mdCode(m.kernelType)})` : mdCode(`struct ${m.structType}`);
  const lines = [`**${mdText(m.name)}** · struct_ops map ${type} · object ${mdCode(m.object)}`, '', mdCode(`SEC("${m.section}")`), ''];
  lines.push(`- ${m.link ? '`.link`: attached through a BPF link' : 'no `.link`: attached without a BPF link (stays registered until the map is freed)'}`);
  lines.push(`- autocreate ${m.autocreate ? 'on' : 'off: the map is not created, its programs are not associated by it'}`);
  lines.push(`- ${m.attached ? 'attached (its programs get associated with it)' : 'never attached: it associates none of its programs'}`);
  const filled = m.slots.filter((s) => s.program !== null);
  lines.push('', `**Slots filled (${filled.length}):**`);
  for (const s of m.slots) {
    const p = view.model.programs.find((q) => q.object === m.object && q.name === s.program);
    const state = p ? ` (${p.association.state === 'auto' || p.association.state === 'poisoned' ? mdText(p.association.state) : label(p.association)})` : '';
    lines.push(`- ${mdCode(`.${s.member}`)} → ${s.program ? `${mdCode(s.program)}${state}` : 'NULL'}${s.origin === 'loader' ? ' — set by the loader' : ''}`);
  }
  const members = membersOf(view, m);
  if (members) {
    const empty = members.members.filter((x) => !filled.some((s) => s.member === x));
    const type = mdCode(`struct ${m.structType}`);
    const from = `function pointers of ${type} as bpftool wrote them into ${fileLink(members.from)}`;
    lines.push(
      '',
      empty.length
        ? `**Left NULL (${empty.length}):** ${empty.map((x) => mdCode(`.${x}`)).join(', ')} — no program runs for ${empty.length === 1 ? 'it' : 'them'} (${from}).`
        : `**Left NULL:** none — every function pointer of ${type} has a program (as bpftool wrote the type into ${fileLink(members.from)}).`,
    );
  } else lines.push('', '_Function pointers left NULL: unknown without the skeleton (`bpftool gen skeleton`) of this object._');
  const programs = programsOfMap(view.model, m);
  const poisoned = programs.filter((p) => p.association.state === 'poisoned').length;
  lines.push('', `**Programs:** ${plural(programs.length, 'program')}${poisoned ? ` · ${poisoned} poisoned` : ''}`);
  const explicit = view.model.associationCalls.filter((c) => c.object === m.object && c.map === m.name);
  for (const c of explicit) lines.push(`- explicit: ${mdCode(c.program ?? '?')} → ${result(c)} — ${at(c.location)}`);
  lines.push(...lastBuildLines(view.model, m.object, m.name));
  return lines.join('\n');
}

/** Where the slot's value was read, when not from the source under the cursor. */
function slotOrigin(view: AnalysisView, m: ModelMap, s: ModelSlot): string | null {
  if (s.origin === 'loader') return 'Set by the loader before load (it replaces the initializer in the source).';
  if (s.origin === 'source') return null;
  const object = view.model.objects.find((o) => o.id === m.object);
  const file = s.origin === 'skeleton' ? object?.skeletons[0] : object?.objectFiles[0];
  const built = s.origin === 'skeleton' ? `the object bpftool embedded in ${file ? fileLink(file) : 'the skeleton'}` : file ? fileLink(file) : 'the compiled object';
  const value = s.program ? `puts ${mdCode(s.program)} here` : 'leaves this slot NULL';
  return `From the build: the relocation in ${built}, which is what libbpf loads, ${value}.`;
}

export function slotHover(view: AnalysisView, m: ModelMap, s: ModelSlot): string {
  const lines = [`**${mdText(`${m.name}.${s.member}`)}** = ${s.program ? mdCode(s.program) : 'NULL'} · slot of struct_ops map ${mdCode(m.name)} (${mdCode(`struct ${m.structType}`)})`];
  const origin = slotOrigin(view, m, s);
  if (origin) lines.push('', origin);
  lines.push(...lastBuildLines(view.model, m.object, `${m.name}.${s.member}`));
  const p = view.model.programs.find((q) => q.object === m.object && q.name === s.program);
  if (p) lines.push('', `Program ${mdCode(p.name)}: ${associationLine(p.association)}`, '', ...runTime(p, true));
  return lines.join('\n').trim();
}

export function callHover(c: ModelAssociationCall): string {
  return [
    `**${mdText(c.api)}** · ${mdCode(c.program ?? '?')} → ${mdCode(c.map ?? '?')}`,
    '',
    `Predicted answer (libbpf 1.7, Linux 7.0+): ${result(c)} — ${mdText(c.predicted.reason)}`,
    '',
    `Lifecycle phase: ${mdText(c.phase)} · flags: ${mdText(String(c.flags))} · object ${mdCode(c.object)}`,
  ].join('\n');
}

export function kfuncHover(p: ModelProgram, k: ModelKfuncCall): string {
  const a = p.association;
  const gets =
    a.state === 'auto' || a.state === 'explicit'
      ? `gets the struct_ops of ${mdCode(a.map)}`
      : a.state === 'poisoned'
        ? 'gets NULL: the association is poisoned'
        : a.state === 'not-loaded'
          ? 'never runs: the program is not loaded'
          : 'gets NULL: the program is not associated';
  return [
    `**${mdText(k.name)}** reads the calling program's struct_ops association`,
    '',
    `Why: ${mdText(k.dependsOnAssociation)}`,
    '',
    `Called from ${mdCode(p.name)}${k.via ? ` via ${mdCode(k.via)}` : ''}: it ${gets}.`,
  ].join('\n');
}
