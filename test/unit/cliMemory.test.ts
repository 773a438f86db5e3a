// Issue 11's memory goal for a one-shot `bpf-assoc check`: what the CLI does not need is not kept.
// `.rs` files are read only when a Cargo.toml makes them part of a crate (a Rust loader is read
// only inside one), and V8's young generation keeps its initial size during a check (cli/src/memory.ts).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadWorkspace } from '../../server/src/node/scan';

const ROOT = resolve(__dirname, '..', '..');
const RUST_LOADER = 'use libbpf_rs::skel::SkelBuilder;\nfn main() { let b = MinimalSkelBuilder::default(); }\n';

describe('CLI memory', function () {
  this.timeout(60_000);
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bpf-assoc-climem-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'main.rs'), RUST_LOADER);
    writeFileSync(join(root, 'minimal.bpf.c'), '#include "vmlinux.h"\nSEC("tp/sched/sched_switch") int handle(void *ctx) { return 0; }\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('does not read .rs files when no Cargo.toml makes a crate of them', () => {
    const { workspace } = loadWorkspace([root]);
    assert.equal(workspace.kindOf(join(root, 'src', 'main.rs')), undefined);
    assert.equal(workspace.kindOf(join(root, 'minimal.bpf.c')), 'bpf');
  });

  it('reads them as Rust loaders inside a crate', () => {
    writeFileSync(join(root, 'Cargo.toml'), '[package]\nname = "minimal"\nversion = "0.1.0"\n');
    const { workspace } = loadWorkspace([root]);
    assert.equal(workspace.kindOf(join(root, 'src', 'main.rs')), 'rust');
  });

  it("keeps V8's young generation at its initial size once a check asks for it", () => {
    // Objects that survive a scavenge make V8 grow the young generation (to 32 MiB by default).
    const churn = (small: boolean): number => {
      const script = `${small ? `require(${JSON.stringify(join(ROOT, 'cli/src/memory'))}).keepYoungGenerationSmall();` : ''}
        let keep = [];
        for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = keep.slice(100000); }
        const s = require('node:v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
        process.stdout.write(String(s.space_size));`;
      const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      return Number(r.stdout) / 2 ** 20;
    };
    assert.ok(churn(false) > 4, 'the default grows it');
    assert.ok(churn(true) <= 2, 'a check keeps two 1 MiB semi-spaces');
  });
});
