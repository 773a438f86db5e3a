// What the end-to-end suite asks of an editor. Two implementations drive a real VS Code:
// browser/browserDriver.ts (code-server in Chromium through playwright-core: the UI, as a person
// uses it) and electron/apiDriver.ts (the VS Code API inside @vscode/test-electron). The suite
// (suite/*.test.ts) only talks to this interface. Every method waits on the editor with a
// timeout; none sleeps a fixed time.

/** 1-based, as the editor shows them. */
export interface Position {
  line: number;
  column: number;
}

export interface Problem {
  /** The file's base name. */
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
  /** `bpf-assoc` (the language server) or `bpf-assoc VM` (results of a VM run). */
  source: string;
}

/** How a VM run is started: the code lens above a struct_ops map, or the tree view's object. */
export type VmRunFrom = { codeLens: { file: string; line: number } } | { treeObject: string };

/** The "predicted vs observed" view of a VM run, as it reads. */
export interface VmReport {
  /** Column headings after "predicted": target names (and kernels). */
  columns: string[];
  rows: { key: string; label: string; predicted: string; observed: string[] }[];
  /** The target cards above the table: status, message, notes, timings. */
  targets: string[];
  /** The line under the title: what was shipped and run, when it finished and how long it took. */
  plan: string;
}

export interface EditorDriver {
  readonly name: string;
  /** Waits until the extension is active and has shown the first model; returns what it measured. */
  waitForActivation(): Promise<{ activationMs: number | null; firstDiagnosticsMs: number | null }>;
  /**
   * Waits until the problems include (or, with `present` false, no longer include) `code`.
   * `filter` narrows the Problems view first (its filter box), where many problems would not fit.
   */
  waitForProblem(code: string, present?: boolean, filter?: string): Promise<Problem[]>;
  /** Opens a workspace file (relative path) with the cursor at `at`. */
  open(file: string, at?: Position): Promise<void>;
  hover(file: string, at: Position): Promise<string>;
  /** The code lens texts shown around `line`. */
  codeLenses(file: string, line: number): Promise<string[]>;
  /** Runs Go to Definition at `at` and returns where the cursor lands. */
  goToDefinition(file: string, at: Position): Promise<{ file: string; line: number }>;
  /** Applies the quick fix whose title matches, offered at `at`. */
  applyQuickFix(file: string, at: Position, title: RegExp): Promise<string>;
  /** Saves every editor (File: Save All). */
  saveAll(): Promise<void>;
  /** The labels of the association tree's rows (as far as they are expanded). */
  treeLabels(): Promise<string[]>;
  /** Opens the graph and returns the ids of the nodes drawn in the webview. */
  showGraph(): Promise<string[]>;
  /** Clicks a graph node and returns where the editor's cursor lands. */
  clickGraphNode(id: string): Promise<{ file: string; line: number }>;
  /** The titles of the palette's commands that match `query`. */
  paletteCommands(query: string): Promise<string[]>;
  statusBarText(): Promise<string>;
  /**
   * Starts "Run Association on Test VM" and ticks exactly `targets` in its quick pick. Resolves
   * with the time (Date.now()) the lens or menu item was clicked, for measuring.
   */
  runOnVm(from: VmRunFrom, targets: string[]): Promise<{ clickedAt: number }>;
  /** Waits until the run's progress notification reads `pattern`; returns its text. */
  waitForVmProgress(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Presses Cancel on the run's progress notification. */
  cancelVmRun(): Promise<void>;
  /** Waits until the results view shows a run that `ready` accepts; returns what it shows. */
  vmReport(ready: (r: VmReport) => boolean, timeoutMs?: number): Promise<VmReport>;
  /** Clicks a row's link in the results view; returns where the editor's cursor lands. */
  clickVmReportRow(label: string): Promise<{ file: string; line: number }>;
  /** Clicks the results view's "Show transcript"; returns the text the output shows. */
  vmTranscript(): Promise<string>;
  /**
   * Runs "bpf-assoc: Show VM Transcript"; returns the transcript once it matches `until`. Absent
   * where the editor cannot read an output channel back (test-electron).
   */
  vmTranscriptFromCommand?(until: RegExp): Promise<string>;
  /** Whether a VM results view is open. */
  vmReportOpen(): Promise<boolean>;
  /** The texts of the notifications shown (toasts); absent where they cannot be read (test-electron). */
  notifications?(): Promise<string[]>;
  /** View: Close All Editors. */
  closeAllEditors(): Promise<void>;
  /** Kills the language server process; resolves when a new one answers again. */
  crashServer(): Promise<void>;
  screenshot(name: string): Promise<string | null>;
  /** Extra timings the implementation can tell (e.g. how long the editor itself took to load). */
  measurements?(): Record<string, number | null>;
}

// Kept on globalThis: under test-electron the runner and the suite are separate bundles.
const slot = globalThis as { bpfAssocE2eDriver?: EditorDriver };

export function setDriver(d: EditorDriver | undefined): void {
  slot.bpfAssocE2eDriver = d;
}

export function driver(): EditorDriver {
  const current = slot.bpfAssocE2eDriver;
  if (!current) throw new Error('no editor driver: run the suite through test/e2e/.mocharc.json or the test-electron runner');
  return current;
}

/** Retries `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
