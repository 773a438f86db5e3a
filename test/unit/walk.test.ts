// The workspace walk (server/src/node/walk.ts): asynchronous (the event loop keeps turning while it
// runs), capped in entries and depth, safe with symlink loops, and the same result as the
// synchronous walk. Issue 11 (the walk was synchronous and uncapped) and issue 12.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles, listFilesAsync } from '../../server/src/node/walk';

describe('workspace walk', function () {
  this.timeout(60_000);
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'bpf-assoc-walk-'));
    for (let d = 0; d < 30; d++) {
      mkdirSync(join(root, `dir${d}`));
      for (let f = 0; f < 40; f++) writeFileSync(join(root, `dir${d}`, `f${f}.bpf.c`), 'int x;\n');
    }
    // A directory loop and a file loop.
    symlinkSync('..', join(root, 'dir0', 'up'));
    symlinkSync('loop_b.bpf.c', join(root, 'loop_a.bpf.c'));
    symlinkSync('loop_a.bpf.c', join(root, 'loop_b.bpf.c'));
    // 40 levels deep.
    let deep = join(root, 'deep');
    for (let i = 0; i < 40; i++) deep = join(deep, `d${i}`);
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'bottom.bpf.c'), 'int y;\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('walks without blocking the event loop, and finds what the synchronous walk finds', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const progress: number[] = [];
    try {
      const found = await listFilesAsync([root], () => false, { onProgress: (entries) => progress.push(entries), progressEvery: 100 });
      const sync = listFiles([root]);
      assert.deepEqual(found.files, sync.files);
      assert.deepEqual(found.skipped, sync.skipped);
      assert.equal(found.files.length, 1200);
      assert.ok(turns > 3, `the event loop turned ${turns} times during the walk`);
      assert.ok(progress.length >= 10, `progress reported ${progress.length} times`);
    } finally {
      clearInterval(ticker);
    }
  });

  it('a symlink loop is walked once and reported; a file loop is an unreadable path', async () => {
    const found = await listFilesAsync([root]);
    assert.equal(new Set(found.files).size, found.files.length);
    assert.ok(!found.files.some((f) => f.includes('/up/')));
    assert.deepEqual(found.skipped.filter((s) => /loop_/.test(s.path)).map((s) => [s.path.split('/').pop(), s.unreadable, /symlink loop/.test(s.reason)]), [
      ['loop_a.bpf.c', true, true],
      ['loop_b.bpf.c', true, true],
    ]);
  });

  it('stops at its depth and entry caps, and says so', async () => {
    const deep = await listFilesAsync([root]);
    assert.ok(!deep.files.some((f) => f.endsWith('bottom.bpf.c')));
    assert.ok(deep.skipped.some((s) => /deeper than 32 directory levels/.test(s.reason) && !s.unreadable));
    const capped = await listFilesAsync([root], () => false, { limits: { maxEntries: 100, maxDepth: 32 } });
    assert.ok(capped.truncated && /stopped after 100 files and directories/.test(capped.truncated));
    assert.ok(capped.files.length < 100 && capped.entries <= 101, `${capped.files.length} files, ${capped.entries} entries`);
  });

  it('a newer run cancels the walk', async () => {
    let calls = 0;
    const cancelled = await listFilesAsync([root], () => false, { progressEvery: 50, cancelled: () => ++calls >= 2 });
    assert.equal(cancelled.cancelled, true);
    assert.ok(cancelled.entries < 200);
  });
});
