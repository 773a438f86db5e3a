// The VM run as one call, for the CLI and the VS Code extension: plan from the model, boot the
// built-in VMs asked for, run on every target in parallel, stop the VMs, and line the results up
// side by side (one column per target).
import { readFileSync } from 'node:fs';
import type { WorkspaceModel } from '../../server/src/analysis/model';
import { throwIfCancelled, VmError } from './errors';
import { builtinImages, customImage, LocalVm, vmCacheDir, type VmImage } from './localVm';
import { buildLoader, type LoaderChoice } from './loaderBuild';
import { buildPlan, type PlanOptions, type VmPlan } from './plan';
import { sideBySide, type ResultRow, type TargetResult } from './results';
import { runPlanOnTarget, type RunOptions } from './run';
import { shippedBytes } from './shipped';
import type { VmTarget } from './targets';

export { buildPlan, type PlanOptions, type VmPlan } from './plan';
export { parseTargets, type VmTarget } from './targets';
export { formatTable, sideBySide, vmDiagnostics, type ResultRow, type TargetResult, type Verdict, type VmDiagnostic } from './results';
export { builtinImages, LocalVm, vmCacheDir, type VmImage } from './localVm';
export { KERNEL_LACKS_COMMAND, VmError } from './errors';

export interface VmRunRequest {
  model: WorkspaceModel;
  objectId: string;
  planOptions?: PlanOptions;
  /** A workspace file's bytes (the editor's buffer or the disk), or null when it cannot be read. */
  readFile: (path: string) => Uint8Array | null;
  /** Configured targets (bpfAssoc.vm.targets). */
  targets: VmTarget[];
  /** Built-in targets to boot for this run, by name ("local"). */
  builtin: string[];
  /** A kernel image for the built-in "local" target instead of Debian's (bpfAssoc.vm.localKernel). */
  localKernel?: string;
  signal?: AbortSignal;
  onProgress?: RunOptions['onProgress'];
  onTranscript?: RunOptions['onTranscript'];
  hold?: RunOptions['hold'];
  observe?: RunOptions['observe'];
  cacheDir?: string;
  /** Replay the plan even where the workspace's C loader could run (default: run the loader). */
  replayPlan?: boolean;
  /** Seconds a loader may run before it is stopped with SIGINT (default 15). */
  loaderBudget?: number;
}

export interface VmRunResults {
  schema: 'bpf-assoc-vm-run';
  version: 1;
  object: string;
  plan: VmPlan;
  targets: TargetResult[];
  rows: ResultRow[];
}

export function builtinTargetNames(cache = vmCacheDir()): string[] {
  return builtinImages(cache).map((i) => i.name);
}

function imageFor(name: string, req: VmRunRequest, cache: string): VmImage {
  if (name === 'local' && req.localKernel) return customImage(req.localKernel, cache);
  const image = builtinImages(cache).find((i) => i.name === name);
  if (!image) throw new VmError('vm-setup-missing', `no built-in target "${name}" (built-in: ${builtinTargetNames(cache).join(', ')})`);
  return image;
}

/** Boots a built-in VM, runs the plan on it and stops it; failures come back as a TargetResult. */
async function runOnBuiltin(name: string, plan: VmPlan, object: Uint8Array, req: VmRunRequest & { loader: LoaderChoice }, cache: string): Promise<TargetResult> {
  const started = Date.now();
  let vm: LocalVm | null = null;
  try {
    req.onProgress?.(name, 'booting');
    throwIfCancelled(req.signal, 'booting');
    vm = await LocalVm.start(imageFor(name, req, cache), { signal: req.signal, cache, log: (l) => req.onTranscript?.(name, l) });
    req.onTranscript?.(name, `VM booted with ${vm.accel} in ${vm.bootMs} ms; ssh on 127.0.0.1:${vm.port}`);
    return await runPlanOnTarget(plan, object, vm.target({ name }), { ...req, cacheDir: cache, bootMs: vm.bootMs });
  } catch (e) {
    const err = e instanceof VmError ? e : new VmError('vm-boot-failed', (e as Error).message);
    const cancelled = req.signal?.aborted ?? false;
    return {
      target: name,
      destination: 'qemu',
      status: cancelled ? 'cancelled' : 'error',
      message: cancelled ? 'Cancelled.' : err.message,
      error: { kind: cancelled ? 'cancelled' : err.kind, message: err.message, detail: err.detail },
      notes: [],
      timings: { totalMs: Date.now() - started },
      transcript: [],
    };
  } finally {
    await vm?.stop();
  }
}

/** Whether the editor's text of a file differs from the file on disk (the compiler reads the disk). */
function unsaved(req: VmRunRequest, file: string): boolean {
  const seen = req.readFile(file);
  try {
    return seen !== null && !Buffer.from(seen).equals(readFileSync(file));
  } catch {
    return false;
  }
}

/** The workspace's C loader built once for every target, or why the plan is replayed instead. */
async function loaderForRun(req: VmRunRequest, plan: VmPlan): Promise<LoaderChoice> {
  if (req.replayPlan) return { kind: 'replayed', file: plan.loader, why: 'replaying the plan was asked for' };
  try {
    return await buildLoader(req.model, plan, req.signal);
  } catch (e) {
    return { kind: 'replayed', file: plan.loader, why: (e as Error).message };
  }
}

/** Runs one object's associations on every target and returns the results side by side. */
export async function runAssociationOnTargets(req: VmRunRequest): Promise<VmRunResults> {
  const cache = req.cacheDir ?? vmCacheDir();
  const plan = buildPlan(req.model, req.objectId, req.planOptions);
  const object = shippedBytes(plan, req.readFile);
  const loader = await loaderForRun(req, plan);
  if (loader.kind === 'executed' && unsaved(req, loader.binary.file)) plan.notes.unshift(`${loader.binary.file} has changes that are not saved: the loader was built from the file on disk.`);
  if (loader.kind === 'executed') plan.notes.unshift(`The loader ${loader.binary.file.slice(loader.binary.file.lastIndexOf('/') + 1)} is built against libbpf ${loader.binary.libbpf} and run on each target that suits it (each target says whether it ran); the rows are the analysis's predictions beside what it really did.`);
  else plan.notes.unshift(`The plan is replayed: ${loader.why}.`);
  const runs = [
    ...req.builtin.map((name) => runOnBuiltin(name, plan, object, { ...req, loader }, cache)),
    ...req.targets.map((t) => runPlanOnTarget(plan, object, t, { ...req, loader, cacheDir: cache })),
  ];
  const targets = await Promise.all(runs);
  return { schema: 'bpf-assoc-vm-run', version: 1, object: plan.object, plan, targets, rows: sideBySide(plan, targets) };
}
