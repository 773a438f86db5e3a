// The association graph page: receives the graph from the extension, lays it out with ELK
// (layered, maps on the left, programs on the right, one box per BPF object) and draws SVG.
// Colours come from VS Code's theme variables (media/graph.css). Clicking a node, or Enter on
// a focused one, asks the extension to reveal it in the editor.
import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { AssociationGraph, GraphEdge, GraphNode } from '../src/graph/associationGraph';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const elk = new ELK();
const SVG = 'http://www.w3.org/2000/svg';
const LINE = 16;
const PAD = 8;
let drawing = 0;
let last: { graph: AssociationGraph; version: number; indexing: boolean } | undefined;

const canvas = document.createElement('canvas').getContext('2d');
function textWidth(text: string, font: string): number {
  if (!canvas) return text.length * 7;
  canvas.font = font;
  return canvas.measureText(text).width;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

function nodeLines(n: GraphNode): string[] {
  return [n.label, n.detail];
}

/** Shrinks the drawing to the panel's width, but not below 60% (then the graph scrolls). */
function fit(svg: SVGSVGElement, width: number, height: number): void {
  const host = document.getElementById('graph') as HTMLElement;
  const scale = Math.min(1, Math.max(0.6, host.clientWidth / Math.max(width, 1)));
  svg.setAttribute('width', String(Math.round(width * scale)));
  svg.setAttribute('height', String(Math.round(height * scale)));
}

async function layout(graph: AssociationGraph): Promise<ElkNode> {
  const style = getComputedStyle(document.body);
  const font = `${style.fontSize} ${style.fontFamily}`;
  // The name is drawn bold (graph.css: font-weight 600), the detail in the normal weight.
  const size = (n: GraphNode) => ({
    width: Math.ceil(Math.max(textWidth(n.label, `600 ${font}`), textWidth(n.detail, font))) + 2 * PAD + (n.poisoned ? 18 : 0),
    height: nodeLines(n).length * LINE + 2 * PAD,
  });
  const edges: ElkExtendedEdge[] = graph.edges.map((e) => ({
    id: e.id,
    sources: [e.source],
    targets: [e.target],
    labels: [{ text: e.label, width: textWidth(e.label, font) + 4, height: LINE }],
  }));
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.spacing.nodeNode': '18',
      'elk.edgeLabels.inline': 'false',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
      // Node positions relative to their object box; edge routes and labels in root coordinates.
      'elk.json.shapeCoords': 'PARENT',
      'elk.json.edgeCoords': 'ROOT',
    },
    children: graph.objects.map((o) => ({
      id: `object:${o.id}`,
      labels: [{ text: o.label, width: textWidth(o.label, `bold ${font}`), height: LINE }],
      layoutOptions: { 'elk.padding': '[top=32,left=14,bottom=14,right=14]', 'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT' },
      children: graph.nodes.filter((n) => n.object === o.id).map((n) => ({ id: n.id, ...size(n) })),
    })),
    edges,
  };
  return elk.layout(root);
}

function drawEdge(svg: SVGSVGElement, edge: ElkExtendedEdge, info: GraphEdge): void {
  const g = el('g', { class: `edge ${info.kind}${info.problem ? ' problem' : ''}`, 'data-edge': info.id }, svg);
  for (const s of edge.sections ?? []) {
    const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
    el('path', { d: points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' '), 'marker-end': `url(#arrow-${info.kind})` }, g);
  }
  for (const l of edge.labels ?? []) {
    const t = el('text', { x: (l.x ?? 0) + 2, y: (l.y ?? 0) + LINE - 4 }, g);
    t.textContent = l.text ?? '';
  }
}

function drawNode(svg: SVGSVGElement, box: ElkNode, node: GraphNode, dx: number, dy: number): void {
  const classes = ['node', node.kind, node.poisoned ? 'poisoned' : '', node.unassociated ? 'unassociated' : ''].filter(Boolean).join(' ');
  const g = el('g', { class: classes, 'data-node': node.id, tabindex: 0, role: 'button', transform: `translate(${dx + (box.x ?? 0)},${dy + (box.y ?? 0)})` }, svg);
  const title = el('title', {}, g);
  title.textContent = `${node.kind === 'map' ? 'struct_ops map' : 'program'} ${node.label}: ${node.detail} — click to reveal`;
  el('rect', { width: box.width ?? 0, height: box.height ?? 0, rx: node.kind === 'program' ? 8 : 2 }, g);
  nodeLines(node).forEach((line, i) => {
    const t = el('text', { x: PAD, y: PAD + (i + 1) * LINE - 4, class: i === 0 ? 'name' : 'detail' }, g);
    t.textContent = line;
  });
  if (node.poisoned) {
    const mark = el('text', { x: (box.width ?? 0) - PAD - 12, y: PAD + LINE - 4, class: 'mark' }, g);
    mark.textContent = '⚠';
  }
  const open = () => vscode.postMessage({ type: 'reveal', location: node.location });
  g.addEventListener('click', open);
  g.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') open();
  });
}

async function render(graph: AssociationGraph, version: number, indexing: boolean): Promise<void> {
  const mine = ++drawing;
  const started = performance.now();
  const host = document.getElementById('graph') as HTMLElement;
  const summary = document.getElementById('summary') as HTMLElement;
  const poisoned = graph.nodes.filter((n) => n.kind === 'program' && n.poisoned).length;
  const programs = graph.nodes.filter((n) => n.kind === 'program').length;
  summary.textContent = `${graph.objects.length} objects · ${graph.nodes.length - programs} struct_ops maps · ${programs} programs · ${poisoned} poisoned${indexing ? ' · indexing…' : ''}`;
  const laid = await layout(graph);
  if (mine !== drawing) return;
  const width = Math.ceil(laid.width ?? 0);
  const height = Math.ceil(laid.height ?? 0);
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, 'data-width': width, 'data-height': height, role: 'img', 'aria-label': summary.textContent });
  const defs = el('defs', {}, svg);
  for (const kind of ['slot', 'explicit']) {
    const marker = el('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse', class: `arrow ${kind}` }, defs);
    el('path', { d: 'M0,0 L10,5 L0,10 z' }, marker);
  }
  // Object boxes first, then edges, then nodes on top.
  for (const box of laid.children ?? []) {
    const g = el('g', { class: 'object', transform: `translate(${box.x ?? 0},${box.y ?? 0})` }, svg);
    el('rect', { width: box.width ?? 0, height: box.height ?? 0, rx: 4 }, g);
    const label = el('text', { x: 12, y: 20, class: 'name' }, g);
    label.textContent = box.labels?.[0]?.text ?? '';
  }
  const edgeInfo = new Map(graph.edges.map((e) => [e.id, e]));
  for (const edge of laid.edges ?? []) {
    const info = edgeInfo.get(edge.id);
    if (info) drawEdge(svg, edge, info);
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const box of laid.children ?? []) {
    for (const child of box.children ?? []) {
      const node = byId.get(child.id);
      if (node) drawNode(svg, child, node, box.x ?? 0, box.y ?? 0);
    }
  }
  if (graph.nodes.length === 0) host.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'No struct_ops maps or programs in this workspace.' }));
  else host.replaceChildren(svg);
  fit(svg, width, height);
  const nodes = [...host.querySelectorAll('[data-node]')].map((n) => n.getAttribute('data-node') ?? '');
  vscode.postMessage({ type: 'rendered', version, nodes, layoutMs: performance.now() - started });
}

function draw(): void {
  if (!last) return;
  render(last.graph, last.version, last.indexing).catch((err: unknown) =>
    vscode.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
}

window.addEventListener('message', (event: MessageEvent<{ type: string; graph: AssociationGraph; version: number; indexing: boolean }>) => {
  if (event.data.type !== 'graph') return;
  last = event.data;
  draw();
});
window.addEventListener('resize', () => {
  const svg = document.querySelector<SVGSVGElement>('#graph svg');
  if (svg) fit(svg, Number(svg.dataset.width), Number(svg.dataset.height));
});
vscode.postMessage({ type: 'ready' });
