// The VM run's engine (remote/src/index.ts, bundled as dist/vm.js) is loaded on first use, not at
// activation: it brings the ssh transport, qemu control and the skeleton decoder (with the
// tree-sitter runtime), which the editor does not need until a run starts.
import type * as vscode from 'vscode';

export type VmEngine = typeof import('../../../remote/src/index');

let engine: VmEngine | undefined;

export function loadEngine(ctx: vscode.ExtensionContext): VmEngine {
  // A computed path, so esbuild leaves this require to run time (a bundled import would load it at activation).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  engine ??= require(ctx.asAbsolutePath(['dist', 'vm.js'].join('/'))) as VmEngine;
  return engine;
}
