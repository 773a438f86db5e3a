// Opens a model location (absolute file, 0-based LSP range) in an editor and selects it.
import * as vscode from 'vscode';
import type { Location } from '../../server/src/protocol';

export function toRange(location: Location): vscode.Range {
  const { start, end } = location.range;
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

export async function reveal(location: Location, column?: vscode.ViewColumn): Promise<void> {
  const range = toRange(location);
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(location.file), {
    selection: new vscode.Range(range.start, range.start),
    viewColumn: column,
    preview: true,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
