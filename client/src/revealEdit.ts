// A quick fix that edits another file (the association call added to the loader, autoload turned
// off there) runs this command after its edit: the editor shows that file with the added code
// selected, so the change is seen, and saved, where it was made. The server sends LSP types.
import * as vscode from 'vscode';
import type { LanguageClient, Range } from 'vscode-languageclient/node';

export const REVEAL_EDIT_COMMAND = 'bpfAssoc.revealEdit';

function isRange(x: unknown): x is Range {
  const r = x as Partial<Range> | undefined;
  const position = (p: unknown): boolean => typeof (p as { line?: unknown })?.line === 'number' && typeof (p as { character?: unknown })?.character === 'number';
  return position(r?.start) && position(r?.end);
}

export function activate(ctx: vscode.ExtensionContext, client: LanguageClient): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand(REVEAL_EDIT_COMMAND, async (uri: unknown, range: unknown) => {
      if (typeof uri !== 'string' || !isRange(range)) return;
      const c = client.protocol2CodeConverter;
      const selection = c.asRange(range);
      const editor = await vscode.window.showTextDocument(c.asUri(uri), { selection, preview: false });
      editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
  );
}
