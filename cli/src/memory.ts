// How the one-shot `check` asks V8 to use memory. A check reads every file once and keeps little
// of each: most of what it allocates (expansions, source maps, syntax-tree wrappers) dies within
// one file. V8 grows its young generation from two 1 MiB semi-spaces to two of 16 MiB when much
// survives a scavenge, and those 32 MiB stay resident to the end: a fifth of the peak on a 2 MB
// workspace (docs/speed.md). Growing by a factor of 1 keeps them at 1 MiB; what survives longer is
// promoted and collected with the old generation.
//
// `--semi-space-growth-factor` is the one young-generation setting V8 reads each time it would
// grow the space (SemiSpaceNewSpace::Grow), so it takes effect when set at run time, for
// `node dist/cli.js` as much as for the `bpf-assoc` bin; `--max-semi-space-size` is read only when
// the heap is set up. The language server keeps V8's defaults (its latency matters more).
import { setFlagsFromString } from 'node:v8';

export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
