// Which BPF object a VM run takes: from the command's argument (the code lens passes the object
// id, the tree view its object node), else a quick pick of the objects that have a compiled form.
// Pure (no vscode), so it is unit-tested.
import type { ModelObject, WorkspaceModel } from '../../../server/src/protocol';

/** An object can run once there is something to ship: a .bpf.o or a bpftool skeleton. */
export function isRunnable(o: ModelObject): boolean {
  return o.skeletons.length > 0 || o.objectFiles.length > 0;
}

/**
 * The object id in a command argument: a string (code lens, other callers), or a node of the
 * association tree (`object:ID`, `map:ID/NAME`, or anything below an object).
 */
export function objectIdFromArgument(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg || undefined;
  if (typeof arg !== 'object' || arg === null || !('id' in arg) || typeof arg.id !== 'string') return undefined;
  const m = /^(?:object|map):([^/]+)/.exec(arg.id);
  return m?.[1];
}

/** Why the object cannot run, in words that say what to do; null when it can. */
export function notRunnableReason(model: WorkspaceModel, id: string): string | null {
  const o = model.objects.find((x) => x.id === id);
  if (!o) return `There is no BPF object "${id}" in the workspace (any more).`;
  if (!isRunnable(o)) return `${id} has no compiled form in the workspace: build ${id}.bpf.o (clang -target bpf) or its skeleton (bpftool gen skeleton) first.`;
  return null;
}

export interface ObjectItem {
  label: string;
  description: string;
  detail: string;
  objectId: string;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Runnable objects for a quick pick; the one whose source is `activeFile` comes first. */
export function objectItems(model: WorkspaceModel, activeFile?: string): ObjectItem[] {
  const first = (o: ModelObject): boolean => activeFile !== undefined && (o.sources.includes(activeFile) || o.loaders.includes(activeFile));
  const runnable = model.objects.filter(isRunnable);
  return [...runnable.filter(first), ...runnable.filter((o) => !first(o))].map((o) => {
    const maps = model.maps.filter((m) => m.object === o.id).length;
    const programs = model.programs.filter((p) => p.object === o.id).length;
    const calls = model.associationCalls.filter((c) => c.object === o.id).length;
    const shipped = o.skeletons[0] ?? o.objectFiles[0] ?? '';
    return {
      label: o.id,
      description: `${maps} struct_ops map${maps === 1 ? '' : 's'} · ${programs} program${programs === 1 ? '' : 's'} · ${calls} association call${calls === 1 ? '' : 's'}`,
      detail: `ships ${basename(shipped)}${o.loaders.length ? ` · replays ${o.loaders.map(basename).join(', ')}` : ' · no loader (assumed lifecycle)'}`,
      objectId: o.id,
    };
  });
}
