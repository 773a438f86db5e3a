// The "BPF Associations" tree view. Selecting a map, slot or program reveals it in the
// editor; the tree refreshes whenever the server announces a new model. `bpfAssoc.revealMap`
// (a map's code lens) selects a map in it.
import * as vscode from 'vscode';
import { associationOutline, type OutlineNode } from './associationOutline';
import type { ModelStore } from './modelStore';
import { reveal } from './reveal';

export const VIEW_ID = 'bpfAssoc.associations';

export class AssociationTreeProvider implements vscode.TreeDataProvider<OutlineNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: OutlineNode[] = [];
  private readonly parents = new Map<OutlineNode, OutlineNode>();

  /** What the rows show and do, as text: a model that draws the same tree refreshes nothing. */
  private drawn = '';

  constructor(models: ModelStore) {
    models.onDidChange((snapshot) => {
      const roots = snapshot ? associationOutline(snapshot.model) : [];
      // A refresh makes VS Code forget the view's elements until it asks for them again: a context
      // menu command chosen meanwhile (Run Association on Test VM on an object) gets no element and
      // would ask which object. Most new models (an edit elsewhere, a settings change) draw the same tree.
      const drawn = JSON.stringify(roots);
      if (drawn === this.drawn) return;
      this.drawn = drawn;
      this.setRoots(roots);
      this.changed.fire();
    });
    if (models.current) {
      this.setRoots(associationOutline(models.current.model));
      this.drawn = JSON.stringify(this.roots);
    }
  }

  private setRoots(roots: OutlineNode[]): void {
    this.roots = roots;
    this.parents.clear();
    const walk = (n: OutlineNode): void => {
      for (const c of n.children) {
        this.parents.set(c, n);
        walk(c);
      }
    };
    roots.forEach(walk);
  }

  getChildren(node?: OutlineNode): OutlineNode[] {
    return node ? node.children : this.roots;
  }

  getParent(node: OutlineNode): OutlineNode | undefined {
    return this.parents.get(node);
  }

  /** The node of a struct_ops map (model id `OBJECT/NAME`). */
  mapNode(mapId: string): OutlineNode | undefined {
    const id = `map:${mapId}`;
    const find = (nodes: OutlineNode[]): OutlineNode | undefined => {
      for (const n of nodes) {
        if (n.id === id) return n;
        const below = find(n.children);
        if (below) return below;
      }
      return undefined;
    };
    return find(this.roots);
  }

  getTreeItem(node: OutlineNode): vscode.TreeItem {
    const expanded = node.kind === 'object' || node.kind === 'map' || (node.kind === 'group' && node.problem);
    const item = new vscode.TreeItem(
      node.label,
      node.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.kind;
    item.iconPath = node.problem
      ? new vscode.ThemeIcon(node.icon, new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon(node.icon);
    if (node.location && node.kind !== 'object' && node.kind !== 'group') {
      item.command = { command: 'bpfAssoc.reveal', title: 'Reveal in Editor', arguments: [node.location] };
    }
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function activate(ctx: vscode.ExtensionContext, models: ModelStore): AssociationTreeProvider {
  const provider = new AssociationTreeProvider(models);
  // An empty tree shows package.json's viewsWelcome for the state (workspaceContext.ts).
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  ctx.subscriptions.push(
    provider,
    view,
    vscode.commands.registerCommand('bpfAssoc.reveal', (location: Parameters<typeof reveal>[0]) => reveal(location)),
    // A map's code lens: the map, selected and expanded, in this view.
    vscode.commands.registerCommand('bpfAssoc.revealMap', async (mapId: unknown) => {
      const node = typeof mapId === 'string' ? provider.mapNode(mapId) : undefined;
      if (!node) return;
      await view.reveal(node, { select: true, focus: true, expand: true });
    }),
  );
  return provider;
}
