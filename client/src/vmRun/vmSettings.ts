// The bpfAssoc.vm.* settings, read when a run starts (never cached): the configured targets,
// validated by the API's parseTargets (bad entries are dropped and reported), and the kernel
// image for the built-in "local" target.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { VmTarget } from '../../../remote/src/index';
import type { VmEngine } from './engine';
import type { BuiltinTarget } from './targetChoice';

export interface VmSettings {
  targets: VmTarget[];
  problems: string[];
  localKernel: string | undefined;
}

export function readVmSettings(engine: VmEngine): VmSettings {
  const config = vscode.workspace.getConfiguration('bpfAssoc.vm');
  const parsed = engine.parseTargets(config.get<unknown>('targets') ?? []);
  const localKernel = config.get<string>('localKernel')?.trim() || undefined;
  return { targets: parsed.targets, problems: parsed.problems.map((p) => p.message), localKernel };
}

/** The built-in targets, and whether `npm run vm:setup` prepared them. */
export function builtinTargets(engine: VmEngine, localKernel: string | undefined): BuiltinTarget[] {
  const cache = engine.vmCacheDir();
  const keys = [join(cache, 'keys', 'client_ed25519'), join(cache, 'keys', 'known_hosts')];
  return engine.builtinImages(cache).map((image) => {
    const kernel = image.name === 'local' && localKernel ? localKernel : image.kernel;
    const initrds = image.name === 'local' && localKernel ? [join(cache, 'initramfs.cpio.gz')] : image.initrds;
    return {
      name: image.name,
      description: image.name === 'local' && localKernel ? `${localKernel} in qemu` : image.description,
      ready: [kernel, ...initrds, ...keys].every((f) => existsSync(f)),
    };
  });
}

/** Says which configured targets were dropped, without holding up the run. */
export async function reportSettingsProblems(problems: string[]): Promise<void> {
  if (!problems.length) return;
  const choice = await vscode.window.showWarningMessage(`bpfAssoc.vm.targets: ${problems.join('; ')}`, 'Open Settings');
  if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'bpfAssoc.vm.targets');
}
