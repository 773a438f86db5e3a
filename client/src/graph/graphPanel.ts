// The association graph webview: one panel, fed the graph whenever the model changes. The page
// (dist/graph.js, media/graph.css) lays it out with ELK and draws SVG; clicking a node reveals
// it in the editor. Strict content security policy: only our script (by nonce) and stylesheet.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Location } from '../../../server/src/protocol';
import type { ModelStore } from '../modelStore';
import { reveal } from '../reveal';
import { pageHead } from '../webviewPage';
import { associationGraph } from './associationGraph';

/** What the page reports after drawing: the ids of the nodes in its DOM. */
export interface GraphRendered {
  version: number;
  nodes: string[];
  layoutMs: number;
}

type FromPage = { type: 'ready' } | { type: 'reveal'; location: Location } | ({ type: 'rendered' } & GraphRendered) | { type: 'error'; message: string };

export class GraphPanel implements vscode.Disposable {
  static readonly viewType = 'bpfAssoc.graph';
  private panel: vscode.WebviewPanel | undefined;
  private readonly rendered = new vscode.EventEmitter<GraphRendered>();
  readonly onDidRender = this.rendered.event;
  private readonly subscriptions: vscode.Disposable[] = [this.rendered];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelStore,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(models.onDidChange(() => this.post()));
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')];
    const panel = vscode.window.createWebviewPanel(
      GraphPanel.viewType,
      'struct_ops association graph',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: roots, retainContextWhenHidden: true },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity.svg');
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => (this.panel = undefined), null, this.subscriptions);
    panel.webview.onDidReceiveMessage((m: FromPage) => this.receive(m), null, this.subscriptions);
    this.panel = panel;
  }

  private receive(message: FromPage): void {
    switch (message.type) {
      case 'ready':
        this.post();
        break;
      case 'reveal': {
        // Into the editor group beside the graph, so the graph stays in view.
        const column = this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
        void reveal(message.location, column);
        break;
      }
      case 'rendered':
        this.output.info(`graph: drew ${message.nodes.length} nodes (model v${message.version}) in ${message.layoutMs.toFixed(0)} ms`);
        this.rendered.fire({ version: message.version, nodes: message.nodes, layoutMs: message.layoutMs });
        break;
      case 'error':
        this.output.error(`graph: ${message.message}`);
        break;
    }
  }

  private post(): void {
    const snapshot = this.models.current;
    if (!this.panel || !snapshot) return;
    void this.panel.webview.postMessage({ type: 'graph', version: snapshot.version, indexing: snapshot.indexing, graph: associationGraph(snapshot.model) });
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'graph.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'graph.css'));
    return `${pageHead({ cspSource: webview.cspSource, styleUri: style.toString(), title: 'struct_ops association graph', scriptNonce: nonce })}
<body>
<header id="summary" aria-live="polite">Waiting for the workspace model…</header>
<ul id="legend" aria-label="Legend">
<li><span class="swatch map"></span>struct_ops map</li>
<li><span class="swatch program"></span>program</li>
<li><span class="swatch poisoned"></span>poisoned</li>
<li><span class="swatch unassociated"></span>not associated</li>
<li><span class="line slot"></span>slot</li>
<li><span class="line explicit"></span>explicit association</li>
</ul>
<main id="graph" aria-label="Association graph"></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

export function activate(ctx: vscode.ExtensionContext, models: ModelStore, output: vscode.LogOutputChannel): GraphPanel {
  const graph = new GraphPanel(ctx.extensionUri, models, output);
  ctx.subscriptions.push(graph, vscode.commands.registerCommand('bpfAssoc.showGraph', () => graph.show()));
  return graph;
}
