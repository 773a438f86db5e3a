// Runs one file input through the analysis in-process, as the CLI does: a workspace holding the
// witness and the shared headers (kept between inputs), the input's case around it, then the model
// and every output format. An exception is a crash; a witness finding that disappears is a blank.
import { loadGrammar } from '../server/src/analysis/c/parser';
import type { WorkspaceModel } from '../server/src/analysis/model';
import { Workspace } from '../server/src/analysis/workspace';
import { modelToJson } from '../server/src/output/json';
import { modelToSarif } from '../server/src/output/sarif';
import { formatText } from '../server/src/output/text';
import { loadCorpus, ROOT } from './corpus';
import type { FuzzInput } from './inputs';

export type OutcomeKind = 'ok' | 'crash' | 'blank';

export interface Outcome {
  kind: OutcomeKind;
  detail: string;
}

/** A finding of a witness file, as a comparable key. */
export function witnessKeys(model: WorkspaceModel, witness: ReadonlySet<string>): Set<string> {
  const keys = new Set<string>();
  for (const f of model.findings) {
    if (witness.has(f.location.file)) keys.add(`${f.rule} ${f.location.file.slice(ROOT.length + 1)}:${f.location.range.start.line + 1}:${f.location.range.start.character + 1}`);
  }
  return keys;
}

export function missing(baseline: ReadonlySet<string>, now: ReadonlySet<string>): string[] {
  return [...baseline].filter((k) => !now.has(k));
}

export class FileTarget {
  private readonly ws = new Workspace();
  private readonly witness: Set<string>;
  private baseline = new Set<string>();
  /** Set when the workspace could not forget an input: the worker makes a new target. */
  broken = false;

  private constructor() {
    const corpus = loadCorpus();
    this.witness = new Set(corpus.witness);
    for (const [path, bytes] of corpus.fixed) this.ws.setFile(path, bytes);
  }

  static async create(): Promise<FileTarget> {
    await loadGrammar();
    const t = new FileTarget();
    t.baseline = witnessKeys(t.ws.model(), t.witness);
    if (t.baseline.size === 0) throw new Error('the witness has no findings: fuzz/witness is broken');
    return t;
  }

  run(input: FuzzInput): Outcome {
    const added: string[] = [];
    try {
      const corpus = loadCorpus();
      for (const p of input.caseFiles) {
        this.ws.setFile(p, corpus.read(p));
        added.push(p);
      }
      for (const f of input.files) {
        this.ws.setFile(f.path, f.bytes);
        added.push(f.path);
      }
      const model = this.ws.model();
      // The output formats see the same hostile names.
      formatText(model, ROOT);
      JSON.stringify(modelToSarif(model, ROOT));
      JSON.stringify(modelToJson(model, ROOT));
      const gone = missing(this.baseline, witnessKeys(model, this.witness));
      if (gone.length) return { kind: 'blank', detail: `witness findings gone: ${gone.join('; ')}` };
      return { kind: 'ok', detail: `${model.findings.length} findings` };
    } catch (e) {
      return { kind: 'crash', detail: (e as Error).stack ?? String(e) };
    } finally {
      for (const p of added.reverse()) {
        try {
          this.ws.removeFile(p);
        } catch {
          this.broken = true;
        }
      }
    }
  }
}
