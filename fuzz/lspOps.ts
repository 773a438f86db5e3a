// LSP message sequences: what an editor sends (didOpen, didChange, didClose, hover, definition,
// references, code lens, symbols, code actions, the model request), on a fixture case's files
// with mutated texts, edits anywhere (past the end too) and files that do not exist.
import { relative } from 'node:path';
import { ROOT, type Corpus, type SeedCase } from './corpus';
import { mutateC, randomSnippet } from './mutateC';
import { Rng } from './rng';

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export type LspOp =
  | { op: 'open'; file: string; text: string }
  | { op: 'change'; file: string; changes: ({ range: LspRange; text: string } | { text: string })[] }
  | { op: 'close'; file: string }
  | { op: 'request'; method: string; file: string; line: number; character: number };

export const REQUESTS = [
  'textDocument/hover',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/codeLens',
  'textDocument/documentSymbol',
  'textDocument/codeAction',
  'workspace/symbol',
  'bpfAssoc/model',
] as const;

const dec = new TextDecoder();

/** A sequence of 3 to 16 messages; files are relative to the repository root (the server's folder). */
export function lspSequence(rng: Rng, c: SeedCase, corpus: Corpus): LspOp[] {
  const ops: LspOp[] = [];
  const open = new Map<string, number>();
  const lines = (text: string): number => text.split('\n').length;
  const donor = dec.decode(corpus.read(rng.pick(c.sources)));
  const n = rng.range(3, 16);
  for (let i = 0; i < n; i++) {
    const roll = rng.int(100);
    if (roll < 30 || !open.size) {
      const seedFile = rng.pick(c.sources);
      const file = rng.chance(0.1) ? `fuzz/scratch/new_${rng.int(4)}.bpf.c` : relative(ROOT, seedFile);
      const original = corpus.read(seedFile);
      const text = rng.chance(0.7) ? dec.decode(mutateC(rng, original, corpus.read(rng.pick(c.sources))).bytes) : dec.decode(original);
      ops.push({ op: 'open', file, text });
      open.set(file, lines(text));
    } else if (roll < 60) {
      const file = rng.pick([...open.keys()]);
      const count = open.get(file) ?? 1;
      if (rng.chance(0.1)) {
        ops.push({ op: 'change', file, changes: [{ text: randomSnippet(rng, donor).repeat(rng.range(1, 3)) }] });
        continue;
      }
      const changes = Array.from({ length: rng.range(1, 5) }, () => {
        const line = rng.int(count + 3);
        const character = rng.int(120);
        const endLine = line + (rng.chance(0.7) ? 0 : rng.int(5));
        return { range: { start: { line, character }, end: { line: endLine, character: endLine === line ? character + rng.int(20) : rng.int(120) } }, text: randomSnippet(rng, donor) };
      });
      ops.push({ op: 'change', file, changes });
    } else if (roll < 70) {
      const file = rng.pick([...open.keys()]);
      ops.push({ op: 'close', file });
      open.delete(file);
    } else {
      const file = rng.chance(0.8) && open.size ? rng.pick([...open.keys()]) : relative(ROOT, rng.pick(c.sources));
      ops.push({ op: 'request', method: rng.pick(REQUESTS), file, line: rng.int((open.get(file) ?? 80) + 5), character: rng.int(100) });
    }
  }
  return ops;
}
