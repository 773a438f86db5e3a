// The "predicted vs observed" webview: one panel, showing the latest run. The page has no script;
// its links are command URIs allowed one by one: reveal a row's location (beside the panel) and
// show the transcript.
import * as vscode from 'vscode';
import type { Location } from '../../../server/src/protocol';
import { reveal } from '../reveal';
import { reportHtml, TRANSCRIPT_COMMAND } from './reportHtml';
import type { ReportView } from './reportView';

/** What the page's row links run: reveal in the editor group that is not the panel's. */
const PANEL_REVEAL_COMMAND = 'bpfAssoc.vmReport.reveal';

export class VmReportPanel implements vscode.Disposable {
  static readonly viewType = 'bpfAssoc.vmReport';
  private panel: vscode.WebviewPanel | undefined;
  private shown: ReportView | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<ReportView>();
  /** Fires whenever the panel shows a run (tests wait on it). */
  readonly onDidShow = this.changed.event;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.subscriptions.push(
      this.changed,
      vscode.commands.registerCommand(PANEL_REVEAL_COMMAND, (location: Location) => {
        const column = this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
        return reveal(location, column);
      }),
    );
  }

  /** The run the panel shows, if it is open. */
  get current(): ReportView | undefined {
    return this.panel ? this.shown : undefined;
  }

  show(view: ReportView, preserveFocus = true): void {
    if (!this.panel) {
      const media = vscode.Uri.joinPath(this.extensionUri, 'media');
      this.panel = vscode.window.createWebviewPanel(VmReportPanel.viewType, view.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, {
        enableScripts: false,
        enableCommandUris: [PANEL_REVEAL_COMMAND, TRANSCRIPT_COMMAND],
        localResourceRoots: [media],
        enableFindWidget: true,
      });
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity.svg');
      this.panel.onDidDispose(() => (this.panel = undefined), null, this.subscriptions);
    } else {
      this.panel.reveal(undefined, preserveFocus);
    }
    this.panel.title = view.title;
    const webview = this.panel.webview;
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'vmReport.css'));
    // The page's reveal links go through the panel's own command (it picks the editor group).
    webview.html = reportHtml(view, { cspSource: webview.cspSource, styleUri: style.toString(), revealCommand: PANEL_REVEAL_COMMAND });
    this.shown = view;
    this.changed.fire(view);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
