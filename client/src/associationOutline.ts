// The tree shown in the "struct_ops associations" view, computed from the workspace model:
// objects → struct_ops maps → slots → programs, plus per-object groups of poisoned,
// explicitly associated and unassociated programs. Pure (no vscode), so it is unit-tested.
import type { AssociationState, Location, ModelMap, ModelObject, ModelProgram, WorkspaceModel } from '../../server/src/protocol';

/** The object's build, when it is behind the saved sources or still differs after a rebuild (not while typing). */
function buildDescription(o: ModelObject): string {
  return o.build?.state === 'behind' ? ' · build behind sources' : o.build?.state === 'disagrees' ? ' · build differs' : '';
}

/** What the object's last build says against the sources. */
function buildTooltip(o: ModelObject): string {
  const b = o.build;
  if (!b || b.state === 'current') return '';
  const files = b.outputs.map((f) => f.split('/').pop()).join(', ');
  const differs = b.differences.length ? `; it differs in ${b.differences.length} place${b.differences.length === 1 ? '' : 's'}: ${b.differences.slice(0, 3).map((d) => d.message).join('; ')}` : '';
  if (b.state === 'editing') return `\nlast build (${files}), before your unsaved edits${differs}`;
  if (b.state === 'behind') return `\nlast build (${files}), older than the saved sources: rebuild${differs}`;
  return `\nbuild (${files}) made after the sources were saved${differs}`;
}

export type OutlineKind = 'object' | 'map' | 'slot' | 'program' | 'group';

export interface OutlineNode {
  /** Stable across model versions, so the tree keeps its expansion state. */
  id: string;
  kind: OutlineKind;
  label: string;
  description: string;
  tooltip: string;
  /** A codicon name; `warning` marks poisoned programs and maps that hold them. */
  icon: string;
  problem: boolean;
  location?: Location;
  children: OutlineNode[];
}

export function describeAssociation(a: AssociationState): string {
  switch (a.state) {
    case 'auto':
      return `auto · ${a.map}`;
    case 'explicit':
      return `explicit · ${a.map}`;
    case 'poisoned':
      return `poisoned · ${a.maps.join(', ')}`;
    case 'rejected':
      return `rejected · ${a.errno}`;
    case 'not-loaded':
      return 'not loaded';
    case 'none':
      return 'not associated';
  }
}

function associationDetail(a: AssociationState): string {
  switch (a.state) {
    case 'auto':
      return `Associated automatically with ${a.map} when the map is attached.`;
    case 'explicit':
      return `Associated explicitly with ${a.map} (bpf_prog_assoc_struct_ops).`;
    case 'poisoned':
      return `Poisoned: it fills slots of ${a.maps.join(' and ')}, so the kernel gives it no usable association at run time.`;
    case 'rejected':
      return `The association call fails with ${a.errno}: ${a.reason}.`;
    case 'not-loaded':
      return `Not loaded: ${a.reason}.`;
    case 'none':
      return `Not associated: ${a.reason}.`;
  }
}

/** Where a slot's value was read, in the words of someone who builds BPF objects. */
export function slotOrigin(origin: ModelMap['slots'][number]['origin']): string {
  switch (origin) {
    case 'source':
      return 'As written in the source.';
    case 'object':
      return 'From the build: the compiled object (.bpf.o) says so.';
    case 'skeleton':
      return 'From the build: the object bpftool embedded in the skeleton (what libbpf loads) says so.';
    case 'loader':
      return 'Set by the loader before the load (it replaces the initializer in the source).';
  }
}

function programNode(p: ModelProgram, idPrefix: string): OutlineNode {
  const poisoned = p.association.state === 'poisoned';
  return {
    id: `${idPrefix}/program:${p.id}`,
    kind: 'program',
    label: p.name,
    description: describeAssociation(p.association),
    tooltip: `SEC("${p.section}") ${p.name}\n${associationDetail(p.association)}`,
    icon: poisoned || p.association.state === 'rejected' ? 'warning' : 'symbol-function',
    problem: poisoned || p.association.state === 'rejected',
    location: p.location,
    children: [],
  };
}

function mapNode(m: ModelMap, programs: Map<string, ModelProgram>): OutlineNode {
  const slots: OutlineNode[] = m.slots.map((s) => {
    const program = s.program === null ? undefined : programs.get(`${m.object}/${s.program}`);
    const id = `map:${m.id}/slot:${s.member}`;
    return {
      id,
      kind: 'slot',
      label: `.${s.member}`,
      description: s.program === null ? 'NULL' : `→ ${s.program}`,
      tooltip: `${m.name}.${s.member} = ${s.program ?? 'NULL'}\n${slotOrigin(s.origin)}`,
      icon: 'symbol-field',
      problem: program?.association.state === 'poisoned',
      location: s.location,
      children: program ? [programNode(program, id)] : [],
    };
  });
  const problem = slots.some((s) => s.problem);
  const filled = m.slots.filter((s) => s.program !== null).length;
  return {
    id: `map:${m.id}`,
    kind: 'map',
    label: m.name,
    description: `${m.structType}${m.link ? ' · link' : ''} · ${filled} slot${filled === 1 ? '' : 's'}${m.autocreate ? '' : ' · not created'}`,
    tooltip: `struct ${m.structType} ${m.name} in SEC("${m.section}")\n${m.autocreate ? 'created' : 'not created (autocreate off)'}, ${m.attached ? 'attached by a loader run' : 'never attached'}`,
    icon: problem ? 'warning' : 'symbol-struct',
    problem,
    location: m.location,
    children: slots,
  };
}

function group(objectId: string, name: string, label: string, icon: string, problem: boolean, members: ModelProgram[]): OutlineNode[] {
  if (members.length === 0) return [];
  const id = `object:${objectId}/group:${name}`;
  return [
    {
      id,
      kind: 'group',
      label,
      description: String(members.length),
      tooltip: `${label}: ${members.map((p) => p.name).join(', ')}`,
      icon,
      problem,
      children: members.map((p) => programNode(p, id)),
    },
  ];
}

export function associationOutline(model: WorkspaceModel): OutlineNode[] {
  const programs = new Map(model.programs.map((p) => [p.id, p]));
  return model.objects.map((o) => {
    const own = model.programs.filter((p) => p.object === o.id);
    const maps = model.maps.filter((m) => m.object === o.id).map((m) => mapNode(m, programs));
    const poisoned = own.filter((p) => p.association.state === 'poisoned');
    const explicit = own.filter((p) => p.association.state === 'explicit');
    const unassociated = own.filter((p) => ['none', 'rejected', 'not-loaded'].includes(p.association.state));
    const children = [
      ...maps,
      ...group(o.id, 'poisoned', 'Poisoned programs', 'warning', true, poisoned),
      ...group(o.id, 'explicit', 'Explicitly associated programs', 'link', false, explicit),
      ...group(o.id, 'unassociated', 'Unassociated programs', 'circle-slash', false, unassociated),
    ];
    const counts = `${maps.length} map${maps.length === 1 ? '' : 's'} · ${own.length} program${own.length === 1 ? '' : 's'}${poisoned.length ? ` · ${poisoned.length} poisoned` : ''}`;
    return {
      id: `object:${o.id}`,
      kind: 'object',
      label: o.id,
      description: `${o.loadFails ? `${counts} · load fails` : counts}${buildDescription(o)}`,
      tooltip: `BPF object ${o.id}\nsources: ${o.sources.join(', ') || '—'}\nloaders: ${o.loaders.join(', ') || 'none (assumed lifecycle)'}\nslots and programs taken from: ${o.truth}${buildTooltip(o)}`,
      icon: 'package',
      problem: o.loadFails || poisoned.length > 0,
      location: o.sources[0] !== undefined ? { file: o.sources[0], range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } : undefined,
      children,
    };
  });
}
